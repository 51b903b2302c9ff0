import { describe, expect, it } from 'vitest';
import { macroF1At, parseParityArgs, spread, withinRange } from './parity';

describe('bench --parity', () => {
  it('prints a framework as mean ± half the range of its runs', () => {
    expect(spread([0.2, 0.1, 0.3])).toEqual({ mean: expect.closeTo(0.2, 12), halfRange: expect.closeTo(0.1, 12), min: 0.1, max: 0.3, n: 3 });
    expect(spread([0.25])).toEqual({ mean: 0.25, halfRange: 0, min: 0.25, max: 0.25, n: 1 });
    expect(spread([]).n).toBe(0);
  });

  it("passes when the studio's mean lies within the reference runs' range, ends included", () => {
    expect(withinRange([0.19, 0.2], [0.18, 0.21, 0.2])).toMatchObject({ pass: true, studioMean: expect.closeTo(0.195, 12), refMin: 0.18, refMax: 0.21 });
    expect(withinRange([0.18], [0.18, 0.21]).pass).toBe(true);
    expect(withinRange([0.21], [0.18, 0.21]).pass).toBe(true);
    // one studio run inside the range does not save a mean outside it
    expect(withinRange([0.2, 0.1], [0.18, 0.21]).pass).toBe(false);
    expect(withinRange([0.3, 0.25], [0.18, 0.21]).pass).toBe(false);
    expect(withinRange([], [0.2]).pass).toBe(false);
    expect(withinRange([0.2], []).pass).toBe(false);
  });

  it('scores macro F1 over 28 classes at one threshold or per class, an empty class counting 0', () => {
    const truth = new Uint8Array(2 * 28);
    const probs = new Float32Array(2 * 28);
    truth[0] = 1; // row 0, class 0
    probs[0] = 0.6;
    truth[28 + 1] = 1; // row 1, class 1
    probs[28 + 1] = 0.4;
    expect(macroF1At(truth, probs, 0.5)).toBeCloseTo(1 / 28, 12);
    const th = new Float64Array(28).fill(0.5);
    th[1] = 0.3;
    expect(macroF1At(truth, probs, th)).toBeCloseTo(2 / 28, 12);
  });

  it('defaults to the teaching demo at 64 px, 5 seeds, 12 epochs; the realistic demo at 128 px', () => {
    const o = parseParityArgs([], () => {});
    expect(o).toMatchObject({
      data: 'teaching',
      train: 1200,
      test: 300,
      size: 64,
      seeds: [1, 2, 3, 4, 5],
      epochs: 12,
      model: 'gapnet-pl',
      loss: 'focal',
      batch: 16,
      lr: 0.001,
    });
    expect(parseParityArgs(['--data', 'realistic', '--seeds', '4,5'], () => {})).toMatchObject({ data: 'realistic', size: 128, seeds: [4, 5] });
    expect(() => parseParityArgs(['--seeds', '1,1'], () => {})).toThrow(/twice/);
    expect(() => parseParityArgs(['--data', 'nowhere.zip'], () => {})).toThrow(/not teaching, realistic or an existing zip/);
  });
});
