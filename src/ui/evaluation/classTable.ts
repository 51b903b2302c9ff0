/** Rows of the per-class evaluation table and their sorting (click a header: ascending, again: descending). */

export interface ClassRow {
  cls: number;
  name: string;
  support: number;
  precision: number;
  recall: number;
  f1: number;
  threshold: number;
  /** max − min of the class's threshold across folds, when fold thresholds are given */
  spread?: number;
}

export type SortKey = 'cls' | 'name' | 'support' | 'precision' | 'recall' | 'f1' | 'threshold' | 'spread';
export type SortDir = 'asc' | 'desc';

/**
 * A sorted copy: numbers numerically, names alphabetically; NaN and missing values last in either
 * direction; ties by class id ascending (so the order is stable and deterministic).
 */
export function sortRows<R extends ClassRow>(rows: readonly R[], key: SortKey, dir: SortDir): R[] {
  const sign = dir === 'asc' ? 1 : -1;
  return rows.slice().sort((a, b) => {
    const va = a[key],
      vb = b[key];
    if (typeof va === 'string' && typeof vb === 'string') return sign * va.localeCompare(vb) || a.cls - b.cls;
    const na = typeof va === 'number' && !Number.isNaN(va),
      nb = typeof vb === 'number' && !Number.isNaN(vb);
    if (!na || !nb) return na === nb ? a.cls - b.cls : na ? -1 : 1;
    return sign * ((va as number) - (vb as number)) || a.cls - b.cls;
  });
}

/** The next sort state after clicking header `key`: the same column flips; a new one starts ascending for id and name, descending for numbers (best first). */
export function nextSort(current: { key: SortKey; dir: SortDir }, key: SortKey): { key: SortKey; dir: SortDir } {
  if (current.key === key) return { key, dir: current.dir === 'asc' ? 'desc' : 'asc' };
  return { key, dir: key === 'cls' || key === 'name' ? 'asc' : 'desc' };
}
