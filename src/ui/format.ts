/** Number formatting shared by the views. */
export const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US');

export function fmtBytes(b: number): string {
  if (b >= 1e9) return `${(b / 1e9).toFixed(2)} GB`;
  if (b >= 1e6) return `${(b / 1e6).toFixed(1)} MB`;
  if (b >= 1e3) return `${(b / 1e3).toFixed(0)} kB`;
  return `${b} B`;
}

export function fmtDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '–';
  if (seconds < 60) return `${Math.max(0, Math.round(seconds))} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;
}

/** Rate and ETA of a job that has done `done` of `total` in `elapsedMs`. */
export function rateAndEta(done: number, total: number, elapsedMs: number): { perSecond: number; etaSeconds: number } {
  const perSecond = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  return { perSecond, etaSeconds: perSecond > 0 ? (total - done) / perSecond : Infinity };
}

const FILE_SAFE_MAX = 60;

/**
 * A run or class name as part of a download's file name: letters, digits, '.', '_' and '-' only, at most 60 characters.
 * A longer name is cut at the last word boundary ('_') that fits, so no number is cut short ("lr_0.001", never "lr_0.00").
 */
export function fileSafe(s: string): string {
  const safe = s.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '');
  if (safe.length <= FILE_SAFE_MAX) return safe || 'run';
  const cut = safe.lastIndexOf('_', FILE_SAFE_MAX);
  return (cut > 0 ? safe.slice(0, cut) : safe.slice(0, FILE_SAFE_MAX)).replace(/_+$/, '') || 'run';
}
