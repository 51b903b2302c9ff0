import { describe, expect, it } from 'vitest';
import { create } from 'zustand';
import { DEFAULT_RUN, type RunConfig } from '../../core/runConfig';
import type { RunRecord } from '../../data/catalog';
import { createFoldGroupsSlice } from './foldGroupsSlice';
import type { StudioState } from '.';

/**
 * The group's orchestration against the runs part of the store as its contract: what it asks to
 * start or resume, and what it does when a fold ends. (Storage is absent in Node: the group's
 * record is not stored here, which the slice tolerates as it does a full disk; e2e/kfoldGroup.spec.ts
 * covers it with the real IndexedDB and the training worker.)
 */
function testStore(runs: RunRecord[] = []) {
  const calls: string[] = [];
  const setup: RunConfig = { ...DEFAULT_RUN, split: { kind: 'kfold', folds: 3, fold: 0 }, seed: 7 };
  const store = create<StudioState>()(
    (set, get, api) =>
      ({
        setup,
        runs,
        live: null,
        workerError: null,
        startRun: (_ds: string, o: { runId: string; config: RunConfig; group: string }) => {
          calls.push(`start fold ${o.config.split.kind === 'kfold' ? o.config.split.fold : '?'} seed ${o.config.seed}`);
          set({ live: { runId: o.runId, phase: 'training' } as StudioState['live'] });
        },
        resumeInterrupted: (runId: string) => {
          calls.push(`resume ${runId}`);
          set({ live: { runId, phase: 'training' } as StudioState['live'] });
        },
        stopRun: () => calls.push('stop'),
        refreshRuns: async () => undefined,
        ...createFoldGroupsSlice(set, get, api),
      }) as unknown as StudioState,
  );
  return { store, calls };
}

const fold = (id: string, checkpointEpoch: number): RunRecord =>
  ({ id, name: id, history: Array.from({ length: checkpointEpoch }, (_, i) => ({ epoch: i + 1 })), checkpointEpoch }) as unknown as RunRecord;

describe('a K-fold run group', () => {
  it('trains the chosen folds one after another with the same recipe and seed, and is done after the last', () => {
    const { store, calls } = testStore();
    const s = store.getState();
    s.startFoldGroup({ id: 'ds', name: 'demo' }, [2, 0]);
    const g = store.getState().foldGroups[0];
    expect(g.id).toMatch(/^kfold:/);
    expect(g.members.map((m) => [m.fold, m.status])).toEqual([
      [0, 'running'],
      [2, 'pending'],
    ]);
    expect(calls).toEqual(['start fold 0 seed 7']);
    store.getState().onFoldRunEnded(g.members[0].runId, 'done', null);
    expect(calls).toEqual(['start fold 0 seed 7', 'start fold 2 seed 7']);
    store.getState().onFoldRunEnded(g.members[1].runId, 'done', null);
    expect(store.getState().foldGroups[0].status).toBe('done');
    expect(calls).toHaveLength(2);
  });

  it('stops with the fold in flight, and goes on from that fold’s checkpoint when resumed', () => {
    const { store, calls } = testStore();
    store.getState().startFoldGroup({ id: 'ds', name: 'demo' }, [0, 1, 2]);
    const g = store.getState().foldGroups[0];
    store.getState().onFoldRunEnded(g.members[0].runId, 'done', null);
    store.getState().stopFoldGroup(g.id);
    expect(calls.at(-1)).toBe('stop');
    store.getState().onFoldRunEnded(g.members[1].runId, 'stopped', null);
    const stopped = store.getState().foldGroups[0];
    expect(stopped.status).toBe('stopped');
    expect(stopped.message).toContain('after 1 of 3 folds');
    // the stopped fold has a stored epoch: it resumes from it; the third fold waits
    store.setState({ runs: [fold(g.members[1].runId, 1)], live: null });
    store.getState().resumeFoldGroup(g.id);
    expect(calls.at(-1)).toBe(`resume ${g.members[1].runId}`);
    expect(store.getState().foldGroups[0].members.map((m) => m.status)).toEqual(['done', 'running', 'pending']);
    store.getState().onFoldRunEnded(g.members[1].runId, 'done', null);
    expect(calls.at(-1)).toBe('start fold 2 seed 7');
  });

  it('ends failed, naming the fold, when a fold fails', () => {
    const { store } = testStore();
    store.getState().startFoldGroup({ id: 'ds', name: 'demo' }, [0, 1]);
    const g = store.getState().foldGroups[0];
    store.getState().onFoldRunEnded(g.members[0].runId, 'failed', 'out of memory');
    expect(store.getState().foldGroups[0]).toMatchObject({ status: 'failed', message: 'fold 0 (of 0–2) failed: out of memory' });
  });

  it('ignores the end of a run that is in no group', () => {
    const { store, calls } = testStore();
    store.getState().startFoldGroup({ id: 'ds', name: 'demo' }, [0, 1]);
    store.getState().onFoldRunEnded('another run', 'done', null);
    expect(store.getState().foldGroups[0].members.map((m) => m.status)).toEqual(['running', 'pending']);
    expect(calls).toHaveLength(1);
  });
});
