import type { DatasetRecord } from '../../data/catalog';
import { firstSkipped, skippedCsv } from '../../data/skipped';
import { fmtInt } from '../format';
import { useStudio } from '../store';

/** How many skip reasons show on screen; the CSV has them all. */
const SHOWN = 5;

function downloadCsv(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/**
 * A dataset's skipped samples, kept with it across imports and reloads: the first few as
 * "file — reason", how many more, and the whole list as CSV.
 */
export function SkipList({ ds }: { ds: DatasetRecord }) {
  if (!ds.skipped.length) return null;
  const { lines, more } = firstSkipped(ds.skipped, SHOWN);
  return (
    <div className="skip-list" data-testid="skip-list">
      <span>
        {fmtInt(ds.skipped.length)} sample{ds.skipped.length === 1 ? '' : 's'} skipped:
      </span>
      <ul className="warnings">
        {lines.map((line, i) => (
          <li key={i} data-testid="skip-reason">
            {line}
          </li>
        ))}
        {more > 0 && <li data-testid="skip-more">and {fmtInt(more)} more</li>}
      </ul>
      <button onClick={() => downloadCsv(`${ds.name}-skipped.csv`, skippedCsv(ds.skipped))}>Download the skip reasons (CSV)</button>
    </div>
  );
}

/** The dataset table's row under a dataset with skipped samples: its skip list across the table. */
export function SkipRow({ ds }: { ds: DatasetRecord }) {
  const selected = useStudio((s) => s.selectedDatasetId === ds.id);
  if (!ds.skipped.length) return null;
  return (
    <tr className={selected ? 'selected' : undefined} data-testid="dataset-skips">
      <td colSpan={6}>
        <SkipList ds={ds} />
      </td>
    </tr>
  );
}
