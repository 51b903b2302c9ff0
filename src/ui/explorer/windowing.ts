/** Arithmetic of a windowed (virtualised) grid with fixed-height rows: which rows to render. */

export interface RowRange {
  /** first row to render */
  first: number;
  /** one past the last row to render */
  end: number;
}

/** Columns that fit a width (at least 1). */
export function columnsFor(width: number, cellWidth: number): number {
  return Math.max(1, Math.floor(width / cellWidth));
}

/** The rows intersecting the viewport, widened by `overscan` rows each side and clamped to [0, rowCount). */
export function visibleRows(scrollTop: number, viewportHeight: number, rowHeight: number, rowCount: number, overscan: number): RowRange {
  if (rowCount <= 0) return { first: 0, end: 0 };
  const top = Math.max(0, Math.floor(scrollTop / rowHeight));
  const bottom = Math.ceil((scrollTop + Math.max(0, viewportHeight)) / rowHeight);
  return { first: Math.max(0, top - overscan), end: Math.min(rowCount, Math.max(bottom, top + 1) + overscan) };
}

/** The scrollTop that brings `row` fully into view with the least movement (unchanged when it is visible). */
export function scrollToReveal(row: number, scrollTop: number, viewportHeight: number, rowHeight: number): number {
  const top = row * rowHeight;
  if (top < scrollTop) return top;
  if (top + rowHeight > scrollTop + viewportHeight) return Math.max(0, top + rowHeight - viewportHeight);
  return scrollTop;
}
