import { describe, expect, it } from 'vitest';
import { extent, nearestRow, plotGeometry } from './plotGeometry';

const box = { left: 40, top: 10, width: 400, height: 100 };

describe('plotGeometry', () => {
  it('maps the data into the box: x left to right, y bottom to top', () => {
    const g = plotGeometry({
      ...box,
      rows: [
        { s: 0, v: 0 },
        { s: 10, v: 1 },
      ],
      x: 's',
      seriesKeys: ['v'],
      yDomain: [0, 1],
    });
    expect(g.xScale(0)).toBe(40);
    expect(g.xScale(10)).toBe(440);
    expect(g.yScale(0)).toBe(110);
    expect(g.yScale(1)).toBe(10);
    expect(g.paths[0].d).toBe('M40,110L440,10');
  });
  it('a series skips rows without a finite value and joins across them; another series keeps its own rows', () => {
    const rows = [
      { s: 1, a: 2, b: null },
      { s: 2, a: undefined, b: 3 },
      { s: 3, a: Number.NaN, b: 4 },
      { s: 4, a: 1 },
    ];
    const g = plotGeometry({ ...box, rows, x: 's', seriesKeys: ['a', 'b'] });
    expect(g.paths[0].points.map((r) => r.s)).toEqual([1, 4]);
    expect(g.paths[1].points.map((r) => r.s)).toEqual([2, 3]);
    expect(g.paths[0].d.split('L')).toHaveLength(2);
  });
  it('an automatic y domain takes every series and the marked points, widened to nice ticks', () => {
    const g = plotGeometry({ ...box, rows: [{ s: 1, a: 0.13, b: 0.42 }], x: 's', seriesKeys: ['a', 'b'], extraY: [0.05] });
    const [lo, hi] = g.yScale.domain();
    expect(lo).toBeLessThanOrEqual(0.05);
    expect(hi).toBeGreaterThanOrEqual(0.42);
    expect(g.yTicks[0]).toBeCloseTo(lo, 10);
    expect(g.yTicks.at(-1)).toBeCloseTo(hi, 10);
  });
  it('epochs get whole-number ticks only, and a single epoch sits between its neighbours', () => {
    const many = plotGeometry({ ...box, rows: [1, 2, 3, 4, 5].map((e) => ({ e, f: e / 10 })), x: 'e', seriesKeys: ['f'], integerX: true });
    expect(many.xTicks.every(Number.isInteger)).toBe(true);
    expect(many.xTicks).toContain(1);
    expect(many.xTicks).toContain(5);
    const one = plotGeometry({ ...box, rows: [{ e: 1, f: 0.2 }], x: 'e', seriesKeys: ['f'], integerX: true });
    expect(one.xScale.domain()).toEqual([0, 2]);
    expect(one.xTicks).toEqual([0, 1, 2]);
    expect(one.xScale(1)).toBe(240);
  });
  it('given ticks are kept as given', () => {
    const g = plotGeometry({
      ...box,
      rows: [],
      x: 'r',
      seriesKeys: ['p'],
      xDomain: [0, 1],
      yDomain: [0, 1],
      xTicks: [0, 0.25, 0.5, 0.75, 1],
      yTicks: [0, 0.5, 1],
    });
    expect(g.xTicks).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(g.yTicks).toEqual([0, 0.5, 1]);
    expect(g.paths[0].d).toBe('');
  });
});

describe('extent', () => {
  it('is the range, or room around a single value, or the fallback', () => {
    expect(extent([3, 1, 2], [0, 1])).toEqual([1, 3]);
    expect(extent([2], [0, 1])).toEqual([1.8, 2.2]);
    expect(extent([0], [0, 1])).toEqual([-1, 1]);
    expect(extent([], [0, 1])).toEqual([0, 1]);
  });
});

describe('nearestRow', () => {
  const rows = [{ s: 0 }, { s: 10 }, { s: 20 }, { s: 40 }];
  it('finds the row nearest the pointer, ends included', () => {
    expect(nearestRow(rows, 's', -5)).toBe(0);
    expect(nearestRow(rows, 's', 4)).toBe(0);
    expect(nearestRow(rows, 's', 6)).toBe(1);
    expect(nearestRow(rows, 's', 29)).toBe(2);
    expect(nearestRow(rows, 's', 31)).toBe(3);
    expect(nearestRow(rows, 's', 99)).toBe(3);
    expect(nearestRow([], 's', 1)).toBeNull();
  });
});
