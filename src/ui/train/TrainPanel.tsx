import { memo, useDeferredValue, useEffect, useMemo, useState } from 'react';
import type { DatasetRecord, RunRecord } from '../../data/catalog';
import type { EpochLogs, RunConfig } from '../../worker/protocol';
import { EvaluationView } from '../evaluation/EvaluationView';
import { LossLesson } from '../lesson/LossLesson';
import { RunsCompare } from '../runs/RunsCompare';
import { describeRecipe } from '../store/runsSlice';
import { useStudio } from '../store';
import { LiveRunView } from './LiveRun';
import { runsToList } from './lessonRuns';
import { RunSetup } from './RunSetup';
import './train.css';

// memo: the panel re-renders on every progress message; these heavy views only when their data changes
const MemoEvaluationView = memo(EvaluationView);
const MemoRunsCompare = memo(RunsCompare);
const EMPTY_EVAL = { probs: new Float32Array(0), truth: new Uint8Array(0) };

const bestF1 = (r: RunRecord) => Math.max(0, ...(r.history as unknown as EpochLogs[]).map((h) => h.valMacroF1));
const lastPerClass = (r: RunRecord) => ((r.history as unknown as EpochLogs[]).at(-1)?.valPerClassF1 ?? []) as number[];

function RunsList({ runs, onEvaluate, evaluating }: { runs: RunRecord[]; onEvaluate: (id: string) => void; evaluating: string | null }) {
  const resumeInterrupted = useStudio((s) => s.resumeInterrupted);
  const removeRun = useStudio((s) => s.removeRun);
  const busy = useStudio((s) => s.live !== null && s.live.phase !== 'ended');
  if (!runs.length) return null;
  return (
    <table className="runs-table" data-testid="runs-table">
      <thead>
        <tr>
          <th>Run</th>
          <th>Dataset</th>
          <th>Status</th>
          <th>Epochs</th>
          <th>Best val macro F1</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {runs.map((r) => (
          <tr key={r.id} data-testid="run-row" className={evaluating === r.id ? 'selected' : undefined}>
            <td title={describeRecipe(r.config as unknown as RunConfig)}>{r.name}</td>
            <td>{r.datasetName}</td>
            <td data-testid="run-status">
              {r.status}
              {r.message ? ` (${r.message})` : ''}
            </td>
            <td>{r.history.length}</td>
            <td>{r.history.length ? bestF1(r).toFixed(4) : '–'}</td>
            <td className="actions">
              {r.status === 'interrupted' && r.checkpointEpoch > 0 && (
                <button disabled={busy} onClick={() => resumeInterrupted(r.id)} data-testid="resume-interrupted">
                  Resume from epoch {r.checkpointEpoch}
                </button>
              )}
              {r.valProbs && <button onClick={() => onEvaluate(r.id)}>Evaluate</button>}
              <button disabled={busy && r.status === 'running'} onClick={() => void removeRun(r.id)}>
                Delete
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Training: run setup, the live run, evaluation, stored runs and their comparison, the lesson. */
export function TrainPanel({ dataset }: { dataset: DatasetRecord | undefined }) {
  const refreshRuns = useStudio((s) => s.refreshRuns);
  const liveName = useStudio((s) => s.live?.name);
  const liveProbs = useStudio((s) => s.live?.valProbs ?? null);
  const liveTruth = useStudio((s) => s.live?.valTruth ?? null);
  const runs = useStudio((s) => s.runs);
  const [evaluating, setEvaluating] = useState<string | null>(null);
  const [showLessonRuns, setShowLessonRuns] = useState(false);
  const listed = useMemo(() => runsToList(runs, showLessonRuns), [runs, showLessonRuns]);
  useEffect(() => {
    void refreshRuns();
  }, [refreshRuns]);
  const evalRun = evaluating ? runs.find((r) => r.id === evaluating) : undefined;
  const liveActive = useStudio((s) => s.live !== null && s.live.phase !== 'ended');
  const evalData = useMemo(
    () =>
      evalRun?.valProbs && evalRun.valTruth
        ? { probs: evalRun.valProbs, truth: evalRun.valTruth }
        : liveProbs && liveTruth
          ? { probs: liveProbs, truth: liveTruth }
          : liveActive
            ? EMPTY_EVAL // mounted (empty) when a run starts, so its charts are not first drawn mid-training
            : null,
    [evalRun, liveProbs, liveTruth, liveActive],
  );
  // Heavy views render from deferred values: React renders them in interruptible background work,
  // so a new epoch's evaluation never blocks the main thread in one long task.
  const deferredEval = useDeferredValue(evalData, null);
  const compareRuns = useMemo(
    () =>
      listed.shown
        .filter((r) => r.history.length > 0)
        .map((r) => ({
          id: r.id,
          name: r.name,
          config: r.config,
          history: (r.history as unknown as EpochLogs[]).map((h) => ({
            epoch: h.epoch,
            loss: h.loss,
            valLoss: h.valLoss,
            valMacroF1: h.valMacroF1,
            lr: h.learningRate,
          })),
          perClassF1: lastPerClass(r),
        })),
    [listed],
  );
  const deferredCompare = useDeferredValue(compareRuns, []);
  return (
    <>
      <section className="panel" aria-label="Train">
        <h2>Train{dataset ? ` on ${dataset.name}` : ''}</h2>
        <RunSetup dataset={dataset} />
        <LiveRunView />
      </section>
      {deferredEval && (
        <section className="panel" aria-label="Evaluation">
          <h2>Evaluation — {evalRun ? evalRun.name : deferredEval === EMPTY_EVAL ? `${liveName} (after the first epoch)` : `${liveName} (latest epoch)`}</h2>
          <MemoEvaluationView probs={deferredEval.probs} truth={deferredEval.truth} numClasses={28} />
        </section>
      )}
      {runs.length > 0 && (
        <section className="panel" aria-label="Runs">
          <h2>Runs</h2>
          {listed.lessonRuns > 0 && (
            <label className="hint">
              <input type="checkbox" checked={showLessonRuns} onChange={(e) => setShowLessonRuns(e.target.checked)} /> Show lesson runs ({listed.lessonRuns})
            </label>
          )}
          <RunsList runs={listed.shown} onEvaluate={setEvaluating} evaluating={evaluating} />
          {deferredCompare.length >= 2 && <MemoRunsCompare runs={deferredCompare} />}
        </section>
      )}
      <LossLesson dataset={dataset} />
    </>
  );
}
