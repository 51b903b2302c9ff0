import { describe, expect, it } from 'vitest';
import { overlayRows } from './overlay';

describe('overlayRows', () => {
  it('joins runs by epoch, leaving gaps where a run has no value', () => {
    const runs = [
      {
        id: 'a',
        history: [
          { epoch: 1, loss: 0.9, valMacroF1: 0.1 },
          { epoch: 2, loss: 0.7, valMacroF1: 0.2 },
        ],
      },
      {
        id: 'b',
        history: [
          { epoch: 2, loss: 0.8 },
          { epoch: 3, loss: 0.6, valMacroF1: 0.25 },
          { epoch: 1, loss: 1.0, valMacroF1: NaN },
        ],
      },
    ];
    expect(overlayRows(runs, 'loss')).toEqual([
      { epoch: 1, a: 0.9, b: 1.0 },
      { epoch: 2, a: 0.7, b: 0.8 },
      { epoch: 3, b: 0.6 },
    ]);
    expect(overlayRows(runs, 'valMacroF1')).toEqual([
      { epoch: 1, a: 0.1 },
      { epoch: 2, a: 0.2 },
      { epoch: 3, b: 0.25 },
    ]);
    expect(overlayRows(runs, 'valLoss')).toEqual([]);
  });
});
