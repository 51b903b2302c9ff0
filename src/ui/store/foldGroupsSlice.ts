/**
 * The K-fold run groups in the studio store: the chosen folds of one stratified K-fold split trained
 * one after another with one recipe and seed, each fold a run of its own (runsSlice's launch), and
 * the group's record kept in IndexedDB ('groups') so that a reload can resume it: the fold that was
 * training continues from its last stored epoch (the single run's resume), then the next folds.
 */
import type { StateCreator } from 'zustand';
import { deleteGroup, deleteRun, listGroups, putGroup, type FoldGroupRecord, type FoldMemberStatus } from '../../data/catalog';
import type { RunConfig, RunEndStatus } from '../../worker/protocol';
import { describeRecipe } from './runsSlice';
import { foldWords, newFoldGroupId } from '../train/foldGroupRuns';
import type { StudioState } from '.';

export interface FoldGroupsSlice {
  foldGroups: FoldGroupRecord[];
  /** trains these folds (0-based, of the setup's K-fold split) of the run setup's recipe on the dataset, one after another */
  startFoldGroup: (dataset: { id: string; name: string }, folds: readonly number[]) => void;
  /** stops the group: the fold in flight ends 'stopped' (its epochs so far are kept), no further fold starts */
  stopFoldGroup: (groupId: string) => void;
  /** continues a stopped or interrupted group: its unfinished fold from its last stored epoch (else afresh), then the folds after it */
  resumeFoldGroup: (groupId: string) => void;
  /** reads the stored groups; a group stored as running that this page is not training was interrupted */
  loadFoldGroups: () => Promise<void>;
  /** deletes the group and its fold runs */
  removeFoldGroup: (groupId: string) => Promise<void>;
  /** runsSlice calls this when any run ends */
  onFoldRunEnded: (runId: string, status: RunEndStatus, message: string | null) => void;
}

const unfinished = (s: FoldMemberStatus) => s !== 'done';

