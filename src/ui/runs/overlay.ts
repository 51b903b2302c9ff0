/** Curves of several runs on one chart: one row per epoch (union of all runs' epochs), one column per run id. */

export interface HistoryPoint {
  epoch: number;
  loss: number;
  valLoss?: number;
  valMacroF1?: number;
  lr?: number;
  /** the training phase (a transfer run's warm-up and fine-tune, GAPNet's BCE then F1) */
  phase?: number;
  phaseName?: string;
}

export type CurveMetric = 'loss' | 'valLoss' | 'valMacroF1';

export type OverlayRow = { epoch: number } & Record<string, number | undefined>;

/**
 * Rows `{ epoch, [runId]: value }` sorted by epoch; a run without that epoch or metric has no value there
 * (the chart bridges the gap). Non-finite values are left out. Where a run repeats an epoch, its last entry wins.
 */
export function overlayRows(runs: readonly { id: string; history: readonly HistoryPoint[] }[], metric: CurveMetric): OverlayRow[] {
  const byEpoch = new Map<number, OverlayRow>();
  for (const run of runs) {
    for (const h of run.history) {
      const v = h[metric];
      if (typeof v !== 'number' || !Number.isFinite(v)) continue;
      let row = byEpoch.get(h.epoch);
      if (!row) byEpoch.set(h.epoch, (row = { epoch: h.epoch } as OverlayRow));
      row[run.id] = v;
    }
  }
  return [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
}

/** Distinct run colours (by the run's position in the full list, so a run keeps its colour when others are deselected). */
export const RUN_COLORS: readonly string[] = ['#1a56c4', '#d9480f', '#2f9e44', '#9c36b5', '#e8590c', '#0c8599', '#c2255c', '#5c940d', '#364fc7', '#862e9c'];

export function runColor(index: number): string {
  return RUN_COLORS[index % RUN_COLORS.length];
}
