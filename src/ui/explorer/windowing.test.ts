import { describe, expect, it } from 'vitest';
import { columnsFor, scrollToReveal, visibleRows } from './windowing';

describe('grid windowing', () => {
  it('renders only the rows in view plus overscan, at any scroll position of 31,072 samples', () => {
    const cols = columnsFor(960, 118); // 8
    expect(cols).toBe(8);
    const rows = Math.ceil(31072 / cols); // 3,884 rows
    expect(visibleRows(0, 600, 146, rows, 2)).toEqual({ first: 0, end: 7 }); // rows 0..4 visible (600/146 = 4.1) + 2
    const mid = visibleRows(146 * 1000 + 10, 600, 146, rows, 2);
    expect(mid).toEqual({ first: 998, end: 1007 });
    const last = visibleRows(rows * 146 - 600, 600, 146, rows, 2);
    expect(last.end).toBe(rows);
    for (const r of [mid, last]) expect((r.end - r.first) * cols).toBeLessThanOrEqual(80);
  });

  it('clamps to the data and handles an empty list', () => {
    expect(visibleRows(0, 600, 146, 2, 3)).toEqual({ first: 0, end: 2 });
    expect(visibleRows(0, 600, 146, 0, 3)).toEqual({ first: 0, end: 0 });
    expect(columnsFor(50, 118)).toBe(1);
  });

  it('scrolls just enough to reveal a row', () => {
    expect(scrollToReveal(0, 500, 600, 146)).toBe(0); // above: align to top
    expect(scrollToReveal(10, 0, 600, 146)).toBe(11 * 146 - 600); // below: align to bottom
    expect(scrollToReveal(2, 146, 600, 146)).toBe(146); // already visible: no move
  });
});
