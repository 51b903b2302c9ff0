import { describe, expect, it } from 'vitest';
import { countText, filterSamples, NO_FILTER } from './filter';

const samples = [
  { id: 'a', split: 'train', labels: [0, 25] },
  { id: 'b', split: 'train', labels: [0] },
  { id: 'c', split: 'train', labels: [25, 27] },
  { id: 'd', split: 'test', labels: [0, 25] },
  { id: 'e', split: 'test', labels: [] },
];
const ids = (f: Parameters<typeof filterSamples>[1]) => filterSamples(samples, f).map((s) => s.id);

describe('explorer filter', () => {
  it('no filter keeps everything in order', () => {
    expect(ids(NO_FILTER)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('filters by split', () => {
    expect(ids({ ...NO_FILTER, split: 'train' })).toEqual(['a', 'b', 'c']);
    expect(ids({ ...NO_FILTER, split: 'test' })).toEqual(['d', 'e']);
  });

  it('any: samples with at least one selected class; all: with every selected class', () => {
    expect(ids({ split: 'all', classes: [0, 27], match: 'any' })).toEqual(['a', 'b', 'c', 'd']);
    expect(ids({ split: 'all', classes: [0, 25], match: 'all' })).toEqual(['a', 'd']);
    expect(ids({ split: 'train', classes: [0, 25], match: 'all' })).toEqual(['a']);
    expect(ids({ split: 'all', classes: [8], match: 'any' })).toEqual([]);
  });

  it("formats the count as '1,234 of 31,072 samples'", () => {
    expect(countText(1234, 31072)).toBe('1,234 of 31,072 samples');
    expect(countText(0, 1)).toBe('0 of 1 sample');
  });
});
