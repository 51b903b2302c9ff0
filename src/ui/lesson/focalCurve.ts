/**
 * The lesson's loss-vs-p_t curves (docs/domain.md §6): focal loss without α,
 * FL(p_t) = −(1 − p_t)^γ · ln p_t, with p_t clipped to [1e-7, 1 − 1e-7] as the studio's losses are.
 * γ = 0 is binary cross-entropy. Plain numbers (no tfjs): the UI draws them.
 */

export const LESSON_GAMMAS: readonly number[] = [0, 0.5, 1, 2, 5];

const EPS = 1e-7;

/** Focal loss of one prediction whose probability of the true label is p_t. */
export function focalAtPt(pt: number, gamma: number): number {
  const p = Math.min(1 - EPS, Math.max(EPS, pt));
  return -Math.pow(1 - p, gamma) * Math.log(p);
}

/** The key under which a γ's loss is stored in a curve row ('g0', 'g0.5', …). */
export const gammaKey = (gamma: number) => `g${gamma}`;

export type LossRow = { pt: number } & Record<string, number>;

/** Rows { pt, g0, g0.5, … } for p_t = from, from + step, …, 1 (grid points k/K in float64). */
export function lossVsPt(gammas: readonly number[] = LESSON_GAMMAS, K = 100, fromK = 1): LossRow[] {
  const rows: LossRow[] = [];
  for (let k = fromK; k <= K; k++) {
    const pt = k / K;
    const row = { pt } as LossRow;
    for (const g of gammas) row[gammaKey(g)] = focalAtPt(pt, g);
    rows.push(row);
  }
  return rows;
}

/** How much focal loss down-weights an example relative to BCE: (1 − p_t)^γ. */
export function focalWeight(pt: number, gamma: number): number {
  return Math.pow(1 - pt, gamma);
}
