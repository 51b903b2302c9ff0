/**
 * What a prediction job returns (the predict worker posts it; the page shows it and keeps it in
 * IndexedDB with its runs): per run, the test and validation probabilities. Plain structured-clone
 * data, no tfjs.
 */
import type { EnsembleMethod } from './ensemble';
import type { ThresholdMode } from './thresholds';

/** One run's predictions: test rows in `PredictResult.testIds` order; validation rows in `valIds` order. */
export interface MemberPredictions {
  runId: string;
  name: string;
  /** which checkpoint was used */
  checkpoint: 'best' | 'last';
  epoch: number;
  testProbs: Float32Array;
  /** validation ids that are stored train samples (the run's valIds minus any missing), or [] */
  valIds: string[];
  valProbs: Float32Array | null;
  valTruth: Uint8Array | null;
  /** thresholds the model came with (an imported model's studio.json), else null */
  packagedThresholds: number[] | null;
}

export interface PredictResult {
  jobId: string;
  datasetId: string;
  /** the test ids predicted, in submission order (sample_submission.csv's, or sorted) */
  testIds: string[];
  members: MemberPredictions[];
  backend: string;
  seconds: number;
  /** images run through the models (all members, validation + test) */
  images: number;
  /** why it ran on that backend (set by the page, kept with the stored prediction) */
  backendWhy?: string;
  /** set when the backend asked for failed (its GPU device was lost) and the job ran again on another: what happened, in words */
  fallback?: string;
}

/** How a prediction's probabilities become the submission's labels. */
export interface EnsembleChoice {
  method: EnsembleMethod;
  mode: ThresholdMode;
  atLeastOne: boolean;
}

/** The submission made from a stored prediction: the choice that made it, the thresholds it used and its exact text. */
export interface StoredSubmission {
  choice: EnsembleChoice;
  /** the thresholds applied: one list for one run or the mean of several, one per run for a vote */
  thresholds: number[][];
  text: string;
}

/** A prediction kept with its runs: shown again after a reload without predicting again. */
export interface PredictionRecord {
  /** predictionKey(datasetId, runIds) */
  id: string;
  datasetId: string;
  /** the runs it predicted with, sorted (an index: deleting a run deletes its predictions) */
  runIds: string[];
  createdAt: number;
  result: PredictResult;
  /** the last submission offered for it, or null before one was made */
  submission: StoredSubmission | null;
}

/** One stored prediction per dataset and set of runs: predicting the same again replaces it. */
export function predictionKey(datasetId: string, runIds: readonly string[]): string {
  return `${datasetId}|${[...runIds].sort().join(',')}`;
}

/** The bytes a stored prediction takes, near enough: its probability arrays and its ids (ASCII, a byte a character). */
export function predictionBytes(result: PredictResult): number {
  const ids = (list: readonly string[]) => list.reduce((s, id) => s + id.length, 0);
  let bytes = ids(result.testIds);
  for (const m of result.members) bytes += m.testProbs.byteLength + (m.valProbs?.byteLength ?? 0) + (m.valTruth?.byteLength ?? 0) + ids(m.valIds);
  return bytes;
}
