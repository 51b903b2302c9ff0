import { fmtDuration } from '../format';
import { useStudio } from '../store';
import { groupEta } from './foldGroupEta';

/** One progress line for the K-fold group in flight: which fold of how many, the fold's epoch, the group's ETA; pause, resume and stop for the group. */
export function FoldGroupProgress() {
  const group = useStudio((s) => s.foldGroups.find((g) => g.status === 'running') ?? null);
  const live = useStudio((s) => s.live);
  const pause = useStudio((s) => s.pauseRun);
  const resume = useStudio((s) => s.resumeRun);
  const stop = useStudio((s) => s.stopFoldGroup);
  if (!group) return null;
  const at = group.members.findIndex((m) => m.status === 'running');
  const member = at >= 0 ? group.members[at] : null;
  const mine = live && member && live.runId === member.runId ? live : null;
  const training = mine !== null && mine.phase !== 'ended';
  const epoch = mine?.progress?.epoch ?? null;
  const total = mine?.info?.totalEpochs ?? null;
  const eta = mine?.paused
    ? 'paused'
    : (() => {
        const s = groupEta({
          members: group.members,
          current: mine ? { elapsed: (Date.now() - mine.startedAt) / 1000, eta: mine.eta.seconds } : null,
        });
        return s === null ? 'estimating…' : fmtDuration(s);
      })();
  const done = group.members.filter((m) => m.status === 'done').length;
  return (
    <div className="fold-group-progress live-stats" data-testid="group-progress" role="status" aria-label="K-fold group">
      <strong>{group.name}</strong>
      <span data-testid="group-position">
        fold {at + 1} of {group.members.length}
        {member ? ` (Fold ${member.fold})` : ''}
        {epoch !== null && total !== null ? ` · epoch ${epoch}/${total}` : ''}
        {mine?.info && mine.info.startEpoch > 1 ? ` · resumed after epoch ${mine.info.startEpoch - 1}` : ''}
      </span>
      <progress max={group.members.length} value={done} aria-label="Folds done" />
      <span data-testid="group-eta">group ETA {eta}</span>
      <span className="live-controls">
        {mine?.paused ? (
          <button onClick={resume} data-testid="group-resume">
            Resume group
          </button>
        ) : (
          <button onClick={pause} data-testid="group-pause" disabled={!training || mine?.phase !== 'training'}>
            Pause group
          </button>
        )}
        <button onClick={() => stop(group.id)} data-testid="group-stop">
          Stop group
        </button>
      </span>
    </div>
  );
}
