import { useCallback, useEffect, useMemo, useState } from 'react';
import { useViewerCursor } from './useViewerCursor';
import { classCounts, classCountsBySplit, cooccurrence } from '../../core/cooccurrence';
import { className, NUM_CLASSES } from '../../core/labels';
import { predictionKey } from '../../core/predictionResult';
import { getPrediction, listSamples, type DatasetRecord, type SampleRecord } from '../../data/catalog';
import { useStudio } from '../store';
import { thresholdsOf } from '../store/thresholdsSlice';
import { ClassDistributionChart } from './ClassDistributionChart';
import { CooccurrenceHeatmap } from './CooccurrenceHeatmap';
import { ExplorerFilters } from './ExplorerFilters';
import { filterSamples, NO_FILTER, type SampleFilter } from './filter';
import { SampleGrid, type CellDecor } from './SampleGrid';
import {
  confidenceOf,
  joinPredictionRows,
  predictedLabels,
  predictionTone,
  rowProbs,
  TONE_TEXT,
  type Predictions,
  type PredictionRows,
} from './samplePredictions';
import { SampleViewer } from './SampleViewer';
import { useThumbnails } from './useThumbnails';
import './explorer.css';

/** A run's stored test prediction (the Predict area's, for this run alone). */
interface TestPrediction extends PredictionRows {
  runId: string;
  checkpoint: 'best' | 'last';
  epoch: number;
}

const thresholdsText = (t: readonly number[]) => (t.every((v) => v === t[0]) ? `${t[0]} for every class` : 'per class');

