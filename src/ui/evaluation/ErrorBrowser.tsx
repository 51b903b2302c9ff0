import { memo, useCallback, useDeferredValue, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useViewerCursor } from '../explorer/useViewerCursor';
import { eachClassErrorGroups, ERROR_KINDS, errorGroups, errorListLines, type ErrorKind, type GroupEntry } from '../../core/errorGroups';
import { CLASS_NAMES, className } from '../../core/labels';
import { countsAtThresholds } from '../../core/metrics';
import { listSamples, type SampleRecord } from '../../data/catalog';
import { SampleGrid, type CellDecor } from '../explorer/SampleGrid';
import { SampleViewer } from '../explorer/SampleViewer';
import { useThumbnails } from '../explorer/useThumbnails';
import { fileSafe } from '../format';
import { useStudio } from '../store';
import { downloadUrl } from '../store/exportSlice';
import { textInSlices } from '../textInSlices';
// the grid's and the viewer's styles
import '../explorer/explorer.css';

/** The run whose validation rows the browser shows. */
export interface ErrorSource {
  runId: string;
  runName: string;
  datasetId: string;
  /** the validation rows' sample ids, in row order (RunRecord.valIds) */
  ids: readonly string[];
  /** the epoch whose validation predictions these are (null: unknown), for the CSVs' file names */
  epoch: number | null;
}

/** An error list's file name: run, epoch, class and the threshold(s) it was cut at, e.g. errors-<run>-ep12-Nucleoplasm-t0.350.csv. */
export function errorListFileName(runName: string, epoch: number | null, cls: number | 'all', thresholds: readonly number[]): string {
  const t = cls === 'all' ? (thresholds.every((v) => v === thresholds[0]) ? `t${thresholds[0].toFixed(3)}` : 'per-class-t') : `t${thresholds[cls].toFixed(3)}`;
  return `errors-${fileSafe(runName)}${epoch !== null ? `-ep${epoch}` : ''}-${cls === 'all' ? 'all-classes' : fileSafe(className(cls))}-${t}.csv`;
}

interface Props extends ErrorSource {
  probs: Float32Array;
  truth: Uint8Array;
  numClasses: number;
  /** the thresholds in force, one per class */
  thresholds: readonly number[];
  /** the class shown: the one selected in the table and the PR curve */
  cls: number;
  onClass: (c: number) => void;
  /** sets one class's threshold in force (the per-class table's setter: both sliders move together); absent: no slider */
  onThreshold?: (c: number, t: number) => void;
}

/** The element the evaluation's "Browse errors" button scrolls to. */
export const ERROR_BROWSER_ID = 'error-browser';

const KIND_TITLE: Record<ErrorKind, string> = { tp: 'True positives', fp: 'False positives', fn: 'False negatives' };
const KIND_WORDS: Record<ErrorKind, string> = { tp: 'true positives', fp: 'false positives', fn: 'false negatives' };
const KIND_ORDER: Record<ErrorKind, string> = {
  tp: 'highest probability first',
  fp: 'most confident first (highest probability)',
  fn: 'most confidently missed first (lowest probability)',
};
/** the frame a thumbnail gets, as in the explorer: a hit, an extra label, a missed one */
const KIND_TONE = { tp: 'correct', fp: 'extra', fn: 'missed' } as const;

/** An error-list download being made (a few slices of main-thread time at a time). */
interface CsvJob {
  which: 'class' | 'all';
  done: number;
  total: number;
  abort: AbortController;
}

/** The same list when the entries are the same rows in the same order (a threshold move that changes nothing keeps the grid's scroll). */
function useSameList(list: { entry: GroupEntry; sample: SampleRecord }[]) {
  const last = useRef(list);
  const prev = last.current;
  if (prev !== list && (prev.length !== list.length || prev.some((x, i) => x.entry.row !== list[i].entry.row || x.sample !== list[i].sample)))
    last.current = list;
  return last.current;
}

/**
 * The error browser: one class's validation rows at the thresholds in force, as true positives,
 * false positives and false negatives, each a windowed grid of thumbnails with the class's
 * probability; a thumbnail opens the sample viewer with this run's prediction and the class's
 * activation map. The groups follow the thresholds (a deferred value: a slider's move is drawn
 * first, the groups in the background).
 */
