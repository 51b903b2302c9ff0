/**
 * Which thresholds and which weights an export of a run carries, in words the Export view shows.
 *
 * By default an export carries the run's thresholds in force (set in Evaluate, 0.5 each when none
 * were set), the ones the user looked at in Evaluate, the error browser and the explorer. The
 * other choice is the Predict view's threshold mode fitted on the run's stored validation
 * predictions, as the ensemble's submission uses.
 */
import { chooseThresholds, type ThresholdMode } from '../../core/thresholds';
import type { RunRecord } from '../../data/catalog';

export type ExportThresholdChoice = 'in-force' | 'predict-mode';

export interface ExportThresholds {
  /** one per class; null: 0.5 each */
  values: number[] | null;
  /** what they are, in words ("set in Evaluate: per class", "0.5 (none set)") */
  label: string;
}

/** "0.350 for every class" or "per class". */
export function describeThresholds(t: readonly number[]): string {
  return t.every((v) => v === t[0]) ? `${t[0].toFixed(3)} for every class` : 'per class';
}

/** The run's thresholds in force: those set in Evaluate, else 0.5 each. */
export function thresholdsInForce(byRun: Record<string, number[]>, runId: string): ExportThresholds {
  const set = byRun[runId];
  return set ? { values: set.slice(), label: `set in Evaluate: ${describeThresholds(set)}` } : { values: null, label: '0.5 (none set)' };
}

/** The Predict view's threshold mode fitted on the run's stored validation predictions (0.5 each without them). */
export function thresholdsByMode(r: RunRecord, mode: ThresholdMode, rates: readonly number[] | null): ExportThresholds {
  if (!r.valProbs || !r.valTruth || !r.valIds.length) return { values: null, label: '0.5 (the run has no stored validation predictions)' };
  const m = mode === 'proportion' && !rates ? 'global' : mode;
  const t = Array.from(chooseThresholds(r.valTruth, r.valProbs, m, { rates: rates ?? undefined }).thresholds);
  return { values: t, label: `Predict's threshold mode (${m}) on ${r.valIds.length} validation images: ${describeThresholds(t)}` };
}

/** The weights an export reads: the best checkpoint, else the last (as the workers' runCheckpoint chooses). */
export function exportWeights(r: Pick<RunRecord, 'bestEpoch' | 'checkpointEpoch'>): string {
  if (r.bestEpoch === 0 && r.checkpointEpoch === 0) return 'imported weights';
  return r.bestEpoch !== null ? `best epoch ${r.bestEpoch}` : `last epoch ${r.checkpointEpoch}`;
}
