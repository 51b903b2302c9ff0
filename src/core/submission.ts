/**
 * Kaggle submissions: `Id,Predicted`, one row per test id, exactly the ids of the dataset's
 * sample_submission.csv in its order (or the sorted test ids when there is none), labels
 * space-separated ascending, empty allowed. Built from probabilities at thresholds (with an optional
 * 'at least one label' rule), validated before writing, and scored against test ground truth
 * (test_labels.csv, Id,Target) with metrics.ts, as `hpa-studio score` does.
 */
import { alignIds, formatLabelCsv, parseLabelCsv, type LabelRow, type ProbsTable } from './csv';
import { isClassId, NUM_CLASSES } from './labels';
import { countsFromLabelSets, f1Report, labelSets, type EmptyClassRule, type F1Report } from './metrics';
import { predictLabels } from './thresholds';

export class SubmissionError extends Error {}

/** The ids a submission must list, in order: sample_submission.csv's, or the test ids sorted. */
export function submissionIds(sample: { text: string; file?: string } | null, testIds?: readonly string[]): string[] {
  if (sample) return parseLabelCsv(sample.text, { file: sample.file ?? 'sample_submission.csv', labelColumn: 'Predicted', allowEmpty: true }).map((r) => r.id);
  if (!testIds) throw new SubmissionError('no sample_submission.csv and no test ids: cannot tell which ids to submit');
  return [...testIds].sort();
}

/**
 * Submission rows for `ids` from probabilities at thresholds. The probabilities must cover every
 * id (an error names the first few missing) and nothing else.
 */
export function buildSubmission(
  ids: readonly string[],
  table: ProbsTable,
  thresholds: number | ArrayLike<number>,
  opts: { atLeastOne?: boolean; files?: { ids: string; probs: string } } = {},
): LabelRow[] {
  const files = opts.files ?? { ids: 'sample_submission.csv', probs: 'probs.csv' };
  const where = alignIds(ids, table.ids, { reference: files.ids, other: files.probs });
  const C = table.numClasses;
  const aligned = new Float32Array(ids.length * C);
  for (let r = 0; r < ids.length; r++) aligned.set(table.probs.subarray(where[r] * C, (where[r] + 1) * C), r * C);
  const sets = labelSets(predictLabels(aligned, thresholds, { atLeastOne: opts.atLeastOne, numClasses: C }), C);
  return ids.map((id, r) => ({ id, labels: sets[r] }));
}

/**
 * Checks a submission before it is written: every expected id exactly once, in order, nothing
 * else, labels integers 0..27. Errors name the row (1-based line of the written file) and the id.
 */
export function validateSubmission(rows: readonly LabelRow[], expectedIds: readonly string[], numClasses = NUM_CLASSES): void {
  const seen = new Map<string, number>();
  const expected = new Set(expectedIds);
  rows.forEach((r, i) => {
    const line = i + 2;
    if (!r.id) throw new SubmissionError(`submission line ${line}: empty Id`);
    if (r.id.includes(',') || /\s/.test(r.id)) throw new SubmissionError(`submission line ${line}: Id '${r.id}' contains a comma or space`);
    const prev = seen.get(r.id);
    if (prev !== undefined) throw new SubmissionError(`submission line ${line}: Id ${r.id} appears twice (first on line ${prev})`);
    seen.set(r.id, line);
    if (!expected.has(r.id)) throw new SubmissionError(`submission line ${line}: Id ${r.id} is not a test id`);
    for (const c of r.labels)
      if (!(isClassId(c) && c < numClasses))
        throw new SubmissionError(`submission line ${line}, Id ${r.id}: label ${c} is not a class id 0..${numClasses - 1}`);
  });
  const missing = expectedIds.filter((id) => !seen.has(id));
  if (missing.length)
    throw new SubmissionError(`submission lacks ${missing.length} test id(s): ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', …' : ''}`);
  for (let i = 0; i < rows.length; i++) {
    if (rows[i].id !== expectedIds[i])
      throw new SubmissionError(`submission line ${i + 2}: Id ${rows[i].id} is out of order (expected ${expectedIds[i]}, as in the sample submission)`);
  }
}

/** The submission CSV text, validated first. */
export function formatSubmission(rows: readonly LabelRow[], expectedIds: readonly string[]): string {
  validateSubmission(rows, expectedIds);
  return formatLabelCsv(rows, 'Predicted');
}

/** Macro F1 of a submission against ground truth (any row order; every truth id must be predicted), as `hpa-studio score`. */
export function scoreSubmission(
  truth: { text: string; file?: string },
  submission: { text: string; file?: string },
  emptyClass: EmptyClassRule = 'zero',
): F1Report & { rows: number } {
  const truthFile = truth.file ?? 'test_labels.csv';
  const predFile = submission.file ?? 'submission.csv';
  const t = parseLabelCsv(truth.text, { file: truthFile });
  const p = parseLabelCsv(submission.text, { file: predFile, labelColumn: 'any', allowEmpty: true });
  const where = alignIds(
    t.map((r) => r.id),
    p.map((r) => r.id),
    { reference: truthFile, other: predFile },
  );
  const report = f1Report(
    countsFromLabelSets(
      t.map((r) => r.labels),
      Array.from(where, (i) => p[i].labels),
    ),
    emptyClass,
  );
  return { rows: t.length, ...report };
}
