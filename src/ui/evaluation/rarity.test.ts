import { describe, expect, it } from 'vitest';
import { prevalence, rarity, TRAIN_PREVALENCE, UNDER_ONE_PERCENT } from './rarity';

describe('rarity', () => {
  it('marks the literature rare classes and the other classes under 1 % train prevalence', () => {
    expect(UNDER_ONE_PERCENT).toEqual([8, 9, 10, 15, 17, 20, 27]);
    expect([8, 9, 10, 15, 27].map(rarity)).toEqual(['rare', 'rare', 'rare', 'rare', 'rare']);
    expect([17, 20, 24, 0].map(rarity)).toEqual(['low', 'low', 'common', 'common']);
    expect(TRAIN_PREVALENCE[0]).toBeCloseTo(12885 / 31072, 12);
  });

  it('computes the prevalence of each class in a truth matrix', () => {
    expect(Array.from(prevalence(Uint8Array.from([1, 0, 1, 1, 0, 0, 0, 0]), 2))).toEqual([0.5, 0.25]);
  });
});
