/**
 * What the sample viewer's class-activation-map panel chooses and lists, as plain functions:
 * the runs that can compute a map, the run and class it opens with, the per-class probability
 * rows and the exported file's name.
 */
import { isPredicted } from '../../core/metrics';
import { CLASS_NAMES, NUM_CLASSES } from '../../core/labels';
import type { RunRecord } from '../../data/catalog';
import { fileSafe } from '../format';

/** A run whose weights are stored: a checkpoint saved by training (best or last), or an imported model's (epoch 0). */
export const hasCheckpoint = (r: Pick<RunRecord, 'checkpointEpoch' | 'bestEpoch'>) => r.checkpointEpoch > 0 || r.bestEpoch !== null;

/** The runs of a dataset that can compute a map, newest first. */
export function camRuns(runs: readonly RunRecord[], datasetId: string): RunRecord[] {
  return runs.filter((r) => r.datasetId === datasetId && hasCheckpoint(r)).sort((a, b) => b.createdAt - a.createdAt);
}

/** The run a map is computed with: the one picked, else the one asked for (camRunId), else the prediction's, else the newest; only runs that can. */
export function chooseCamRun(eligible: readonly Pick<RunRecord, 'id'>[], picked: string | null, ...preferred: (string | null | undefined)[]): string | null {
  for (const id of [picked, ...preferred]) if (id && eligible.some((r) => r.id === id)) return id;
  return eligible[0]?.id ?? null;
}

/** The index of the largest probability (the first of equals), or -1 for none. */
export function topClass(probs: ArrayLike<number> | null | undefined): number {
  if (!probs?.length) return -1;
  let best = 0;
  for (let c = 1; c < probs.length; c++) if (probs[c] > probs[best]) best = c;
  return best;
}

export interface ProbabilityRow {
  cls: number;
  name: string;
  prob: number;
  threshold: number;
  truth: boolean;
  predicted: boolean;
}

export const DEFAULT_THRESHOLD = 0.5;

/** One row per class: its probability, the threshold in force (0.5 where none is given), the truth and the predicted label (p > threshold). */
export function probabilityRows(probs: ArrayLike<number>, thresholds: readonly number[] | null | undefined, truth: readonly number[]): ProbabilityRow[] {
  if (probs.length !== NUM_CLASSES) throw new RangeError(`expected ${NUM_CLASSES} probabilities, got ${probs.length}`);
  const labels = new Set(truth);
  return Array.from({ length: NUM_CLASSES }, (_, cls) => {
    const threshold = thresholds?.[cls] ?? DEFAULT_THRESHOLD;
    return { cls, name: CLASS_NAMES[cls], prob: probs[cls], threshold, truth: labels.has(cls), predicted: isPredicted(probs[cls], threshold) };
  });
}

/** The pred cell in words as well as colour: ✓ where prediction and truth agree, ✓ (extra) for a false positive, 'missed' for a false negative. */
export function predictedMark(r: { predicted: boolean; truth: boolean }): string {
  if (r.predicted) return r.truth ? '✓' : '✓ (extra)';
  return r.truth ? 'missed' : '';
}

export type ProbabilityOrder = 'prob' | 'class';

/** Highest probability first (ties by class), or in class order. */
export function sortProbabilityRows(rows: readonly ProbabilityRow[], order: ProbabilityOrder): ProbabilityRow[] {
  return [...rows].sort(order === 'prob' ? (a, b) => b.prob - a.prob || a.cls - b.cls : (a, b) => a.cls - b.cls);
}

/** `<sampleId>_<className>_<stage>_<run>_cam.png`, each part made file-safe (fileSafe: runs of spaces, &, / become one underscore). */
export function camFileName(sampleId: string, cls: number, stage: string, runName: string): string {
  return `${[sampleId, CLASS_NAMES[cls] ?? `class ${cls}`, stage, runName].map(fileSafe).join('_')}_cam.png`;
}
