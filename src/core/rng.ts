/**
 * A small seeded pseudo-random generator (mulberry32: 32-bit state, period 2^32) with the helpers the
 * studio needs: uniform floats, integers, Fisher–Yates shuffle and choice. Deterministic across
 * browsers and Node: the same seed gives the same sequence everywhere. Not for cryptography.
 */

/** The raw mulberry32 generator: each call returns a float in [0, 1) with 32 random bits. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Turns any finite number (or a string) into a 32-bit seed; integers 0..2^32−1 map to themselves. */
export function seedFrom(seed: number | string): number {
  if (typeof seed === 'number') {
    if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
    if (Number.isInteger(seed)) return seed >>> 0;
  }
  // FNV-1a over the text, for non-integer numbers and strings.
  const text = String(seed);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export class Rng {
  private readonly gen: () => number;

  constructor(seed: number | string) {
    this.gen = mulberry32(seedFrom(seed));
  }

  /** A float in [0, 1). */
  next(): number {
    return this.gen();
  }

  /** An integer in [0, n), n ≥ 1 (unbiased for n ≤ 2^32 up to float rounding; fine for n ≪ 2^32). */
  int(n: number): number {
    if (!(n >= 1) || !Number.isInteger(n)) throw new RangeError(`Rng.int needs a positive integer, got ${n}`);
    return Math.floor(this.gen() * n);
  }

  /** Shuffles `items` in place (Fisher–Yates) and returns it. */
  shuffle<T, A extends { length: number; [i: number]: T }>(items: A): A {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }

  /** One element of a non-empty array, uniformly. */
  choice<T>(items: ArrayLike<T>): T {
    if (items.length === 0) throw new RangeError('Rng.choice of an empty array');
    return items[this.int(items.length)];
  }

  /** The identity permutation 0..n−1, shuffled. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle<number, Int32Array>(p);
  }
}

export function createRng(seed: number | string): Rng {
  return new Rng(seed);
}
