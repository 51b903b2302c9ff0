/**
 * From a prediction to what the export view offers: the ensemble plan (thresholds, validation
 * scores), the test labels and the validated submission. Pure, so a prediction stored with its
 * runs gives the same submission, byte for byte, after a reload.
 */
import type { EnsembleChoice, PredictResult, StoredSubmission } from '../../core/predictionResult';
import { ensembleTest, planEnsemble, type EnsemblePlan } from './ensemblePlan';
import { buildSubmissionFile, expectedSubmissionIds, type SubmissionFile } from './submissionFile';
import type { DatasetFacts } from './useDatasetFacts';

export interface PredictionOutputs {
  plan: EnsemblePlan | null;
  test: { probs: Float32Array; labels: Uint8Array } | null;
  submission: SubmissionFile | null;
  error: string | null;
}

export function predictionOutputs(
  prediction: PredictResult,
  submissionOrder: readonly string[] | null,
  facts: Pick<DatasetFacts, 'testIds' | 'testTruth' | 'rates'>,
  choice: EnsembleChoice,
): PredictionOutputs {
  const settings = { ...choice, rates: facts.rates };
  let plan: EnsemblePlan;
  try {
    plan = planEnsemble(prediction.members, settings);
  } catch (e) {
    return { plan: null, test: null, submission: null, error: (e as Error).message };
  }
  const test = ensembleTest(
    prediction.members.map((m) => m.testProbs),
    plan,
    settings,
  );
  try {
    const submission = buildSubmissionFile(prediction.testIds, test.labels, expectedSubmissionIds(submissionOrder, facts.testIds), facts.testTruth);
    return { plan, test, submission, error: null };
  } catch (e) {
    return { plan, test, submission: null, error: (e as Error).message };
  }
}

/** What is kept of a submission: the choice that made it, the thresholds it applied, its text. */
export function storedSubmission(prediction: PredictResult, out: PredictionOutputs, choice: EnsembleChoice): StoredSubmission | null {
  if (!out.plan || !out.submission) return null;
  const vote = choice.method === 'vote' && prediction.members.length > 1;
  return {
    choice: { ...choice },
    thresholds: vote ? out.plan.members.map((m) => Array.from(m.thresholds)) : [Array.from(out.plan.thresholds)],
    text: out.submission.text,
  };
}
