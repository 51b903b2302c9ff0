/**
 * The submission CSV of predicted test labels: ids exactly as the dataset's sample_submission.csv
 * lists them (or its test ids sorted), validated before it is offered, and scored where the
 * dataset has test ground truth.
 */
import { formatLabelCsv } from '../../core/csv';
import { NUM_CLASSES } from '../../core/labels';
import { labelSets } from '../../core/metrics';
import { formatSubmission, scoreSubmission, submissionIds } from '../../core/submission';

export interface SubmissionFile {
  text: string;
  rows: number;
  /** macro F1 against the test ground truth, when the dataset has it */
  testMacroF1: number | null;
  /** rows that got no label */
  emptyRows: number;
}

/** The ids a submission for this dataset must list, in order. */
export function expectedSubmissionIds(submissionOrder: readonly string[] | null, testIds: readonly string[]): string[] {
  return submissionOrder ? [...submissionOrder] : submissionIds(null, testIds);
}

/**
 * The validated submission for predicted labels (row-major 0/1 in `predictedIds` order). Throws a
 * SubmissionError naming the row when the ids do not match `expectedIds`.
 */
export function buildSubmissionFile(
  predictedIds: readonly string[],
  labels: Uint8Array,
  expectedIds: readonly string[],
  truth: { id: string; labels: number[] }[] | null,
  numClasses = NUM_CLASSES,
): SubmissionFile {
  const sets = labelSets(labels, numClasses);
  const byId = new Map(predictedIds.map((id, r) => [id, sets[r]]));
  // rows in the expected order; ids the predictions lack stay out, so validation names them
  const rows = expectedIds.flatMap((id) => (byId.has(id) ? [{ id, labels: byId.get(id)! }] : []));
  const expected = new Set(expectedIds);
  for (const id of predictedIds) if (!expected.has(id)) rows.push({ id, labels: byId.get(id)! });
  const text = formatSubmission(rows, expectedIds);
  const testMacroF1 = truth ? scoreSubmission({ text: formatLabelCsv(truth, 'Target'), file: 'test labels' }, { text, file: 'submission.csv' }).macroF1 : null;
  return { text, rows: rows.length, testMacroF1, emptyRows: rows.filter((r) => !r.labels.length).length };
}
