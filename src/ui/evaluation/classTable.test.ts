import { describe, expect, it } from 'vitest';
import { nextSort, sortRows, type ClassRow } from './classTable';

const row = (cls: number, name: string, f1: number, support: number, spread?: number): ClassRow => ({
  cls,
  name,
  support,
  precision: f1,
  recall: f1,
  f1,
  threshold: 0.5,
  spread,
});
const rows = [row(0, 'Nucleoplasm', 0.8, 50), row(1, 'Aggresome', 0.1, 3, 0.2), row(2, 'Cytosol', NaN, 0, 0.05), row(3, 'Lysosomes', 0.1, 1)];

describe('sortRows', () => {
  it('sorts numbers both ways with ties by class id and NaN/missing last', () => {
    expect(sortRows(rows, 'f1', 'desc').map((r) => r.cls)).toEqual([0, 1, 3, 2]);
    expect(sortRows(rows, 'f1', 'asc').map((r) => r.cls)).toEqual([1, 3, 0, 2]);
    expect(sortRows(rows, 'spread', 'asc').map((r) => r.cls)).toEqual([2, 1, 0, 3]);
    expect(sortRows(rows, 'spread', 'desc').map((r) => r.cls)).toEqual([1, 2, 0, 3]);
    expect(sortRows(rows, 'support', 'asc').map((r) => r.cls)).toEqual([2, 3, 1, 0]);
  });

  it('sorts names alphabetically and leaves the input untouched', () => {
    expect(sortRows(rows, 'name', 'asc').map((r) => r.name)).toEqual(['Aggresome', 'Cytosol', 'Lysosomes', 'Nucleoplasm']);
    expect(sortRows(rows, 'name', 'desc').map((r) => r.cls)).toEqual([0, 3, 2, 1]);
    expect(rows.map((r) => r.cls)).toEqual([0, 1, 2, 3]);
  });

  it('flips the direction on a second click and starts scores best-first', () => {
    expect(nextSort({ key: 'cls', dir: 'asc' }, 'cls')).toEqual({ key: 'cls', dir: 'desc' });
    expect(nextSort({ key: 'cls', dir: 'asc' }, 'f1')).toEqual({ key: 'f1', dir: 'desc' });
    expect(nextSort({ key: 'f1', dir: 'desc' }, 'name')).toEqual({ key: 'name', dir: 'asc' });
  });
});
