import { CLASS_COLORS, CLASS_NAMES } from '../../core/labels';
import { countText, NO_FILTER, predictionFilterOn, type Agreement, type ClassMatch, type SampleFilter, type SplitFilter } from './filter';
import { TONE_TEXT, type PredictionTone } from './samplePredictions';

export interface PredictionChoice {
  /** runs of this dataset with validation probabilities */
  runs: readonly { id: string; name: string }[];
  runId: string | null;
  onRun: (runId: string | null) => void;
  /** what the chosen predictions cover, in words (or why they are not there yet) */
  note: string | null;
}

interface Props {
  filter: SampleFilter;
  onChange: (f: SampleFilter) => void;
  shown: number;
  total: number;
  /** samples per class in the current split (shown on the class buttons) */
  counts: readonly number[];
  prediction: PredictionChoice;
}

const AGREEMENT_TEXT: Record<Agreement, string> = { any: 'All samples', errors: 'Errors only (an extra or missed label)', correct: 'Correct only' };
const LEGEND: PredictionTone[] = ['correct', 'extra', 'missed', 'wrong'];

/** Split and class filters, a run's predictions with their filters, and the count of samples shown. */
export function ExplorerFilters({ filter, onChange, shown, total, counts, prediction }: Props) {
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
      <PredictionFilters filter={filter} onChange={onChange} prediction={prediction} />
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

/** The run whose predictions colour the thumbnails, and the filters by predicted class, agreement with the truth and confidence. */
function PredictionFilters({ filter, onChange, prediction }: Pick<Props, 'filter' | 'onChange' | 'prediction'>) {
  const { runs, runId, onRun, note } = prediction;
  const setConfidence = (end: 0 | 1, v: number) => {
    const next: [number, number] = [filter.confidence[0], filter.confidence[1]];
    // an inverted range is kept as typed (the other end may be typed next) and read swapped, with a note
    next[end] = v;
    onChange({ ...filter, confidence: next });
  };
  const off = runId === null;
  return (
    <div className="explorer-filter-row explorer-predictions" role="group" aria-label="Predictions">
      <label>
        Predictions{' '}
        <select aria-label="Predictions of run" value={runId ?? ''} onChange={(e) => onRun(e.target.value || null)} disabled={!runs.length}>
          <option value="">{runs.length ? 'None' : 'None (no run of this dataset has validation probabilities)'}</option>
          {runs.map((r) => (
            <option key={r.id} value={r.id}>
              {r.name}
            </option>
          ))}
        </select>
      </label>
      {!off && (
        <>
          <label>
            Predicted class{' '}
            <select
              aria-label="Predicted class"
              value={filter.predicted ?? ''}
              onChange={(e) => onChange({ ...filter, predicted: e.target.value === '' ? null : Number(e.target.value) })}
            >
              <option value="">Any</option>
              {CLASS_NAMES.map((name, c) => (
                <option key={c} value={c}>
                  {c} {name}
                </option>
              ))}
            </select>
          </label>
          <label>
            Show{' '}
            <select
              aria-label="Agreement with the truth"
              value={filter.agreement}
              onChange={(e) => onChange({ ...filter, agreement: e.target.value as Agreement })}
            >
              {(Object.keys(AGREEMENT_TEXT) as Agreement[]).map((a) => (
                <option key={a} value={a}>
                  {AGREEMENT_TEXT[a]}
                </option>
              ))}
            </select>
          </label>
          <span className="explorer-confidence" title="The predicted class's probability when one is chosen, else the sample's highest class probability">
            {filter.predicted === null ? 'Highest probability' : 'Its probability'}{' '}
            <input
              type="number"
              min={0}
              max={1}
              step={0.05}
              aria-label="Confidence from"
              value={filter.confidence[0]}
              onChange={(e) => setConfidence(0, Math.min(1, Math.max(0, Number(e.target.value) || 0)))}
            />{' '}
            to{' '}
            <input
              type="number"
              min={0}
              max={1}
              step={0.05}
              aria-label="Confidence to"
              value={filter.confidence[1]}
              onChange={(e) => setConfidence(1, Math.min(1, Math.max(0, e.target.value === '' ? 1 : Number(e.target.value))))}
            />
            {filter.confidence[0] > filter.confidence[1] && (
              <span className="explorer-confidence-note" role="status" data-testid="confidence-swapped">
                low above high: showing {filter.confidence[1]} to {filter.confidence[0]}
              </span>
            )}
          </span>
          <button
            type="button"
            disabled={!predictionFilterOn(filter)}
            onClick={() => onChange({ ...filter, predicted: null, agreement: 'any', confidence: NO_FILTER.confidence })}
          >
            Clear prediction filters
          </button>
          <ul className="tone-legend" aria-label="Thumbnail frames">
            {LEGEND.map((t) => (
              <li key={t}>
                <span className={`tone-swatch tone-${t}`} aria-hidden /> {TONE_TEXT[t]}
              </li>
            ))}
          </ul>
          {note && (
            <p className="explorer-prediction-note" data-testid="prediction-note">
              {note}
            </p>
          )}
        </>
      )}
    </div>
  );
}
