/**
 * One progress figure and a time left for a whole lesson. Each run's duration is estimated from the
 * finished runs of the same variant (the upsampled variant sees more images), else of any variant,
 * else from the running run's own pace (its elapsed time over the fraction of its batches done);
 * the running run has left (1 − its fraction) of such an estimate.
 * The bar shows time done over time done plus time estimated left; before any estimate exists it
 * counts runs.
 */
import type { LessonRun } from './types';

export interface LessonProgress {
  /** 0..1 */
  fraction: number;
  /** runs finished (done, stopped or failed) */
  runsEnded: number;
  runs: number;
  /** estimated seconds left, or null before there is anything to estimate from */
  secondsLeft: number | null;
}

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

/**
 * `current`: the running run's seconds so far and the fraction of its batches done (0..1).
 */
export function lessonProgress(runs: readonly LessonRun[], current: { seconds: number; fraction: number } | null): LessonProgress {
  const ended = runs.filter((r) => r.status === 'done' || r.status === 'stopped' || r.status === 'failed');
  const done = runs.filter((r) => r.status === 'done' && r.seconds !== null);
  // the running run's whole duration at its own pace (its start included), once it has one
  const pace = current && current.fraction > 0.02 ? current.seconds / current.fraction : null;
  const estimate = (r: LessonRun): number | null => {
    const same = done.filter((d) => d.variant === r.variant).map((d) => d.seconds!);
    if (same.length) return mean(same);
    if (done.length) return mean(done.map((d) => d.seconds!));
    return pace;
  };
  let spent = 0;
  let left = 0;
  let known = true;
  for (const r of runs) {
    if (r.status === 'done' || r.status === 'stopped' || r.status === 'failed') spent += r.seconds ?? 0;
    else if (r.status === 'running') {
      const s = current?.seconds ?? 0;
      spent += s;
      // with a history: what is left of its fraction of a run like it; else its own pace
      const f = Math.min(1, Math.max(0, current?.fraction ?? 0));
      const history = done.length ? estimate(r) : null;
      if (history !== null) left += Math.max(0, (1 - f) * history);
      else if (pace !== null) left += Math.max(0, pace - s);
      else known = false;
    } else {
      const e = estimate(r);
      if (e === null) known = false;
      else left += e;
    }
  }
  const byCount = (ended.length + (current ? Math.min(1, Math.max(0, current.fraction)) : 0)) / Math.max(1, runs.length);
  const allEnded = ended.length === runs.length;
  return {
    fraction: allEnded ? 1 : known && spent + left > 0 ? spent / (spent + left) : byCount,
    runsEnded: ended.length,
    runs: runs.length,
    secondsLeft: allEnded ? 0 : known ? left : null,
  };
}

/** "4 min 10 s", "45 s". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${String(s % 60).padStart(2, '0')} s`;
}
