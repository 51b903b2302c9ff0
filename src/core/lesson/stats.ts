/**
 * Seed statistics of the loss lesson. What the lesson may call a difference, defined once:
 *
 * - A value over seeds is shown as mean ± spread, where **spread is half the range over the seeds**,
 *   (max − min) / 2: with 3 seeds, every seed's value lies within mean ± 2·spread, and the
 *   interval [min, max] = midrange ± spread.
 * - Two variants are compared **paired by seed** (same split, same initial weights, same batch
 *   order): d_s = value(variant, seed s) − value(reference, seed s). The difference is
 *   mean(d) ± spread(d), and it is **called a difference only when every seed moved the same way
 *   and |mean(d)| > spread(d)**. With one seed there is no spread and nothing is called.
 *
 * Values that are not finite (a class without validation positives) are left out.
 */

/** The definition the lesson's page and report state. */
export const SPREAD_DEFINITION =
  '± is the spread over seeds: half the range, (max − min) / 2. Differences are paired by seed (variant − BCE with the same split, initial weights and batch order); a difference is called one only when every seed moved the same way and the mean is larger than the spread of the per-seed differences.';

export interface Spread {
  /** seeds with a finite value */
  n: number;
  mean: number;
  /** (max − min) / 2; 0 for one value, NaN for none */
  halfRange: number;
  min: number;
  max: number;
}

export type Verdict = 'higher' | 'lower' | 'none' | 'one-seed' | 'not-measured';

export interface PairedDifference extends Spread {
  /** the seeds both variants have, ascending */
  seeds: number[];
  /** d_s per seed, in `seeds` order */
  perSeed: number[];
  verdict: Verdict;
}

/** Mean ± half-range of the finite values. */
export function seedSpread(values: readonly number[]): Spread {
  const v = values.filter((x) => Number.isFinite(x));
  if (!v.length) return { n: 0, mean: NaN, halfRange: NaN, min: NaN, max: NaN };
  const min = Math.min(...v);
  const max = Math.max(...v);
  return { n: v.length, mean: v.reduce((s, x) => s + x, 0) / v.length, halfRange: (max - min) / 2, min, max };
}

/** Whether a paired difference is one: at least two seeds, every seed moved the same way, and |mean| > spread. */
export function verdictOf(d: Spread): Verdict {
  if (d.n === 0) return 'not-measured';
  if (d.n === 1) return 'one-seed';
  if (d.min > 0 && d.mean > d.halfRange) return 'higher';
  if (d.max < 0 && -d.mean > d.halfRange) return 'lower';
  return 'none';
}

/** b − a per seed over the seeds where both are finite, with its verdict. */
export function pairedDifference(a: ReadonlyMap<number, number>, b: ReadonlyMap<number, number>): PairedDifference {
  const seeds = [...a.keys()].filter((s) => Number.isFinite(a.get(s)) && Number.isFinite(b.get(s))).sort((x, y) => x - y);
  const perSeed = seeds.map((s) => b.get(s)! - a.get(s)!);
  const spread = seedSpread(perSeed);
  return { ...spread, seeds, perSeed, verdict: verdictOf(spread) };
}

/** A number with three decimals and a real minus sign. */
export function fmt(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return '–';
  const s = Math.abs(x).toFixed(digits);
  return x < 0 && Number(s) !== 0 ? `−${s}` : s;
}

/** A signed number: +0.120, −0.004, ±0.000. */
export function signed(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return '–';
  const s = Math.abs(x).toFixed(digits);
  return `${Number(s) === 0 ? '±' : x > 0 ? '+' : '−'}${s}`;
}

/** "0.412 ± 0.020" (one seed: "0.412", none: "–"). */
export function formatSpread(s: Spread, digits = 3): string {
  if (s.n === 0) return '–';
  return s.n === 1 ? fmt(s.mean, digits) : `${fmt(s.mean, digits)} ± ${fmt(s.halfRange, digits)}`;
}

/** "+0.120 ± 0.030" for a difference. */
export function formatDifference(d: Spread, digits = 3): string {
  if (d.n === 0) return '–';
  return d.n === 1 ? signed(d.mean, digits) : `${signed(d.mean, digits)} ± ${fmt(d.halfRange, digits)}`;
}

export interface FindingSubject {
  /** the variant, e.g. 'Focal γ=2' */
  variant: string;
  /** the reference, e.g. 'BCE' */
  reference: string;
  /** what was measured, e.g. 'rare-class F1' */
  quantity: string;
  /** how, e.g. 'at threshold 0.5' */
  condition: string;
  /** why nothing could be measured, when that is known (e.g. 'no rare class has validation positives') */
  unmeasured?: string;
}

/**
 * What this lesson found, in one sentence that claims no more than the numbers show:
 * "Focal γ=2 raised rare-class F1 by 0.120 ± 0.030 over BCE at threshold 0.5 (3 seeds)." or
 * "Focal γ=2 vs BCE, rare-class F1 at threshold 0.5: no difference beyond seed noise at this budget (+0.004 ± 0.010, 3 seeds)."
 */
export function findingSentence(s: FindingSubject, d: PairedDifference): string {
  const seeds = `${d.n} seed${d.n === 1 ? '' : 's'}`;
  switch (d.verdict) {
    case 'higher':
      return `${s.variant} raised ${s.quantity} by ${fmt(d.mean)} ± ${fmt(d.halfRange)} over ${s.reference} ${s.condition} (${seeds}).`;
    case 'lower':
      return `${s.variant} lowered ${s.quantity} by ${fmt(-d.mean)} ± ${fmt(d.halfRange)} against ${s.reference} ${s.condition} (${seeds}).`;
    case 'none':
      return `${s.variant} vs ${s.reference}, ${s.quantity} ${s.condition}: no difference beyond seed noise at this budget (${formatDifference(d)}, ${seeds}).`;
    case 'one-seed':
      return `${s.variant} vs ${s.reference}, ${s.quantity} ${s.condition}: ${signed(d.mean)} in the one seed both finished; telling a difference from seed noise needs at least two seeds.`;
    case 'not-measured':
      return `${s.variant} vs ${s.reference}, ${s.quantity} ${s.condition}: not measured (${s.unmeasured ?? 'no seed finished for both'}).`;
  }
}
