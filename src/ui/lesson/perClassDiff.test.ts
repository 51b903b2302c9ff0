import { describe, expect, it } from 'vitest';
import { diffSentence, perClassDiff, summarizeDiff } from './perClassDiff';

describe('perClassDiff', () => {
  const a = Array.from({ length: 28 }, () => 0.5);
  const b = a.map((v, c) => ([8, 9, 10, 15, 17, 20, 27].includes(c) ? v + 0.1 : v - 0.01));

  it('gives b − a per class with rarity marks', () => {
    const bars = perClassDiff(a, b);
    expect(bars.length).toBe(28);
    expect(bars[8].diff).toBeCloseTo(0.1, 12);
    expect(bars[0].diff).toBeCloseTo(-0.01, 12);
    expect(bars.filter((d) => d.rarity !== 'common').map((d) => d.cls)).toEqual([8, 9, 10, 15, 17, 20, 27]);
    expect(bars[27].name).toBe('Rods & rings');
  });

  it('averages the difference on rare (< 1 %) and common classes and says so', () => {
    const s = summarizeDiff(perClassDiff(a, b));
    expect(s.rareCount).toBe(7);
    expect(s.commonCount).toBe(21);
    expect(s.rareMean).toBeCloseTo(0.1, 12);
    expect(s.commonMean).toBeCloseTo(-0.01, 12);
    expect(diffSentence(s, 'BCE', 'Focal')).toBe(
      'On the 7 rare classes (under 1 % of images), Focal − BCE averages +0.100 F1; on the 21 common classes, −0.010.',
    );
  });

  it('leaves classes missing from one run out of the means', () => {
    const s = summarizeDiff(perClassDiff([0.2, 0.4, NaN], [0.3, 0.2]));
    expect(s).toEqual({ rareMean: NaN, rareCount: 0, commonMean: expect.closeTo(-0.05, 12), commonCount: 2 });
  });
});
