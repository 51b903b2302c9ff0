import { useStudio } from '../store';
import { navigate } from './useRoute';
import type { Route } from './route';

/** The run training now, seen from every area: its name, state and epoch. */
function LiveChip() {
  const live = useStudio((s) => s.live);
  if (!live) return null;
  const state =
    live.phase === 'ended'
      ? (live.status ?? 'ended')
      : live.paused
        ? 'paused'
        : live.pausing
          ? 'pausing…'
          : live.phase === 'training'
            ? `epoch ${live.progress?.epoch ?? (live.info?.startEpoch ?? 0) + 1}/${live.info?.totalEpochs ?? '?'}`
            : 'preparing…';
  return (
    <span className={`live-chip ${live.phase === 'ended' ? 'ended' : 'active'}`} data-testid="live-chip" role="status">
      {live.phase === 'ended' ? 'Last run' : 'Training'}: {live.name} · <span data-testid="live-chip-state">{state}</span>
    </span>
  );
}

/** The dataset and run every area works on, always in view and changeable from any area. */
export function ContextBar({ route }: { route: Route }) {
  const datasets = useStudio((s) => s.datasets);
  const selected = useStudio((s) => s.selectedDatasetId);
  const selectDataset = useStudio((s) => s.selectDataset);
  const runs = useStudio((s) => s.runs);
  const mine = runs.filter((r) => r.datasetId === selected && r.group === null);
  const run = mine.find((r) => r.id === route.run);
  // K-fold groups (their folds are runs of the group): Evaluate shows a group out of fold
  const allGroups = useStudio((s) => s.foldGroups);
  const groups = allGroups.filter((g) => g.datasetId === selected);
  const current = run?.id ?? groups.find((g) => g.id === route.run)?.id ?? '';
  return (
    <div className="context-bar" data-testid="context-bar">
      <LiveChip />
      <label>
        Dataset{' '}
        <select
          aria-label="Current dataset"
          value={selected ?? ''}
          disabled={!datasets.length}
          onChange={(e) => {
            selectDataset(e.target.value || null);
            navigate({ run: null }, 'replace');
          }}
        >
          {!datasets.length && <option value="">none yet</option>}
          {datasets.map((d) => (
            <option key={d.id} value={d.id}>
              {d.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        Run{' '}
        <select
          aria-label="Current run"
          value={current}
          disabled={!mine.length && !groups.length}
          onChange={(e) => navigate({ run: e.target.value || null }, 'replace')}
        >
          <option value="">{mine.length || groups.length ? 'none chosen' : 'none yet'}</option>
          {mine.map((r) => (
            <option key={r.id} value={r.id}>
              {r.name} ({r.status})
            </option>
          ))}
          {groups.map((g) => (
            <option key={g.id} value={g.id}>
              {g.name} ({g.status}, {g.members.filter((m) => m.status === 'done').length}/{g.members.length} folds)
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}
