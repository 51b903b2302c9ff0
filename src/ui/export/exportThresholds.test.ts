import { describe, expect, it } from 'vitest';
import { describeThresholds, exportWeights, thresholdsInForce } from './exportThresholds';

describe('what an export carries', () => {
  it('carries the thresholds set in Evaluate, and says so; 0.5 when none were set', () => {
    const t = new Array<number>(28).fill(0.5);
    t[3] = 0.35;
    const byRun = { a: t };
    expect(thresholdsInForce(byRun, 'a')).toEqual({ values: t, label: 'set in Evaluate: per class' });
    expect(thresholdsInForce(byRun, 'a').values).not.toBe(t);
    expect(thresholdsInForce({ a: new Array<number>(28).fill(0.082) }, 'a').label).toBe('set in Evaluate: 0.082 for every class');
    expect(thresholdsInForce(byRun, 'b')).toEqual({ values: null, label: '0.5 (none set)' });
    expect(describeThresholds([0.2, 0.2])).toBe('0.200 for every class');
  });

  it('names the checkpoint the workers read: best, else last; an imported model its own', () => {
    expect(exportWeights({ bestEpoch: 5, checkpointEpoch: 12 })).toBe('best epoch 5');
    expect(exportWeights({ bestEpoch: null, checkpointEpoch: 12 })).toBe('last epoch 12');
    expect(exportWeights({ bestEpoch: 0, checkpointEpoch: 0 })).toBe('imported weights');
  });
});
