import { memo, useDeferredValue, useMemo, useState } from 'react';
import type { RunRecord } from '../../data/catalog';
import type { EpochLogs } from '../../worker/protocol';
import { useStudio } from '../store';
import { navigate } from '../workspace/useRoute';
import { EmptyState } from '../workspace/EmptyState';
import { RunsCompare } from './RunsCompare';
import { runsToList } from '../train/lessonRuns';

const MemoRunsCompare = memo(RunsCompare);
const lastPerClass = (r: RunRecord) => ((r.history as unknown as EpochLogs[]).at(-1)?.valPerClassF1 ?? []) as number[];

/** The Compare area: every stored run with at least one epoch, curves overlaid and recipes diffed. */
export function ComparePanel() {
  const runs = useStudio((s) => s.runs);
  const [showLessonRuns, setShowLessonRuns] = useState(false);
  const listed = useMemo(() => runsToList(runs, showLessonRuns), [runs, showLessonRuns]);
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
            phase: h.phase,
            phaseName: h.phaseName,
          })),
          perClassF1: lastPerClass(r),
        })),
    [listed],
  );
  const deferred = useDeferredValue(compareRuns, []);
  const lessonToggle = listed.lessonRuns > 0 && (
    <label className="hint">
      <input type="checkbox" checked={showLessonRuns} onChange={(e) => setShowLessonRuns(e.target.checked)} /> Show lesson runs ({listed.lessonRuns})
    </label>
  );
  if (compareRuns.length < 2)
    return (
      <EmptyState title="Two runs to compare" action="Go to Train" onAction={() => navigate({ tab: 'train' })}>
        {compareRuns.length === 1 ? 'One run has finished an epoch so far.' : 'No run has finished an epoch yet.'} The comparison overlays the curves of two or
        more runs and shows how their recipes and per-class F1 differ.
      </EmptyState>
    );
  return (
    <section className="panel" aria-label="Runs comparison">
      <h2>Compare runs</h2>
      {lessonToggle}
      {deferred.length >= 2 && <MemoRunsCompare runs={deferred} />}
    </section>
  );
}
