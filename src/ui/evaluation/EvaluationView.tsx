import { ChartSlot, useQueuedValue } from '../chartQueue';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { className } from '../../core/labels';
import { countsAtThresholds, f1Report, type EmptyClassRule } from '../../core/metrics';
import { chooseThresholds, type ThresholdMode } from '../../core/thresholds';
import { ClassTable } from './ClassTable';
import type { ClassRow } from './classTable';
import { ConfusionGrid } from './ConfusionGrid';
import { ERROR_BROWSER_ID, ErrorBrowser, type ErrorSource } from './ErrorBrowser';
import { F1BarChart } from './F1BarChart';
import { foldSpread } from './foldSpread';
import { PRCurveChart } from './PRCurveChart';
import { prevalence, TRAIN_PREVALENCE } from './rarity';
import { useSettled } from './useSettled';
import './evaluation.css';

export interface EvaluationViewProps {
  /** validation probabilities, rows × numClasses, row-major (the predictions kept after an epoch) */
  probs: Float32Array;
  /** validation truth, 0/1, same shape as probs */
  truth: Uint8Array;
  numClasses: number;
  /** the thresholds in force for the run (the store's, default 0.5 everywhere); a new array replaces the view's */
  thresholds?: readonly number[];
  /** per-class thresholds found on each of K folds: foldThresholds[k][c]; shows each class's spread */
  foldThresholds?: number[][];
  /** called with the full threshold vector after every slider move or method button */
  onThresholdsChange?(t: number[]): void;
  /** the run and sample ids of these rows: shows the error browser (absent: no browser) */
  errors?: ErrorSource;
}

/** Quiet time after the last slider move before the charts redraw. */
const CHART_SETTLE_MS = 120;

type Source = 'initial' | 'manual' | ThresholdMode;
type Target = 'train' | 'val';

const RULE_LABEL: Record<EmptyClassRule, string> = { zero: '0', one: '1', skip: 'skip' };
const SOURCE_LABEL: Record<Source, string> = {
  initial: 'as last set for this run (0.5 each until then; kept across reloads)',
  manual: 'set by hand',
  global: 'global: the single t with the best macro F1',
  'per-class': "per-class: each class's F1-optimal t",
  lipton: 'Lipton: t_c = F1*_c / 2',
  proportion: 'proportion matching',
};

const sameValues = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * Evaluation of the validation predictions: macro F1 with the empty-class convention, global and
 * per-class threshold sliders (recomputed on the main thread from typed arrays), threshold methods,
 * a sortable per-class table, per-class F1 bars, a PR curve and the one-vs-rest confusion counts.
 */
