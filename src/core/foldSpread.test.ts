import { describe, expect, it } from 'vitest';
import { foldSpread } from './foldSpread';

describe('foldSpread', () => {
  it('gives min, max, mean and sample sd of each class across folds', () => {
    const s = foldSpread(
      [
        [0.2, 0.5],
        [0.4, 0.5],
        [0.9, 0.5],
      ],
      2,
    );
    expect(s[0].min).toBe(0.2);
    expect(s[0].max).toBe(0.9);
    expect(s[0].mean).toBeCloseTo(0.5, 12);
    expect(s[0].sd).toBeCloseTo(Math.sqrt((0.3 ** 2 + 0.1 ** 2 + 0.4 ** 2) / 2), 12);
    expect(s[1]).toEqual({ min: 0.5, max: 0.5, mean: 0.5, sd: 0 });
  });

  it('rejects a fold with the wrong number of classes, naming it', () => {
    expect(() => foldSpread([[0.1, 0.2], [0.3]], 2)).toThrow(/fold 1 has 1/);
    expect(() => foldSpread([], 2)).toThrow(/no folds/);
  });
});
