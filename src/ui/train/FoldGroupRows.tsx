import type { FoldGroupRecord, RunRecord } from '../../data/catalog';
import type { EpochLogs } from '../../worker/protocol';
import { useStudio } from '../store';

const bestF1 = (r: RunRecord) => Math.max(0, ...(r.history as unknown as EpochLogs[]).map((h) => h.valMacroF1));

/** A K-fold group's row in the Runs table and its folds beneath it (each fold a run of its own). */
export function FoldGroupRows({
  group,
  runs,
  onEvaluate,
  evaluating,
}: {
  group: FoldGroupRecord;
  runs: readonly RunRecord[];
  onEvaluate: (id: string) => void;
  evaluating: string | null;
}) {
  const resumeFoldGroup = useStudio((s) => s.resumeFoldGroup);
  const removeFoldGroup = useStudio((s) => s.removeFoldGroup);
  const busy = useStudio((s) => s.live !== null && s.live.phase !== 'ended');
  const folds = group.members.map((m) => ({ m, run: runs.find((r) => r.id === m.runId) }));
  const done = group.members.filter((m) => m.status === 'done').length;
  const bests = folds.filter((f) => f.run && f.run.history.length).map((f) => bestF1(f.run!));
  const next = folds.find((f) => f.m.status !== 'done');
  const from =
    next?.run && next.run.checkpointEpoch > 0 ? ` (Fold ${next.m.fold} from epoch ${next.run.checkpointEpoch})` : next ? ` (Fold ${next.m.fold})` : '';
  const evaluable = folds.some((f) => f.run?.valProbs);
  return (
    <>
      <tr data-testid="group-row" className={`group-row${evaluating === group.id ? ' selected' : ''}`}>
        <td className="run-name" title={`${group.folds}-fold split, folds ${group.members.map((m) => m.fold).join(', ')}; one recipe and seed`}>
          {group.name}
        </td>
        <td>{group.datasetName}</td>
        <td data-testid="group-status">
          {group.status} · {done}/{group.members.length} folds done{group.message ? ` (${group.message})` : ''}
        </td>
        <td>–</td>
        <td title="the mean of the folds' best validation macro F1">
          {bests.length ? `mean ${(bests.reduce((a, b) => a + b, 0) / bests.length).toFixed(4)}` : '–'}
        </td>
        <td className="actions">
          {(group.status === 'interrupted' || group.status === 'stopped' || group.status === 'failed') && next && (
            <button disabled={busy} onClick={() => resumeFoldGroup(group.id)} data-testid="resume-group">
              Resume group{from}
            </button>
          )}
          {evaluable && (
            <button onClick={() => onEvaluate(group.id)} data-testid="evaluate-group">
              Evaluate group
            </button>
          )}
          <button disabled={group.status === 'running'} onClick={() => void removeFoldGroup(group.id)}>
            Delete group
          </button>
        </td>
      </tr>
      {folds.map(({ m, run }) => (
        <tr key={m.runId} data-testid="fold-row" className={`fold-row${evaluating === m.runId ? ' selected' : ''}`}>
          <td className="run-name fold-name">↳ Fold {m.fold}</td>
          <td />
          <td data-testid="fold-status">
            {run && m.status !== 'pending' ? run.status : m.status}
            {run?.message ? ` (${run.message})` : ''}
          </td>
          <td>{run ? run.history.length : 0}</td>
          <td>{run?.history.length ? bestF1(run).toFixed(4) : '–'}</td>
          <td className="actions">{run?.valProbs && <button onClick={() => onEvaluate(run.id)}>Evaluate</button>}</td>
        </tr>
      ))}
    </>
  );
}
