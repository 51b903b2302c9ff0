import { memo, useCallback, useDeferredValue, useMemo } from 'react';
import { useStudio } from '../store';
import { thresholdsOf } from '../store/thresholdsSlice';
import { navigate } from '../workspace/useRoute';
import { EmptyState } from '../workspace/EmptyState';
import { EvaluationView } from './EvaluationView';
import { FoldGroupEvaluation } from './FoldGroupEvaluation';
import { isFoldGroupId } from '../train/foldGroupRuns';

// memo: the live run re-renders the store on every progress message; the view only when its data changes
const MemoEvaluationView = memo(EvaluationView);
const EMPTY_EVAL = { probs: new Float32Array(0), truth: new Uint8Array(0) };

/** The Evaluate area: the chosen run's validation predictions, the live run's latest epoch, or a K-fold group's out-of-fold evaluation. */
export function EvaluatePanel({ runId }: { runId: string | null }) {
  const group = useStudio((s) => (isFoldGroupId(runId) ? s.foldGroups.some((g) => g.id === runId) : false));
  return group ? <FoldGroupEvaluation groupId={runId!} /> : <RunEvaluation runId={runId} />;
}

/** One run's evaluation: its stored validation predictions, or the live run's latest epoch. */
function RunEvaluation({ runId }: { runId: string | null }) {
  const runs = useStudio((s) => s.runs);
  const liveId = useStudio((s) => s.live?.runId ?? null);
  const liveName = useStudio((s) => s.live?.name);
  const liveProbs = useStudio((s) => s.live?.valProbs ?? null);
  const liveTruth = useStudio((s) => s.live?.valTruth ?? null);
  const liveActive = useStudio((s) => s.live !== null && s.live.phase !== 'ended');
  const liveEpochs = useStudio((s) => s.live?.epochs.length ?? 0);
  const stored = runs.find((r) => r.id === runId && r.valProbs && r.valTruth);
  // the live run's figures while it trains (and after, until the stored record has them)
  const showLive = !stored && (runId === null || runId === liveId);
  // the run on show: its thresholds in force are kept in the store (and across reloads)
  const shownId = stored ? stored.id : showLive ? liveId : null;
  const record = runs.find((r) => r.id === shownId);
  const thresholds = useStudio((s) => thresholdsOf(s.thresholdsByRun, shownId));
  const setRunThresholds = useStudio((s) => s.setRunThresholds);
  const onThresholdsChange = useCallback(
    (t: number[]) => {
      if (shownId) setRunThresholds(shownId, t);
    },
    [shownId, setRunThresholds],
  );
  const data = useMemo(
    () =>
      stored
        ? { probs: stored.valProbs!, truth: stored.valTruth! }
        : showLive && liveProbs && liveTruth
          ? { probs: liveProbs, truth: liveTruth }
          : showLive && liveActive
            ? EMPTY_EVAL // mounted (empty) when a run starts, so its charts are not first drawn mid-training
            : null,
    [stored, showLive, liveProbs, liveTruth, liveActive],
  );
  // rendered from a deferred value: React draws it in interruptible background work, so a new
  // epoch's evaluation never blocks the main thread in one long task
  const deferred = useDeferredValue(data, null);
  // the error browser needs the rows' sample ids: the run's record has them from its start
  const rows = deferred ? deferred.probs.length / 28 : 0;
  const errors = useMemo(
    () =>
      record && rows > 0 && record.valIds.length === rows
        ? {
            runId: record.id,
            runName: record.name,
            datasetId: record.datasetId,
            ids: record.valIds,
            epoch: (stored ? record.history.length : liveEpochs) || null,
          }
        : undefined,
    [record, rows, stored, liveEpochs],
  );
  if (!deferred) {
    // the newest finished run: most likely the one just trained
    const newest = runs.filter((r) => r.valProbs && r.group === null).at(-1);
    return (
      <EmptyState
        title="Nothing to evaluate yet"
        action={newest ? `Evaluate ${newest.name}` : 'Go to Train'}
        onAction={() => (newest ? navigate({ run: newest.id }, 'replace') : navigate({ tab: 'train' }))}
      >
        {runId && !runs.some((r) => r.id === runId)
          ? 'The run in the address is not stored in this browser. '
          : 'Evaluation shows a run’s validation predictions: per-class F1, thresholds, precision–recall and confusions. '}
        {newest ? 'Choose a run in the header, or:' : 'Train a run first; its first epoch fills this view.'}
      </EmptyState>
    );
  }
  const title = stored ? stored.name : deferred === EMPTY_EVAL ? `${liveName} (after the first epoch)` : `${liveName} (latest epoch)`;
  return (
    <section className="panel" aria-label="Evaluation">
      <h2>Evaluation — {title}</h2>
      <MemoEvaluationView
        probs={deferred.probs}
        truth={deferred.truth}
        numClasses={28}
        thresholds={thresholds}
        onThresholdsChange={onThresholdsChange}
        errors={errors}
      />
    </section>
  );
}