export const createFoldGroupsSlice: StateCreator<StudioState, [], [], FoldGroupsSlice> = (set, get) => {
  const save = (g: FoldGroupRecord) => void putGroup(g).catch(() => undefined); // storage full: the page still shows the group
  const patch = (id: string, p: (g: FoldGroupRecord) => Partial<FoldGroupRecord>): FoldGroupRecord | undefined => {
    set((s) => ({ foldGroups: s.foldGroups.map((g) => (g.id === id ? { ...g, ...p(g) } : g)) }));
    const g = get().foldGroups.find((x) => x.id === id);
    if (g) save(g);
    return g;
  };
  const patchMember = (g: FoldGroupRecord, runId: string, p: Partial<FoldGroupRecord['members'][number]>) =>
    patch(g.id, (x) => ({ members: x.members.map((m) => (m.runId === runId ? { ...m, ...p } : m)) }));
  const groupOfRun = (runId: string) => get().foldGroups.find((g) => g.members.some((m) => m.runId === runId));
  /** when each fold in flight started (ms, this page's clock): a fold's seconds include its reading and its validation */
  const startedAt = new Map<string, number>();

  /** starts the group's next fold: the one marked running (resumed), else the first pending; none left: the group is done */
  const launchNext = (groupId: string) => {
    const g = get().foldGroups.find((x) => x.id === groupId);
    if (!g || g.status !== 'running') return;
    const next = g.members.find((m) => m.status === 'running') ?? g.members.find((m) => m.status === 'pending');
    if (!next) {
      patch(g.id, () => ({ status: 'done', message: null }));
      return;
    }
    patchMember(g, next.runId, { status: 'running', message: null });
    startedAt.set(next.runId, Date.now());
    const config = g.config as unknown as RunConfig;
    const stored = get().runs.find((r) => r.id === next.runId);
    if (stored && stored.checkpointEpoch > 0 && stored.history.length > 0) return get().resumeInterrupted(next.runId);
    const start = () =>
      get().startRun(g.datasetId, {
        runId: next.runId,
        name: `${g.name} · ${foldWords(next.fold, g.folds)}`,
        config: { ...config, split: { kind: 'kfold', folds: g.folds, fold: next.fold } },
        group: g.id,
      });
    if (!stored) return start();
    // interrupted before its first epoch was stored: the fold starts afresh under its own id and name
    void deleteRun(stored.id)
      .then(() => get().refreshRuns())
      .then(start, start);
  };

  return {
    foldGroups: [],
    startFoldGroup: (dataset, folds) => {
      const config = get().setup;
      if (config.split.kind !== 'kfold' || !folds.length) return;
      const K = config.split.folds;
      const n = get().foldGroups.length + 1;
      const group: FoldGroupRecord = {
        id: newFoldGroupId(),
        name: `group ${n} · ${folds.length === K ? `all ${K} folds` : `${folds.length} of ${K} folds`} · ${describeRecipe(config)}`,
        datasetId: dataset.id,
        datasetName: dataset.name,
        createdAt: Date.now(),
        config: { ...config, split: { kind: 'kfold', folds: K, fold: folds[0] } } as unknown as Record<string, unknown>,
        folds: K,
        members: [...folds].sort((a, b) => a - b).map((fold) => ({ fold, runId: crypto.randomUUID(), status: 'pending', seconds: null, message: null })),
        status: 'running',
        message: null,
      };
      set((s) => ({ foldGroups: [...s.foldGroups, group] }));
      save(group);
      launchNext(group.id);
    },
    stopFoldGroup: (groupId) => {
      const g = get().foldGroups.find((x) => x.id === groupId);
      if (!g || g.status !== 'running') return;
      const running = g.members.find((m) => m.status === 'running');
      const live = get().live;
      // the run ends 'stopped' and onFoldRunEnded stops the group
      if (running && live?.runId === running.runId && live.phase !== 'ended' && !get().workerError) return get().stopRun();
      // no fold in flight, or its worker failed and cannot answer
      patch(g.id, (x) => ({
        status: 'stopped',
        message: `Stopped after ${x.members.filter((m) => m.status === 'done').length} of ${x.members.length} folds.`,
        members: x.members.map((m) => (m.status === 'running' ? { ...m, status: 'stopped', message: get().workerError } : m)),
      }));
    },
    resumeFoldGroup: (groupId) => {
      const g = get().foldGroups.find((x) => x.id === groupId);
      if (!g || g.status === 'running' || g.status === 'done') return;
      if (get().live && get().live!.phase !== 'ended') return;
      // the first unfinished fold continues (from its checkpoint where it has one); the ones after it wait
      const first = g.members.findIndex((m) => unfinished(m.status));
      patch(g.id, (x) => ({
        status: 'running',
        message: null,
        members: x.members.map((m, i) => (i === first ? { ...m, status: 'running', message: null } : unfinished(m.status) ? { ...m, status: 'pending' } : m)),
      }));
      launchNext(g.id);
    },
    loadFoldGroups: async () => {
      const stored = await listGroups();
      const mine = new Map(get().foldGroups.map((g) => [g.id, g]));
      const groups = stored.map((g) => {
        const here = mine.get(g.id);
        if (here && here.status === 'running') return here; // this page is training it
        if (g.status !== 'running') return g;
        // it was training when the page went away
        const done = g.members.filter((m) => m.status === 'done').length;
        const at = g.members.find((m) => m.status === 'running');
        const interrupted: FoldGroupRecord = {
          ...g,
          status: 'interrupted',
          message: `Interrupted (the page was reloaded or closed) after ${done} of ${g.members.length} folds${at ? `, during ${foldWords(at.fold, g.folds)}` : ''}.`,
        };
        save(interrupted);
        return interrupted;
      });
      // a group started while storage was read stays
      const fresh = get().foldGroups.filter((g) => !stored.some((x) => x.id === g.id));
      set({ foldGroups: [...groups, ...fresh] });
    },
    removeFoldGroup: async (groupId) => {
      const g = get().foldGroups.find((x) => x.id === groupId);
      if (!g || g.status === 'running') return;
      for (const m of g.members) await deleteRun(m.runId);
      await deleteGroup(g.id);
      set((s) => ({ foldGroups: s.foldGroups.filter((x) => x.id !== groupId) }));
      await get().refreshRuns();
    },
    onFoldRunEnded: (runId, status, message) => {
      const g = groupOfRun(runId);
      if (!g || g.status !== 'running') return;
      const began = startedAt.get(runId);
      startedAt.delete(runId);
      const seconds = began ? (Date.now() - began) / 1000 : null;
      const member = g.members.find((m) => m.runId === runId)!;
      const after = patchMember(g, runId, { status, seconds, message })!;
      if (status === 'done') return launchNext(after.id);
      const done = after.members.filter((m) => m.status === 'done').length;
      patch(g.id, () => ({
        status: status === 'stopped' ? 'stopped' : 'failed',
        message:
          status === 'stopped'
            ? `Stopped during ${foldWords(member.fold, g.folds)}, after ${done} of ${g.members.length} folds.`
            : `${foldWords(member.fold, g.folds)} failed: ${message ?? 'no reason given'}`,
      }));
    },
  };
};
