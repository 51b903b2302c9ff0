/**
 * The other tabs of this studio (src/data/tabCoordination.ts): which datasets they hold now, and
 * the lists read again from IndexedDB whenever one of them announces a change.
 */
import type { StateCreator } from 'zustand';
import { describeHold, holdsElsewhere, onStudioChange, type DatasetHold } from '../../data/tabCoordination';
import type { StudioState } from '.';

/** While another tab holds a dataset, how often its holds are read again (a tab that is closed or crashes releases its locks but cannot say so). */
const HOLD_POLL_MS = 3000;

export interface TabsSlice {
  /** datasets another tab of this studio holds (imports or trains), by dataset id */
  holdsElsewhere: Record<string, DatasetHold>;
  refreshHolds: () => Promise<void>;
  /** listens to the other tabs until the returned function is called (App does this once) */
  watchOtherTabs: () => () => void;
}

/** Why this tab cannot import into or train on `datasetId` now, or null. */
export const heldElsewhere = (s: Pick<TabsSlice, 'holdsElsewhere'>, datasetId: string | null | undefined): string | null => {
  const h = datasetId ? s.holdsElsewhere[datasetId] : undefined;
  return h ? describeHold(h) : null;
};

export const createTabsSlice: StateCreator<StudioState, [], [], TabsSlice> = (set, get) => ({
  holdsElsewhere: {},
  refreshHolds: async () => {
    const holds = await holdsElsewhere();
    const before = get().holdsElsewhere;
    const same = Object.keys(holds).length === Object.keys(before).length && Object.entries(holds).every(([id, h]) => before[id]?.startedAt === h.startedAt);
    if (!same) set({ holdsElsewhere: holds });
  },
  watchOtherTabs: () => {
    let pending = false;
    // a burst of announcements (an epoch, a hold, a list) reads the catalog once
    const refresh = () => {
      if (pending) return;
      pending = true;
      queueMicrotask(() => {
        pending = false;
        void get().refreshHolds();
        void get().refreshDatasets();
        void get().refreshRuns();
        void get().refreshStorage();
      });
    };
    const unsubscribe = onStudioChange(refresh);
    const poll = setInterval(() => {
      if (Object.keys(get().holdsElsewhere).length) refresh();
    }, HOLD_POLL_MS);
    void get().refreshHolds();
    return () => {
      unsubscribe();
      clearInterval(poll);
    };
  },
});
