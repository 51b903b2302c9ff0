/**
 * A K-fold group's folds as the core's FoldPredictions (src/core/foldGroup.ts): each finished fold's
 * held-out ids, probabilities and truth, and, once the fold models have predicted the test split,
 * their test probabilities. Where that prediction also re-predicted the held-out images (Predict's
 * job does), those come from the same weights as the test probabilities; otherwise from the fold
 * runs' last epoch as stored with them.
 */
import type { FoldPredictions } from '../../core/foldGroup';
import type { PredictResult } from '../../core/predictionResult';
import type { FoldGroupRecord, RunRecord } from '../../data/catalog';

export interface GroupFolds {
  folds: FoldPredictions[];
  /** where the held-out probabilities come from */
  source: 'prediction' | 'runs';
  /** the group's folds that have no held-out predictions yet (not trained, stopped before an epoch) */
  missing: number[];
}

/** The prediction is of exactly the group's finished folds (any order). */
export function predictsFolds(prediction: PredictResult | null, runIds: readonly string[]): prediction is PredictResult {
  if (!prediction || prediction.members.length !== runIds.length) return false;
  const mine = new Set(runIds);
  return prediction.members.every((m) => mine.has(m.runId));
}

export function groupFolds(group: FoldGroupRecord, runs: readonly RunRecord[], prediction: PredictResult | null, numClasses: number): GroupFolds {
  const ready: { fold: number; run: RunRecord }[] = [];
  const missing: number[] = [];
  for (const m of group.members) {
    const run = runs.find((r) => r.id === m.runId);
    if (run && run.valProbs && run.valTruth && run.valIds.length > 0 && run.valProbs.length === run.valIds.length * numClasses)
      ready.push({ fold: m.fold, run });
    else missing.push(m.fold);
  }
  const predicted = predictsFolds(
    prediction,
    ready.map((r) => r.run.id),
  );
  const folds = ready.map(({ fold, run }): FoldPredictions => {
    const p = predicted ? prediction.members.find((m) => m.runId === run.id)! : null;
    const fromPrediction = p && p.valProbs && p.valTruth && p.valIds.length > 0;
    return {
      fold,
      name: run.name,
      valIds: fromPrediction ? p.valIds : run.valIds,
      valProbs: fromPrediction ? p.valProbs! : run.valProbs!,
      valTruth: fromPrediction ? p.valTruth! : run.valTruth!,
      ...(p ? { testIds: prediction!.testIds, testProbs: p.testProbs } : {}),
    };
  });
  const source =
    predicted && folds.every((f, i) => f.valProbs === prediction.members.find((m) => m.runId === ready[i].run.id)!.valProbs) ? 'prediction' : 'runs';
  return { folds, source, missing };
}

/** Test ground truth as the comparison takes it: ids and a 0/1 matrix [ids × classes]. */
export function testTruthMatrix(truth: readonly { id: string; labels: readonly number[] }[], numClasses: number): { ids: string[]; truth: Uint8Array } {
  const m = new Uint8Array(truth.length * numClasses);
  truth.forEach((t, r) => t.labels.forEach((c) => (m[r * numClasses + c] = 1)));
  return { ids: truth.map((t) => t.id), truth: m };
}