export const ErrorBrowser = memo(function ErrorBrowser({
  runId,
  runName,
  datasetId,
  ids,
  epoch,
  probs,
  truth,
  numClasses,
  thresholds,
  cls,
  onClass,
  onThreshold,
}: Props) {
  const dataset = useStudio((s) => s.datasets.find((d) => d.id === datasetId));
  const { reader, loader, thumbSize } = useThumbnails(dataset);
  const [byId, setById] = useState<Map<string, SampleRecord> | null>(null);
  const [readError, setReadError] = useState<string | null>(null);
  const [kind, setKind] = useState<ErrorKind>('fp');
  // a class opens on the chosen tab, or on the fullest when that one is empty (FP at 0.5 often is); only when the class is
  // opened, never under a moving slider (the grid would jump, and rebuild in the middle of a drag)
  const userKind = useRef<number | null>(null);
  const openedFor = useRef<number | null>(null);
  const chooseKind = (k: ErrorKind) => {
    userKind.current = cls;
    setKind(k);
  };
  const tabs = useRef<Record<ErrorKind, HTMLButtonElement | null>>({ tp: null, fp: null, fn: null });
  const [csvJob, setCsvJob] = useState<CsvJob | null>(null);
  const [csvError, setCsvError] = useState<string | null>(null);

  const sampleCount = dataset ? dataset.train + dataset.test : 0;
  useEffect(() => {
    let live = true;
    setReadError(null);
    listSamples(datasetId)
      .then((list) => live && setById(new Map(list.map((s) => [s.id, s]))))
      .catch((e: unknown) => live && setReadError(e instanceof Error ? e.message : String(e)));
    return () => {
      live = false;
    };
  }, [datasetId, sampleCount]);

  const shapeOk = probs.length === ids.length * numClasses && truth.length === probs.length;
  const threshold = useDeferredValue(thresholds[cls] ?? 0.5);
  const groups = useMemo(
    () => (shapeOk ? errorGroups(probs, truth, ids, cls, threshold, numClasses) : null),
    [shapeOk, probs, truth, ids, cls, threshold, numClasses],
  );
  useEffect(() => {
    if (!groups || openedFor.current === cls) return;
    openedFor.current = cls;
    if (groups[kind].length || userKind.current === cls) return;
    const fullest = ERROR_KINDS.reduce((a, b) => (groups[b].length > groups[a].length ? b : a));
    if (groups[fullest].length) setKind(fullest);
  }, [groups, kind, cls]);
  const group = useMemo(() => groups?.[kind] ?? [], [groups, kind]);
  const listed = useMemo(() => (byId ? group.flatMap((entry) => (byId.has(entry.id) ? [{ entry, sample: byId.get(entry.id)! }] : [])) : []), [group, byId]);
  const shown = useSameList(listed);
  const samples = useMemo(() => shown.map((x) => x.sample), [shown]);
  const { active, setActive, open, openAt, prev, next, close, reset } = useViewerCursor(samples.length);
  const missing = byId ? group.length - shown.length : 0;

  // a new class or group starts with nothing open
  useEffect(() => {
    reset();
  }, [cls, kind, reset]);

  const decor = useCallback(
    (i: number): CellDecor => {
      const p = shown[i].entry.probability;
      return { tone: KIND_TONE[kind], note: p.toFixed(3), title: `${KIND_WORDS[kind].slice(0, -1)}, ${className(cls)} probability ${p.toFixed(4)}` };
    },
    [shown, kind, cls],
  );

  const openEntry = open !== null ? shown[open] : undefined;
  const openRow = openEntry?.entry.row;
  const prediction = useMemo(
    () =>
      openRow === undefined
        ? null
        : { runId, runName, probs: probs.subarray(openRow * numClasses, (openRow + 1) * numClasses), thresholds: [...thresholds], checkpoint: 'last' as const },
    [openRow, runId, runName, probs, numClasses, thresholds],
  );

  // stop a download in the making when the view goes
  const job = useRef<CsvJob | null>(null);
  job.current = csvJob;
  useEffect(() => () => job.current?.abort.abort(), []);

  /** Makes the error list (this class's, or every class's at its threshold) in slices, then starts its download. */
  const downloadList = async (which: 'class' | 'all') => {
    if (job.current) return;
    const t = [...thresholds];
    const lines =
      which === 'class'
        ? errorListLines([errorGroups(probs, truth, ids, cls, t[cls], numClasses)])
        : errorListLines(eachClassErrorGroups(probs, truth, ids, t, numClasses));
    const k = countsAtThresholds(truth, probs, t, numClasses);
    const sizes = (c: number) => k.tp[c] + k.fp[c] + k.fn[c];
    const total = 1 + (which === 'class' ? sizes(cls) : Array.from({ length: numClasses }, (_, c) => sizes(c)).reduce((a, b) => a + b, 0));
    const abort = new AbortController();
    const started: CsvJob = { which, done: 0, total, abort };
    setCsvJob(started);
    setCsvError(null);
    try {
      const parts = await textInSlices(lines, { signal: abort.signal, onProgress: (done) => setCsvJob((j) => (j?.abort === abort ? { ...j, done } : j)) });
      const url = URL.createObjectURL(new Blob(parts, { type: 'text/csv' }));
      downloadUrl(url, errorListFileName(runName, epoch, which === 'class' ? cls : 'all', t));
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (e) {
      if (!abort.signal.aborted) setCsvError(`Could not make the error list: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      setCsvJob((j) => (j?.abort === abort ? null : j));
    }
  };

  const onTabKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const i = ERROR_KINDS.indexOf(kind);
    const to = e.key === 'ArrowRight' ? (i + 1) % 3 : e.key === 'ArrowLeft' ? (i + 2) % 3 : e.key === 'Home' ? 0 : e.key === 'End' ? 2 : -1;
    if (to < 0) return;
    e.preventDefault();
    chooseKind(ERROR_KINDS[to]);
    tabs.current[ERROR_KINDS[to]]?.focus();
  };

  const name = className(cls);
  if (!shapeOk)
    return (
      <section className="error-browser" aria-label="Error browser">
        <h3>Error browser</h3>
        <p role="alert">
          The run&apos;s {ids.length} validation ids do not match its {Math.floor(probs.length / numClasses)} prediction rows: its samples cannot be listed.
        </p>
      </section>
    );
  return (
    <section className="error-browser" aria-label="Error browser" data-testid="error-browser" id={ERROR_BROWSER_ID}>
      <div className="error-browser-head">
        <h3 tabIndex={-1}>Error browser</h3>
        <label>
          Class{' '}
          <select aria-label="Error browser class" value={cls} onChange={(e) => onClass(Number(e.target.value))}>
            {CLASS_NAMES.map((n, c) => (
              <option key={c} value={c}>
                {c} {n}
              </option>
            ))}
          </select>
        </label>
        {onThreshold && (
          <input
            type="range"
            min={0}
            max={1}
            step={0.001}
            value={thresholds[cls] ?? 0.5}
            aria-label={`Error browser threshold of ${name}`}
            title={`${name}'s threshold in force (the same as its row in the table above)`}
            onChange={(e) => onThreshold(cls, Number(e.target.value))}
          />
        )}
        <span className="eval-meta" data-testid="error-threshold">
          threshold {threshold.toFixed(3)} (predicted when p &gt; t)
        </span>
        <button
          type="button"
          data-testid="errors-csv"
          disabled={csvJob !== null}
          title="Id,class,kind,probability: this class's TP, FP and FN rows at its threshold (class by name)"
          onClick={() => void downloadList('class')}
        >
          Download error list (CSV)
        </button>
        <button
          type="button"
          data-testid="errors-csv-all"
          disabled={csvJob !== null}
          title="Id,class,kind,probability: every class's TP, FP and FN rows, each at its own threshold"
          onClick={() => void downloadList('all')}
        >
          Error lists of all classes (CSV)
        </button>
        {csvJob && (
          <span className="eval-meta" role="status" data-testid="errors-csv-progress">
            Making the {csvJob.which === 'all' ? 'all-classes' : name} list: {Math.round((100 * csvJob.done) / csvJob.total)} %{' '}
            <button type="button" onClick={() => csvJob.abort.abort()}>
              Cancel
            </button>
          </span>
        )}
        {csvError && <span role="alert">{csvError}</span>}
      </div>
      <div className="error-tabs" role="tablist" aria-label={`Validation samples of ${name}`} onKeyDown={onTabKey}>
        {ERROR_KINDS.map((k) => (
          <button
            key={k}
            ref={(el) => {
              tabs.current[k] = el;
            }}
            type="button"
            role="tab"
            id={`errors-tab-${k}`}
            aria-selected={k === kind}
            aria-controls="errors-panel"
            className={`error-tab ${k}${k === kind ? ' selected' : ''}`}
            data-testid={`errors-tab-${k}`}
            onClick={() => chooseKind(k)}
          >
            {KIND_TITLE[k]}{' '}
            <span className="error-count" data-testid={`errors-count-${k}`}>
              {groups ? groups[k].length : 0}
            </span>
          </button>
        ))}
      </div>
      <div className="error-panel" role="tabpanel" id="errors-panel" aria-labelledby={`errors-tab-${kind}`}>
        <p className="eval-meta">
          {group.length} {KIND_WORDS[kind]} of {name}, {KIND_ORDER[kind]}; the number on each is its {name} probability. Click one (or press Enter) to view it
          with this class&apos;s activation map; ← → in the viewer walk this list.
          {missing > 0 && ` ${missing} of them are no longer stored in the dataset and are not shown (the CSV lists them).`}
        </p>
        {readError ? (
          <p role="alert">Could not read the samples of this run&apos;s dataset: {readError}</p>
        ) : !dataset ? (
          <p>This run&apos;s dataset is no longer stored in this browser: the groups are counted and downloadable, but have no thumbnails.</p>
        ) : (
          <SampleGrid
            samples={samples}
            decor={decor}
            label={`${KIND_TITLE[kind]} of ${name}`}
            idPrefix="errors-cell"
            testId="errors-grid"
            emptyText={byId ? `No ${KIND_WORDS[kind]} of ${name} at this threshold.` : 'Loading samples…'}
            loader={loader}
            thumbSize={thumbSize}
            activeIndex={active}
            onActiveChange={setActive}
            onOpen={openAt}
          />
        )}
      </div>
      {openEntry && dataset && (
        <SampleViewer
          sample={openEntry.sample}
          resolution={dataset.resolution}
          reader={reader}
          position={`${open! + 1} of ${shown.length} ${KIND_WORDS[kind]} of ${name}`}
          onClose={close}
          onPrev={prev}
          onNext={next}
          prediction={prediction}
          camClass={cls}
          camRunId={runId}
        />
      )}
    </section>
  );
});