/** Train samples first, then test; by id within a split. */
function orderSamples(samples: SampleRecord[]): SampleRecord[] {
  const rank = (s: SampleRecord) => (s.split === 'train' ? 0 : 1);
  return samples.sort((a, b) => rank(a) - rank(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The dataset Explorer: filters, a windowed thumbnail grid, a sample viewer, class counts and co-occurrence. */
export function Explorer({ dataset, headerRunId = null }: { dataset: DatasetRecord; headerRunId?: string | null }) {
  const [all, setAll] = useState<SampleRecord[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [filter, setFilter] = useState<SampleFilter>(NO_FILTER);
  // undefined until the user picks (null is their "none"): until then the predictions are the header's run's
  const [pickedRunId, setPredRunId] = useState<string | null | undefined>(undefined);
  const predRunId = pickedRunId === undefined ? headerRunId : pickedRunId;
  const [testPred, setTestPred] = useState<TestPrediction | null>(null);
  const { id, resolution, status, train, test, hasTestLabels } = dataset;
  const { reader, loader, thumbSize } = useThumbnails(dataset);
  const runs = useStudio((s) => s.runs);
  const thresholdsByRun = useStudio((s) => s.thresholdsByRun);

  // The sample list (re-read while an import adds samples).
  useEffect(() => {
    let live = true;
    setLoadError(null);
    listSamples(id)
      .then((s) => live && setAll(orderSamples(s)))
      .catch((e: unknown) => live && setLoadError(e instanceof Error ? e.message : String(e)));
    return () => {
      live = false;
    };
  }, [id, status, train, test]);

  // The runs whose predictions can colour the grid: this dataset's, with validation probabilities.
  const predRuns = useMemo(
    () => runs.filter((r) => r.datasetId === id && r.valProbs && r.valTruth && r.valIds.length && r.valProbs.length === r.valIds.length * NUM_CLASSES),
    [runs, id],
  );
  const predRun = predRuns.find((r) => r.id === predRunId) ?? null;
  // its stored test prediction, when the Predict area made one for this run alone
  useEffect(() => {
    setTestPred(null);
    if (!predRunId) return;
    let live = true;
    getPrediction(predictionKey(id, [predRunId]))
      .then((rec) => {
        const m = rec?.result.members.find((x) => x.runId === predRunId);
        if (live && rec && m && m.testProbs.length === rec.result.testIds.length * NUM_CLASSES)
          setTestPred({ runId: predRunId, ids: rec.result.testIds, probs: m.testProbs, checkpoint: m.checkpoint, epoch: m.epoch });
      })
      .catch(() => {}); // no stored prediction to read: validation rows only
    return () => {
      live = false;
    };
  }, [id, predRunId]);
  const table = useMemo(() => {
    if (!predRun) return null;
    const test = testPred?.runId === predRun.id ? [testPred] : [];
    return joinPredictionRows([{ ids: predRun.valIds, probs: predRun.valProbs! }, ...test], NUM_CLASSES);
  }, [predRun, testPred]);
  const thresholds = thresholdsOf(thresholdsByRun, predRun?.id);
  const predictions: Predictions | null = useMemo(
    () =>
      predRun && table
        ? { runId: predRun.id, runName: predRun.name, numClasses: NUM_CLASSES, probs: table.probs, rows: table.rows, thresholds, testTruth: hasTestLabels }
        : null,
    [predRun, table, thresholds, hasTestLabels],
  );

  const samples = useMemo(() => (all ? filterSamples(all, filter, predictions) : []), [all, filter, predictions]);
  const { active, setActive, open, openAt, prev, next, close, reset } = useViewerCursor(samples.length);
  const scoped = useMemo(() => (all ? filterSamples(all, { ...NO_FILTER, split: filter.split }) : []), [all, filter.split]);
  const stats = useMemo(() => {
    const lists = scoped.map((s) => s.labels);
    return { counts: classCounts(lists), matrix: cooccurrence(lists), bySplit: classCountsBySplit(scoped) };
  }, [scoped]);

  const changeFilter = useCallback(
    (f: SampleFilter) => {
      setFilter(f);
      reset();
    },
    [reset],
  );
  const toggleClass = useCallback(
    (c: number) =>
      changeFilter({ ...filter, classes: filter.classes.includes(c) ? filter.classes.filter((x) => x !== c) : [...filter.classes, c].sort((a, b) => a - b) }),
    [filter, changeFilter],
  );
  const pickPair = useCallback(
    (a: number, b: number) => changeFilter({ ...filter, classes: a === b ? [a] : [Math.min(a, b), Math.max(a, b)], match: 'all' }),
    [filter, changeFilter],
  );
  const chooseRun = useCallback(
    (runId: string | null) => {
      setPredRunId(runId);
      // the prediction filters belong to the predictions: a new choice starts without them
      changeFilter({ ...filter, predicted: null, agreement: 'any', confidence: NO_FILTER.confidence });
    },
    [filter, changeFilter],
  );
  const decor = useCallback(
    (i: number): CellDecor | undefined => {
      const row = predictions?.rows.get(samples[i].id);
      if (!predictions || row === undefined) return undefined;
      const tone = predictionTone(predictions, row, samples[i]);
      const conf = confidenceOf(predictions, row, filter.predicted);
      const predicted = predictedLabels(predictions, row);
      return {
        tone: tone === 'unknown' ? undefined : tone,
        note: conf.toFixed(2),
        title: `prediction: ${TONE_TEXT[tone]}; predicted ${predicted.length ? predicted.map(className).join(', ') : 'nothing'}; ${
          filter.predicted === null ? 'highest probability' : `${className(filter.predicted)} probability`
        } ${conf.toFixed(3)}`,
      };
    },
    [predictions, samples, filter.predicted],
  );

  // the open sample's prediction, one object per sample (the viewer's panels key their work on it)
  const openId = open !== null ? samples[open]?.id : undefined;
  const viewerPrediction = useMemo(() => {
    const row = openId !== undefined ? predictions?.rows.get(openId) : undefined;
    if (!predictions || !table || row === undefined) return null;
    // validation rows (the first source) are the run's newest epoch's; test rows its stored prediction's
    const checkpoint = row < table.ends[0] ? 'last' : (testPred?.checkpoint ?? 'best');
    return { runId: predictions.runId, runName: predictions.runName, probs: rowProbs(predictions, row), thresholds: [...predictions.thresholds], checkpoint };
  }, [predictions, table, testPred, openId]);

  if (loadError)
    return (
      <p className="explorer-error" role="alert">
        Could not read the samples of {dataset.name}: {loadError}
      </p>
    );
  if (!all) return <p data-testid="explorer-loading">Loading samples…</p>;

  const openSample = open !== null ? samples[open] : undefined;
  const predictionNote = predRun
    ? `${predRun.name}: ${predRun.valIds.length.toLocaleString('en-US')} validation rows (its last epoch)${
        testPred?.runId === predRun.id
          ? ` and ${testPred.ids.length.toLocaleString('en-US')} test rows (its stored prediction, ${testPred.checkpoint} checkpoint, epoch ${testPred.epoch}${hasTestLabels ? '' : '; no test truth, so they are never errors'})`
          : '; predict the test set in Predict to add its rows'
      }. Thresholds in force: ${thresholdsText(thresholds)} (set in Evaluate). The number on a thumbnail is ${
        filter.predicted === null ? 'its highest class probability' : `its ${className(filter.predicted)} probability`
      }. Samples without a prediction show no frame, and are hidden while a prediction filter is on.`
    : null;
  const scope = filter.split === 'all' ? 'all splits' : `${filter.split} split`;
  return (
    <div className="explorer" data-testid="explorer">
      <p className="explorer-summary">
        {train.toLocaleString('en-US')} train · {test.toLocaleString('en-US')} test · {resolution}×{resolution} px
        {status !== 'ready' && <span className="explorer-status"> ({status})</span>}
      </p>
      <ExplorerFilters
        filter={filter}
        onChange={changeFilter}
        shown={samples.length}
        total={all.length}
        counts={stats.counts}
        prediction={{ runs: predRuns, runId: predRun?.id ?? null, onRun: chooseRun, note: predictionNote }}
      />
      <div className="explorer-body">
        <SampleGrid
          samples={samples}
          decor={predictions ? decor : undefined}
          loader={loader}
          thumbSize={thumbSize}
          activeIndex={active}
          onActiveChange={setActive}
          onOpen={openAt}
        />
        <div className="explorer-charts">
          <ClassDistributionChart counts={stats.counts} bySplit={stats.bySplit} selected={filter.classes} onToggleClass={toggleClass} scope={scope} />
          <CooccurrenceHeatmap matrix={stats.matrix} onPickPair={pickPair} />
        </div>
      </div>
      {openSample && (
        <SampleViewer
          sample={openSample}
          resolution={resolution}
          reader={reader}
          position={`${(open! + 1).toLocaleString('en-US')} of ${samples.length.toLocaleString('en-US')}`}
          onClose={close}
          onPrev={prev}
          onNext={next}
          prediction={viewerPrediction}
          camRunId={predictions?.runId}
          camClass={filter.predicted ?? undefined}
        />
      )}
    </div>
  );
}
