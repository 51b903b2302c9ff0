import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS, isThresholdVector, parseStoredThresholds, thresholdsOf } from './thresholdsSlice';

const t28 = (v: number) => new Array<number>(28).fill(v);

describe('thresholds in force', () => {
  it('default to 0.5 for each of the 28 classes when a run has none', () => {
    expect(thresholdsOf({}, 'run-1')).toEqual(t28(0.5));
    expect(thresholdsOf({ 'run-2': t28(0.3) }, 'run-1')).toBe(DEFAULT_THRESHOLDS);
    expect(thresholdsOf({ 'run-2': t28(0.3) }, null)).toBe(DEFAULT_THRESHOLDS);
    expect(thresholdsOf({ 'run-2': t28(0.3) }, 'run-2')).toEqual(t28(0.3));
  });

  it('read back from storage only as 28 finite values in [0, 1]; anything else is dropped', () => {
    const text = JSON.stringify({ good: t28(0.2), short: [0.5], nan: [...t28(0.5).slice(1), null], high: [...t28(0.5).slice(1), 1.5], str: 'x' });
    expect(parseStoredThresholds(text)).toEqual({ good: t28(0.2) });
    expect(parseStoredThresholds(null)).toEqual({});
    expect(parseStoredThresholds('{not json')).toEqual({});
    expect(parseStoredThresholds('[1,2]')).toEqual({});
    expect(isThresholdVector(t28(0))).toBe(true);
    expect(isThresholdVector(t28(-0.1))).toBe(false);
  });
});