export function EvaluationView({ probs, truth, numClasses, thresholds: given, foldThresholds, onThresholdsChange, errors }: EvaluationViewProps) {
  const rows = Math.floor(probs.length / numClasses);
  const shapeError =
    probs.length !== truth.length || probs.length % numClasses !== 0
      ? `Predictions (${probs.length} values) and truth (${truth.length}) are not both rows × ${numClasses} classes.`
      : given && given.length !== numClasses
        ? `${given.length} thresholds for ${numClasses} classes.`
        : null;

  const [thresholds, setThresholds] = useState<number[]>(() => (given && given.length === numClasses ? given.slice() : new Array(numClasses).fill(0.5)));
  const [globalT, setGlobalT] = useState(() => (given && given.length && given.every((t) => t === given[0]) ? given[0] : 0.5));
  const [source, setSource] = useState<Source>(given ? 'initial' : 'manual');
  const [rule, setRule] = useState<EmptyClassRule>('zero');
  const [target, setTarget] = useState<Target>('train');
  const [prClass, setPrClass] = useState(0);

  // latest values for stable callbacks
  const current = useRef(thresholds);
  current.current = thresholds;
  const notify = useRef(onThresholdsChange);
  notify.current = onThresholdsChange;

  const commit = useCallback((next: number[], from: Source) => {
    current.current = next;
    setThresholds(next);
    setSource(from);
    notify.current?.(next);
  }, []);

  // thresholds given by the parent replace the view's (a controlled parent echoing ours is a no-op)
  useEffect(() => {
    if (given && given.length === numClasses && !sameValues(given, current.current)) {
      current.current = given.slice();
      setThresholds(given.slice());
      setSource('initial');
    }
  }, [given, numClasses]);

  const onClassThreshold = useCallback(
    (c: number, t: number) => {
      const next = current.current.slice();
      next[c] = t;
      commit(next, 'manual');
    },
    [commit],
  );
  const onGlobal = (t: number) => {
    setGlobalT(t);
    commit(new Array(numClasses).fill(t), 'manual');
  };

  // the slider-speed path: O(rows × classes) counts, then 28 F1s
  const counts = useMemo(
    () => (shapeError ? null : countsAtThresholds(truth, probs, thresholds, numClasses)),
    [truth, probs, thresholds, numClasses, shapeError],
  );
  const report = useMemo(() => (counts ? f1Report(counts, rule) : null), [counts, rule]);
  // the charts and the grid redraw when a slider rests (CHART_SETTLE_MS); the number and the table follow every move
  const now = useMemo(() => ({ report, counts, thresholds }), [report, counts, thresholds]);
  const settled = useSettled(now, CHART_SETTLE_MS);
  // a settled state of another shape (numClasses or rows changed) is never drawn
  const chart = settled.counts && counts && settled.counts.numClasses === counts.numClasses && settled.counts.rows === counts.rows ? settled : now;

  const spreads = useMemo(() => {
    if (!foldThresholds?.length) return undefined;
    try {
      return foldSpread(foldThresholds, numClasses);
    } catch {
      return undefined;
    }
  }, [foldThresholds, numClasses]);

  const valPrevalence = useMemo(() => (shapeError ? null : prevalence(truth, numClasses)), [truth, numClasses, shapeError]);
  const rates = target === 'train' && numClasses === TRAIN_PREVALENCE.length ? TRAIN_PREVALENCE : valPrevalence;

  const applyMethod = (mode: ThresholdMode) => {
    if (shapeError) return;
    const result = chooseThresholds(truth, probs, mode, { emptyClass: rule, numClasses, rates: rates ?? undefined });
    const next = Array.from(result.thresholds);
    if (mode === 'global') setGlobalT(next[0]);
    commit(next, mode);
  };

  const tableRows: ClassRow[] = useMemo(
    () =>
      report
        ? report.perClass.map((s) => ({
            cls: s.cls,
            name: className(s.cls),
            support: s.support,
            precision: s.precision,
            recall: s.recall,
            f1: s.f1,
            threshold: thresholds[s.cls],
          }))
        : [],
    [report, thresholds],
  );
  // charts take new data one at a time (see chartQueue): recharts redraws every changed chart in
  // one animation frame
  const prInput = useMemo(() => ({ probs, truth }), [probs, truth]);
  const prLate = useQueuedValue(prInput);
  const prData = prLate.probs.length === probs.length ? prLate : prInput;
  const f1sNow = useMemo(() => (chart.report ? chart.report.perClass.map((s) => s.f1) : []), [chart.report]);
  const f1s = useQueuedValue(f1sNow);

  if (shapeError || !report || !counts || !chart.counts) {
    return (
      <div className="evaluation" role="alert">
        {shapeError}
      </div>
    );
  }

  const macroText = Number.isNaN(report.macroF1) ? 'Macro F1 —' : `Macro F1 ${report.macroF1.toFixed(4)}`;
  const empty = report.emptyClasses.length;
  const trainTargetAvailable = numClasses === TRAIN_PREVALENCE.length;
  const pc = Math.min(prClass, numClasses - 1);

  return (
    <div className="evaluation">
      <div className="eval-toolbar" role="group" aria-label="Thresholds and macro F1">
        <output className="macro-f1" data-testid="macro-f1" aria-live="polite">
          {macroText}
        </output>
        <label className="empty-rule">
          Empty class scores{' '}
          <select aria-label="Empty-class convention" value={rule} onChange={(e) => setRule(e.target.value as EmptyClassRule)}>
            {(['zero', 'one', 'skip'] as const).map((r) => (
              <option key={r} value={r}>
                {RULE_LABEL[r]}
              </option>
            ))}
          </select>
        </label>
        <span className="eval-meta">
          {rows.toLocaleString('en-US')} validation rows · {report.scoredClasses} classes scored
          {empty > 0 && ` · ${empty} empty (no TP, FP or FN) scored ${rule === 'skip' ? 'out' : RULE_LABEL[rule]}`}
        </span>
        <label className="global-threshold">
          Global threshold{' '}
          <input type="range" min={0} max={1} step={0.001} value={globalT} aria-label="Global threshold" onChange={(e) => onGlobal(Number(e.target.value))} />
          <span className="num">{globalT.toFixed(3)}</span>
          {!thresholds.every((t) => t === globalT) && <small className="eval-meta">(per-class values in use; moving this sets all)</small>}
        </label>
        {errors && (
          <button
            type="button"
            data-testid="browse-errors"
            title="The selected class's true positives, false positives and false negatives as thumbnails"
            onClick={() => {
              const browser = document.getElementById(ERROR_BROWSER_ID);
              browser?.scrollIntoView({ block: 'start' });
              browser?.querySelector<HTMLElement>('h3')?.focus({ preventScroll: true });
            }}
          >
            Browse errors ↓
          </button>
        )}
      </div>

      <div className="eval-methods" role="group" aria-label="Set thresholds by">
        <span>Set thresholds by:</span>
        <button type="button" onClick={() => applyMethod('global')} title="One t for every class: the grid point (step 0.001) with the best macro F1">
          Global (best single t)
        </button>
        <button type="button" onClick={() => applyMethod('per-class')} title="Each class's own F1-optimal t on this validation set">
          Per-class
        </button>
        <button
          type="button"
          onClick={() => applyMethod('lipton')}
          title="Lipton, Elkan & Narayanaswamy 2014: t = half the class's best F1 (for calibrated probabilities)"
        >
          Lipton (F1*/2)
        </button>
        <button type="button" onClick={() => applyMethod('proportion')} title="Each class's t so its predicted positive rate equals the target rate">
          Proportion
        </button>
        <label>
          target rate{' '}
          <select aria-label="Proportion target" value={trainTargetAvailable ? target : 'val'} onChange={(e) => setTarget(e.target.value as Target)}>
            {trainTargetAvailable && <option value="train">train prevalence (real train.csv counts)</option>}
            <option value="val">validation prevalence (this truth)</option>
          </select>
        </label>
        <span className="eval-source" data-testid="threshold-source">
          Current: {SOURCE_LABEL[source]}
          {source === 'proportion' && ` to the ${trainTargetAvailable && target === 'train' ? 'train' : 'validation'} prevalence`}
        </span>
      </div>
      <p className="eval-note">
        Per-class thresholds are fitted on the same validation rows they are scored on: for rare classes a handful of positives decide the threshold, so
        validation F1 rises while a test score can fall. The global threshold is the safe default
        {spreads
          ? `; the last column shows each class's threshold spread across the ${foldThresholds!.length} folds.`
          : '; give fold thresholds to see their spread across folds.'}{' '}
        Proportion matching with the validation prevalence uses the truth's class rates, so its score here is optimistic.{' '}
        <span data-testid="precision-convention">
          A class with nothing predicted has precision 0 (scikit-learn&apos;s zero_division=0) in the table, the curve and its caption; one with no positives
          and nothing predicted takes the empty-class score above.
        </span>
      </p>

      <div className="eval-body">
        <div className="eval-table-wrap">
          <ChartSlot minHeight={400}>
            <ClassTable rows={tableRows} spreads={spreads} selected={pc} onSelect={setPrClass} onThreshold={onClassThreshold} />
          </ChartSlot>
        </div>
        <div className="eval-charts">
          <ChartSlot minHeight={200}>
            <F1BarChart f1={f1s} />
          </ChartSlot>
          <ChartSlot minHeight={240}>
            <PRCurveChart
              probs={prData.probs}
              truth={prData.truth}
              numClasses={numClasses}
              cls={pc}
              onClass={setPrClass}
              threshold={chart.thresholds[pc]}
              tp={chart.counts.tp[pc]}
              fp={chart.counts.fp[pc]}
              fn={chart.counts.fn[pc]}
              emptyClass={rule}
            />
          </ChartSlot>
        </div>
      </div>
      <ChartSlot minHeight={0}>
        <ConfusionGrid tp={chart.counts.tp} fp={chart.counts.fp} fn={chart.counts.fn} rows={rows} />
      </ChartSlot>
      {/* last: its windowed grid's rows past the bottom edge are clipped, and nothing is drawn below it */}
      {errors && (
        <ChartSlot minHeight={420}>
          <ErrorBrowser
            {...errors}
            probs={probs}
            truth={truth}
            numClasses={numClasses}
            thresholds={thresholds}
            cls={pc}
            onClass={setPrClass}
            onThreshold={onClassThreshold}
          />
        </ChartSlot>
      )}
    </div>
  );
}
