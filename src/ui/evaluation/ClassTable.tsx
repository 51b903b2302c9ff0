import { memo, useMemo, useState } from 'react';
import type { Spread } from './foldSpread';
import { nextSort, sortRows, type ClassRow, type SortDir, type SortKey } from './classTable';
import { rarity, type Rarity } from './rarity';

export interface ClassTableProps {
  rows: readonly ClassRow[];
  /** per-class threshold spread across folds (same order as class ids), when fold thresholds exist */
  spreads?: readonly Spread[];
  /** the class whose PR curve is shown (its row is highlighted) */
  selected: number;
  onSelect: (c: number) => void;
  /** a per-class slider moved; must be a stable function (rows are memoised) */
  onThreshold: (c: number, t: number) => void;
}

const fmt3 = (x: number) => (Number.isNaN(x) ? '—' : x.toFixed(3));

const COLUMNS: { key: SortKey; label: string; title: string }[] = [
  { key: 'cls', label: 'Id', title: 'Class id' },
  { key: 'name', label: 'Class', title: 'Class name (★ rare: < 0.5 % of train images; ◇ under 1 %)' },
  { key: 'support', label: 'Support', title: 'Positives in the validation truth (TP + FN)' },
  { key: 'precision', label: 'Precision', title: 'TP / (TP + FP)' },
  { key: 'recall', label: 'Recall', title: 'TP / (TP + FN)' },
  { key: 'f1', label: 'F1', title: '2·TP / (2·TP + FP + FN)' },
  { key: 'threshold', label: 'Threshold', title: 'Predict the class when p > threshold' },
];

const RARITY_MARK: Record<Rarity, string> = { rare: '★', low: '◇', common: '' };
const RARITY_TITLE: Record<Rarity, string> = { rare: 'rare: under 0.5 % of train images', low: 'under 1 % of train images', common: '' };

interface RowProps {
  cls: number;
  name: string;
  support: number;
  precision: number;
  recall: number;
  f1: number;
  threshold: number;
  spread?: Spread;
  selected: boolean;
  onSelect: (c: number) => void;
  onThreshold: (c: number, t: number) => void;
}

/** One class's row with its threshold slider; memoised so moving one slider re-renders one row. */
const ClassTableRow = memo(function ClassTableRow({ cls, name, support, precision, recall, f1, threshold, spread, selected, onSelect, onThreshold }: RowProps) {
  const r = rarity(cls);
  return (
    <tr className={`class-row ${r}${selected ? ' selected' : ''}`} data-class={cls}>
      <td className="num">{cls}</td>
      <td>
        <button type="button" className="linklike class-name" onClick={() => onSelect(cls)} title="Show this class's precision–recall curve">
          {name}
        </button>
        {r !== 'common' && (
          <span className={`rarity-mark ${r}`} title={RARITY_TITLE[r]} aria-label={RARITY_TITLE[r]}>
            {' '}
            {RARITY_MARK[r]}
          </span>
        )}
      </td>
      <td className="num">{support}</td>
      <td className="num">{fmt3(precision)}</td>
      <td className="num">{fmt3(recall)}</td>
      <td className="num f1">{fmt3(f1)}</td>
      <td className="threshold-cell">
        <input
          type="range"
          min={0}
          max={1}
          step={0.001}
          value={threshold}
          aria-label={`Threshold for ${name}`}
          onChange={(e) => onThreshold(cls, Number(e.target.value))}
        />
        <span className="num threshold-value">{threshold.toFixed(3)}</span>
      </td>
      {spread && (
        <td className="num spread" title={`mean ${spread.mean.toFixed(3)}, sd ${spread.sd.toFixed(3)}`}>
          {spread.min.toFixed(2)}–{spread.max.toFixed(2)} <small>sd {spread.sd.toFixed(2)}</small>
        </td>
      )}
    </tr>
  );
});

/** The per-class table: id, name (rare classes marked), support, P, R, F1 and a threshold slider; sortable by any column. */
export function ClassTable({ rows, spreads, selected, onSelect, onThreshold }: ClassTableProps) {
  const [sort, setSort] = useState<{ key: SortKey; dir: SortDir }>({ key: 'cls', dir: 'asc' });
  const withSpread = useMemo(
    () => (spreads ? rows.map((r) => ({ ...r, spread: spreads[r.cls] ? spreads[r.cls].max - spreads[r.cls].min : undefined })) : rows),
    [rows, spreads],
  );
  const sorted = useMemo(() => sortRows(withSpread, sort.key, sort.dir), [withSpread, sort]);
  const columns = spreads
    ? [...COLUMNS, { key: 'spread' as const, label: 'Across folds', title: 'Per-class threshold across the K folds: min–max and standard deviation' }]
    : COLUMNS;
  return (
    <table className="eval-table" data-testid="per-class-table">
      <thead>
        <tr>
          {columns.map((c) => (
            <th key={c.key} title={c.title} aria-sort={sort.key === c.key ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}>
              <button type="button" className="sort-header" onClick={() => setSort((s) => nextSort(s, c.key))}>
                {c.label}
                {sort.key === c.key ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ''}
              </button>
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {sorted.map((r) => (
          <ClassTableRow
            key={r.cls}
            cls={r.cls}
            name={r.name}
            support={r.support}
            precision={r.precision}
            recall={r.recall}
            f1={r.f1}
            threshold={r.threshold}
            spread={spreads?.[r.cls]}
            selected={r.cls === selected}
            onSelect={onSelect}
            onThreshold={onThreshold}
          />
        ))}
      </tbody>
    </table>
  );
}
