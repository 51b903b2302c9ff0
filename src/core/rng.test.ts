import { describe, expect, it } from 'vitest';
import reference from './fixtures/mulberry32.json';
import { createRng, mulberry32, seedFrom } from './rng';

describe('mulberry32', () => {
  it('matches an independent Python implementation for several seeds', () => {
    for (const [seed, values] of Object.entries(reference as Record<string, number[]>)) {
      const g = mulberry32(Number(seed));
      expect(values.map(() => g())).toEqual(values);
    }
  });

  it('stays in [0, 1) and is roughly uniform over 10 bins', () => {
    const rng = createRng(7);
    const bins = new Array(10).fill(0);
    const n = 100_000;
    let lo = Infinity,
      hi = -Infinity;
    for (let i = 0; i < n; i++) {
      const x = rng.next();
      lo = Math.min(lo, x);
      hi = Math.max(hi, x);
      bins[Math.floor(x * 10)]++;
    }
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThan(1);
    // chi-square with 9 degrees of freedom: 27.9 is the 0.999 quantile
    const chi2 = bins.reduce((s, b) => s + (b - n / 10) ** 2 / (n / 10), 0);
    expect(chi2).toBeLessThan(27.9);
  });
});

describe('Rng helpers', () => {
  it('the same seed gives the same sequence, a different seed a different one', () => {
    const a = createRng(123),
      b = createRng(123),
      c = createRng(124);
    const sa = Array.from({ length: 20 }, () => a.next());
    expect(Array.from({ length: 20 }, () => b.next())).toEqual(sa);
    expect(Array.from({ length: 20 }, () => c.next())).not.toEqual(sa);
  });

  it('int(n) covers exactly 0..n−1 and rejects bad n', () => {
    const rng = createRng(1);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) seen.add(rng.int(7));
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(() => rng.int(0)).toThrow(RangeError);
    expect(() => rng.int(2.5)).toThrow(RangeError);
  });

  it('shuffle returns a permutation, reproducibly, and every position is reachable', () => {
    const p = createRng(5).permutation(1000);
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect([...createRng(5).permutation(1000)]).toEqual([...p]);
    expect([...p]).not.toEqual(Array.from({ length: 1000 }, (_, i) => i));
    // where element 0 lands over many shuffles of 4: all 4 positions, each about 1/4 of the time
    const rng = createRng(9);
    const where = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) where[rng.shuffle([0, 1, 2, 3]).indexOf(0)]++;
    for (const w of where) expect(Math.abs(w - 1000)).toBeLessThan(150);
  });

  it('choice picks from the array and refuses an empty one', () => {
    const rng = createRng(3);
    const items = ['a', 'b', 'c'];
    const picked = new Set(Array.from({ length: 100 }, () => rng.choice(items)));
    expect([...picked].sort()).toEqual(items);
    expect(() => rng.choice([])).toThrow(RangeError);
  });

  it('seedFrom maps integers to themselves mod 2^32 and hashes strings stably', () => {
    expect(seedFrom(42)).toBe(42);
    expect(seedFrom(-1)).toBe(4294967295);
    expect(seedFrom('fold-seed')).toBe(seedFrom('fold-seed'));
    expect(seedFrom('a')).not.toBe(seedFrom('b'));
    expect(() => seedFrom(NaN)).toThrow(RangeError);
  });
});
