import { CLASS_COLORS, CLASS_NAMES } from '../../core/labels';
import { countText, type ClassMatch, type SampleFilter, type SplitFilter } from './filter';

interface Props {
  filter: SampleFilter;
  onChange: (f: SampleFilter) => void;
  shown: number;
  total: number;
  /** samples per class in the current split (shown on the class buttons) */
  counts: readonly number[];
}

/** Split and class filters with the count of samples shown. */
export function ExplorerFilters({ filter, onChange, shown, total, counts }: Props) {
  const toggle = (c: number) =>
    onChange({ ...filter, classes: filter.classes.includes(c) ? filter.classes.filter((x) => x !== c) : [...filter.classes, c].sort((a, b) => a - b) });
  return (
    <div className="explorer-filters">
      <div className="explorer-filter-row">
        <label>
          Split{' '}
          <select aria-label="Split" value={filter.split} onChange={(e) => onChange({ ...filter, split: e.target.value as SplitFilter })}>
            <option value="all">All</option>
            <option value="train">Train</option>
            <option value="test">Test</option>
          </select>
        </label>
        <fieldset className="explorer-match">
          <legend>Samples with</legend>
          {(['any', 'all'] as ClassMatch[]).map((m) => (
            <label key={m}>
              <input type="radio" name="explorer-match" value={m} checked={filter.match === m} onChange={() => onChange({ ...filter, match: m })} />
              {m} selected class{m === 'all' ? 'es' : ''}
            </label>
          ))}
        </fieldset>
        <button type="button" disabled={!filter.classes.length} onClick={() => onChange({ ...filter, classes: [] })}>
          Clear classes
        </button>
        <strong className="explorer-count" data-testid="explorer-count" aria-live="polite">
          {countText(shown, total)}
        </strong>
      </div>
      <div className="explorer-class-filter" role="group" aria-label="Filter by class">
        {CLASS_NAMES.map((name, c) => {
          const on = filter.classes.includes(c);
          return (
            <button
              key={c}
              type="button"
              className={on ? 'class-toggle on' : 'class-toggle'}
              aria-pressed={on}
              title={`${c} · ${name}: ${counts[c]?.toLocaleString('en-US') ?? 0} samples`}
              onClick={() => toggle(c)}
            >
              <span className="class-swatch" style={{ background: CLASS_COLORS[c] }} />
              {c} {name}
            </button>
          );
        })}
      </div>
    </div>
  );
}
