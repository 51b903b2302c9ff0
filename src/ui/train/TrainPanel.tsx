import { useMemo, useState } from 'react';
import type { DatasetRecord, FoldGroupRecord, RunRecord } from '../../data/catalog';
import type { EpochLogs, RunConfig } from '../../worker/protocol';
import { describeRecipe, describeTransfer } from '../store/runsSlice';
import { useStudio } from '../store';
import { LiveRunView } from './LiveRun';
import { runsToList } from './lessonRuns';
import { RunSetup } from './RunSetup';
import { FoldGroupProgress } from './FoldGroupProgress';
import { FoldGroupRows } from './FoldGroupRows';
import { isFoldRun } from './foldGroupRuns';
import { navigate, useRoute } from '../workspace/useRoute';
import './train.css';

const bestF1 = (r: RunRecord) => Math.max(0, ...(r.history as unknown as EpochLogs[]).map((h) => h.valMacroF1));

function RunsList({
  runs,
  allRuns,
  groups,
  onEvaluate,
  evaluating,
}: {
  runs: RunRecord[];
  /** every stored run: a group's folds are found among them */
  allRuns: RunRecord[];
  groups: FoldGroupRecord[];
  onEvaluate: (id: string) => void;
  evaluating: string | null;
}) {
  const resumeInterrupted = useStudio((s) => s.resumeInterrupted);
  const resumeOn = useStudio((s) => s.resumeRunOn);
  const removeRun = useStudio((s) => s.removeRun);
  const busy = useStudio((s) => s.live !== null && s.live.phase !== 'ended');
  const elsewhere = useStudio((s) => s.holdsElsewhere);
  if (!runs.length && !groups.length) return null;
  const inAnotherTab = (r: RunRecord) => Object.values(elsewhere).some((h) => h.runId === r.id);
  // runs and groups in the order they started; a group's folds sit beneath it
  const rows = [
    ...runs.filter((r) => !isFoldRun(r)).map((r) => ({ at: r.createdAt, run: r, group: null })),
    ...groups.map((g) => ({ at: g.createdAt, run: null, group: g })),
  ].sort((a, b) => a.at - b.at);
  const runRow = (r: RunRecord) => (
    <tr key={r.id} data-testid="run-row" className={evaluating === r.id ? 'selected' : undefined}>
      <td
        className="run-name"
        title={[describeRecipe(r.config as unknown as RunConfig), describeTransfer(r.config as unknown as RunConfig)].filter(Boolean).join('\n')}
      >
        {r.name}
      </td>
      <td>{r.datasetName}</td>
      <td data-testid="run-status">
        {r.status}
        {inAnotherTab(r) ? ' (in another tab of this studio)' : r.message ? ` (${r.message})` : ''}
      </td>
      <td>{r.history.length}</td>
      <td>{r.history.length ? bestF1(r).toFixed(4) : '–'}</td>
      <td className="actions">
        {r.status === 'interrupted' && r.checkpointEpoch > 0 && (
          <button disabled={busy} onClick={() => resumeInterrupted(r.id)} data-testid="resume-interrupted">
            Resume from epoch {r.checkpointEpoch}
          </button>
        )}
        {r.status === 'failed' &&
          r.checkpointEpoch > 0 &&
          r.resumeOn?.map((b) => (
            <button key={b} disabled={busy || inAnotherTab(r)} onClick={() => resumeOn(r.id, b)} data-testid={`run-resume-on-${b}`}>
              Resume on {b}
            </button>
          ))}
        {r.valProbs && <button onClick={() => onEvaluate(r.id)}>Evaluate</button>}
        <button disabled={(busy && r.status === 'running') || inAnotherTab(r)} onClick={() => void removeRun(r.id)}>
          Delete
        </button>
      </td>
    </tr>
  );
  return (
    <table className="runs-table" data-testid="runs-table">
      <thead>
        <tr>
          <th>Run</th>
          <th>Dataset</th>
          <th>Status</th>
          <th>Epochs</th>
          <th>Best val macro F1</th>
          <th>
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) =>
          row.group ? <FoldGroupRows key={row.group.id} group={row.group} runs={allRuns} onEvaluate={onEvaluate} evaluating={evaluating} /> : runRow(row.run!),
        )}
      </tbody>
    </table>
  );
}

/** The Train area: run setup, the live run, and the stored runs. */
export function TrainPanel({ dataset }: { dataset: DatasetRecord | undefined }) {
  const runs = useStudio((s) => s.runs);
  const route = useRoute();
  const [showLessonRuns, setShowLessonRuns] = useState(false);
  const groups = useStudio((s) => s.foldGroups);
  const listed = useMemo(() => runsToList(runs, showLessonRuns), [runs, showLessonRuns]);
  return (
    <>
      <section className="panel" aria-label="Train">
        <h2>Train{dataset ? ` on ${dataset.name}` : ''}</h2>
        <RunSetup dataset={dataset} />
        <FoldGroupProgress />
        <LiveRunView />
      </section>
      {(runs.length > 0 || groups.length > 0) && (
        <section className="panel" aria-label="Runs">
          <h2>Runs</h2>
          {listed.lessonRuns > 0 && (
            <label className="hint">
              <input type="checkbox" checked={showLessonRuns} onChange={(e) => setShowLessonRuns(e.target.checked)} /> Show lesson runs ({listed.lessonRuns})
            </label>
          )}
          <RunsList runs={listed.shown} allRuns={runs} groups={groups} onEvaluate={(run) => navigate({ tab: 'evaluate', run })} evaluating={route.run} />
        </section>
      )}
    </>
  );
}
