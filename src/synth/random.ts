/**
 * Small seeded random numbers for the synthetic generator: sfc32 (Chris Doty-Humphrey's Small Fast
 * Counter, 128-bit state), seeded through a 32-bit integer hash. Pure integer arithmetic, so the
 * same seed gives the same stream in Node and in any browser. Never Math.random.
 */

/** Mixes a 32-bit value (the murmur3 finaliser). */
export function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hashes integers and strings into one 32-bit seed. */
export function hashSeed(...parts: (number | string)[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    if (typeof part === 'number') {
      h = mix32(h ^ mix32((part >>> 0) ^ 0x9e3779b9));
      // keep the high bits of integers beyond 32 bits (seeds up to 2^53)
      h = mix32(h ^ Math.floor(part / 4294967296));
    } else {
      for (let i = 0; i < part.length; i++) h = Math.imul(h ^ part.charCodeAt(i), 0x01000193);
      h = mix32(h ^ part.length);
    }
  }
  return h >>> 0;
}

export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** A uniform 32-bit unsigned integer. */
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Uniform integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Log-uniform in [lo, hi). */
  logRange(lo: number, hi: number): number {
    return lo * Math.pow(hi / lo, this.next());
  }

  /**
   * Approximately standard normal: the sum of the four bytes of one 32-bit draw (Irwin–Hall with
   * n = 4, 256 levels each), centred and scaled to unit variance. Cheap enough for per-pixel noise;
   * its tails stop at ±3.45.
   */
  normal(): number {
    const u = this.u32();
    return ((u & 255) + ((u >>> 8) & 255) + ((u >>> 16) & 255) + (u >>> 24) - 510) * 0.0067658;
  }
}
