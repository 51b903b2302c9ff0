import { describe, expect, it } from 'vitest';
import { formatRoute, parseRoute, TABS } from './route';

describe('route', () => {
  it('reads the area, dataset and run from the hash', () => {
    expect(parseRoute('#/evaluate?dataset=ds-1&run=run%202')).toEqual({ tab: 'evaluate', dataset: 'ds-1', run: 'run 2' });
  });

  it('sends an empty or unknown hash to the Datasets area', () => {
    expect(parseRoute('')).toEqual({ tab: 'datasets', dataset: null, run: null });
    expect(parseRoute('#/nowhere?run=x')).toEqual({ tab: 'datasets', dataset: null, run: 'x' });
  });

  it('writes back what it reads, for every area', () => {
    for (const { id } of TABS) {
      const route = { tab: id, dataset: 'a&b', run: null };
      expect(parseRoute(formatRoute(route))).toEqual(route);
    }
    expect(formatRoute({ tab: 'train', dataset: null, run: null })).toBe('#/train');
  });
});
