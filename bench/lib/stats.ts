/** Median and spread of repeated measurements, as every bench figure reports them. */
export interface Stat {
  median: number;
  /** half the range (max − min) / 2: the table prints median ± spread */
  spread: number;
  min: number;
  max: number;
  runs: number;
}

export function stat(values: number[]): Stat {
  if (!values.length) return { median: NaN, spread: NaN, min: NaN, max: NaN, runs: 0 };
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  const median = n % 2 ? s[n >> 1] : (s[n / 2 - 1] + s[n / 2]) / 2;
  return { median, spread: (s[n - 1] - s[0]) / 2, min: s[0], max: s[n - 1], runs: n };
}

/** Per-run throughputs (items / s) from per-run durations in ms. */
export function rates(items: number, ms: number[]): number[] {
  return ms.map((t) => (items * 1000) / t);
}
