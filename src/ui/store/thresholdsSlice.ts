/**
 * The thresholds in force: per run, the per-class thresholds last set in Evaluate (0.5 each until
 * then). The error browser, the explorer's predictions and the sample viewer all read them here.
 *
 * Kept in localStorage, not in the run's IndexedDB record: it is read synchronously when the store
 * is made, so Evaluate opens on the kept thresholds in its first frame (no 0.5 flash, no async
 * race with a slider the user already moved); the data is small (28 numbers a run); and a slider
 * move never rewrites the run record with its validation arrays, which the training worker also
 * writes while a run trains. Entries of runs no longer stored are dropped on the next write.
 */
import type { StateCreator } from 'zustand';
import { NUM_CLASSES } from '../../core/labels';
import type { StudioState } from '.';

export const THRESHOLDS_KEY = 'hpa-studio.thresholds';
/** Writes wait for the slider to pause this long (a drag is tens of moves a second). */
const WRITE_DELAY_MS = 250;

/** 0.5 for every class: the thresholds of a run nobody has tuned. Frozen, so it can be shared. */
export const DEFAULT_THRESHOLDS: readonly number[] = Object.freeze(new Array<number>(NUM_CLASSES).fill(0.5));

export interface ThresholdsSlice {
  thresholdsByRun: Record<string, number[]>;
  setRunThresholds: (runId: string, thresholds: readonly number[]) => void;
}

/** A valid threshold vector: numClasses finite numbers in [0, 1]. */
export function isThresholdVector(v: unknown, numClasses = NUM_CLASSES): v is number[] {
  return Array.isArray(v) && v.length === numClasses && v.every((t) => typeof t === 'number' && Number.isFinite(t) && t >= 0 && t <= 1);
}

/** The stored map, keeping only valid vectors (a hand-edited or older entry is dropped, not trusted). */
export function parseStoredThresholds(text: string | null): Record<string, number[]> {
  if (!text) return {};
  try {
    const raw = JSON.parse(text) as unknown;
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return {};
    return Object.fromEntries(Object.entries(raw as Record<string, unknown>).filter((e): e is [string, number[]] => isThresholdVector(e[1])));
  } catch {
    return {};
  }
}

/** The thresholds in force for a run (the defaults when none were set). */
export function thresholdsOf(byRun: Record<string, number[]>, runId: string | null | undefined): readonly number[] {
  return (runId && byRun[runId]) || DEFAULT_THRESHOLDS;
}

function readStored(): Record<string, number[]> {
  try {
    return parseStoredThresholds(typeof localStorage !== 'undefined' ? localStorage.getItem(THRESHOLDS_KEY) : null);
  } catch {
    return {};
  }
}

export const createThresholdsSlice: StateCreator<StudioState, [], [], ThresholdsSlice> = (set, get) => {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const write = () => {
    timer = null;
    const { thresholdsByRun, runs } = get();
    // runs deleted since: their thresholds go (the run list is loaded once the page has read it)
    const stored = new Set(runs.map((r) => r.id));
    const kept = runs.length
      ? Object.fromEntries(Object.entries(thresholdsByRun).filter(([id]) => stored.has(id) || id === get().live?.runId))
      : thresholdsByRun;
    try {
      localStorage.setItem(THRESHOLDS_KEY, JSON.stringify(kept));
    } catch {
      // storage full or blocked: the thresholds stay in force for this page
    }
  };
  const flush = () => {
    if (timer !== null) {
      clearTimeout(timer);
      write();
    }
  };
  if (typeof window !== 'undefined') window.addEventListener('pagehide', flush);
  return {
    thresholdsByRun: readStored(),
    setRunThresholds: (runId, thresholds) => {
      if (!isThresholdVector(thresholds)) return;
      const current = get().thresholdsByRun[runId];
      if (current && current.every((t, c) => t === thresholds[c])) return;
      set((s) => ({ thresholdsByRun: { ...s.thresholdsByRun, [runId]: thresholds.slice() } }));
      if (timer !== null) clearTimeout(timer);
      timer = setTimeout(write, WRITE_DELAY_MS);
    },
  };
};
