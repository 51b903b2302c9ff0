/**
 * Rates and ETAs for progress lines (a training run, an import): a rate over a sliding window of
 * recent progress reports, and an ETA that says nothing until it has enough evidence and then moves
 * at most a small factor from one report to the next.
 *
 * Why a window: a rate measured over the last report alone swings with every stall, validation and
 * garbage collection (a run's ETA read 17 s → 32 s → 19 s), and a rate measured since the job
 * started keeps a slow start for the whole job (an import whose first files came slowly showed
 * 2 min 6 s for a 25 s job). Why the bound: even a windowed rate jumps when a pause enters or leaves
 * the window; an ETA that moves by a bounded factor per report still converges within a few reports.
 *
 * Plain data in, plain data out (times in ms, from any clock that only goes forward), so a store can
 * keep the state and a test can replay a job's reports.
 */

export interface RateOptions {
  /** reports older than this (ms) before the newest leave the window (one just outside is kept as its start) */
  windowMs: number;
  /** no rate before this many reports… */
  minReports: number;
  /** …spanning at least this long (ms) */
  minSpanMs: number;
}

export interface EtaOptions extends RateOptions {
  /** the ETA shown moves at most this factor from the previous one (less the time since) per report */
  maxStep: number;
}

export const ETA_OPTIONS: EtaOptions = { windowMs: 10_000, minReports: 3, minSpanMs: 2_000, maxStep: 1.25 };

interface Report {
  done: number;
  t: number;
}

/** Recent progress reports: `done` units of work at time `t`. */
export interface RateWindow {
  reports: readonly Report[];
  /** reports taken since the window (re)started, and the first of them */
  count: number;
  first: Report | null;
}

export const emptyRateWindow: RateWindow = { reports: [], count: 0, first: null };

/**
 * The window with one more report. A report no later than the newest is ignored (a render that
 * reports twice); one with less work done than the newest starts the window afresh (a new job).
 */
export function addReport(w: RateWindow, done: number, t: number, o: RateOptions = ETA_OPTIONS): RateWindow {
  const last = w.reports.at(-1);
  if (last && done < last.done) w = emptyRateWindow;
  else if (last && t <= last.t) return w;
  const report = { done, t };
  const reports = [...w.reports, report];
  // keep the newest report older than the window as its start, so the window spans windowMs, not less
  let start = 0;
  while (start + 1 < reports.length && reports[start + 1].t <= t - o.windowMs) start++;
  return { reports: reports.slice(start), count: w.count + 1, first: w.first ?? report };
}

/** Units per second over the window, or null until it has `minReports` reports spanning `minSpanMs`. */
export function windowRate(w: RateWindow, o: RateOptions = ETA_OPTIONS): number | null {
  const first = w.first;
  const last = w.reports.at(-1);
  if (!first || !last || w.count < o.minReports || last.t - first.t < o.minSpanMs) return null;
  const start = w.reports[0];
  const span = last.t - start.t;
  return span > 0 ? ((last.done - start.done) * 1000) / span : null;
}

/** The state of a job's ETA: its rate window and the ETA last shown (seconds), with its time. */
export interface Eta {
  window: RateWindow;
  seconds: number | null;
  at: number;
}

export const emptyEta: Eta = { window: emptyRateWindow, seconds: null, at: 0 };

/** The ETA after a report of `done` of `total` at time `t` (ms). */
export function updateEta(e: Eta, done: number, total: number, t: number, o: EtaOptions = ETA_OPTIONS): Eta {
  const window = addReport(e.window, done, t, o);
  if (window === e.window) return e;
  const restarted = window.count < e.window.count;
  const rate = windowRate(window, o);
  if (rate === null) return { window, seconds: null, at: t };
  const raw = done >= total ? 0 : rate > 0 ? (total - done) / rate : Infinity;
  const previous = restarted ? null : e.seconds;
  if (previous === null || !Number.isFinite(previous) || !Number.isFinite(raw)) return { window, seconds: raw, at: t };
  // what the last ETA says now, had the work gone as it predicted; the new one stays within maxStep of it
  const predicted = previous - (t - e.at) / 1000;
  if (predicted <= 0 || raw === 0) return { window, seconds: raw, at: t };
  return { window, seconds: Math.min(predicted * o.maxStep, Math.max(predicted / o.maxStep, raw)), at: t };
}
