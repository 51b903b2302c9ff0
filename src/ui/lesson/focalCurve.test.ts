import { describe, expect, it } from 'vitest';
import { focalAtPt, focalWeight, gammaKey, lossVsPt } from './focalCurve';

describe('focal loss vs p_t', () => {
  it('is BCE at γ = 0 and matches the §6 test vector at γ = 2 (no α)', () => {
    // y = [1,0,1,0], p = [.9,.2,.4,.6]  →  p_t = [.9,.8,.4,.4]
    const pt = [0.9, 0.8, 0.4, 0.4];
    expect(pt.map((x) => focalAtPt(x, 0))).toEqual([0.1053605, 0.2231436, 0.9162907, 0.9162907].map((v) => expect.closeTo(v, 6)));
    expect(pt.reduce((s, x) => s + focalAtPt(x, 2), 0) / 4).toBeCloseTo(0.1674272, 6);
  });

  it('follows −(1 − p_t)^γ ln p_t at a few points and clips p_t = 0', () => {
    expect(focalAtPt(0.5, 1)).toBeCloseTo(0.5 * Math.LN2, 12);
    expect(focalAtPt(0.1, 5)).toBeCloseTo(-(0.9 ** 5) * Math.log(0.1), 12);
    expect(focalAtPt(0.75, 0.5)).toBeCloseTo(-Math.sqrt(0.25) * Math.log(0.75), 12);
    expect(focalAtPt(0, 0)).toBeCloseTo(-Math.log(1e-7), 9);
    expect(focalAtPt(1, 2)).toBeLessThan(1e-20);
  });

  it('tabulates every γ on the p_t grid, with larger γ never above smaller γ', () => {
    const rows = lossVsPt([0, 0.5, 1, 2, 5], 100);
    expect(rows.length).toBe(100);
    expect(rows[0].pt).toBe(0.01);
    expect(rows[99].pt).toBe(1);
    expect(rows[89][gammaKey(2)]).toBeCloseTo(focalAtPt(0.9, 2), 12);
    for (const r of rows) {
      const v = [0, 0.5, 1, 2, 5].map((g) => r[gammaKey(g)]);
      for (let i = 1; i < v.length; i++) expect(v[i]).toBeLessThanOrEqual(v[i - 1]);
    }
  });

  it('down-weights an easy example (p_t = 0.9) 100× at γ = 2 but a hard one (p_t = 0.1) only 1.23×', () => {
    expect(focalWeight(0.9, 2)).toBeCloseTo(0.01, 12);
    expect(1 / focalWeight(0.1, 2)).toBeCloseTo(1 / 0.81, 12);
  });
});
