import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { UsageError, type Command } from '../command';
import { readInput } from '../readInput';
import { describeRule } from './score';
import { parseProbsCsv, parseThresholdsCsv } from '../../core/csv';
import { parseEmptyClassRule, type EmptyClassRule } from '../../core/metrics';
import { buildSubmission, formatSubmission, scoreSubmission, submissionIds } from '../../core/submission';

export const submitCommand: Command = {
  name: 'submit',
  summary: 'a Kaggle submission (Id,Predicted) from probs.csv and thresholds, validated; optionally scored',
  usage: `Usage: hpa-studio submit --probs probs.csv (--thresholds thresholds.csv | --threshold T) --out submission.csv [options]

Predicts class c for an image where its probability p > t_c and writes Id,Predicted with labels
space-separated ascending (empty when no class passes). The rows are exactly the ids of the
sample submission, in its order (without --sample: the ids of probs.csv, sorted); the file is
checked (every id once, nothing else, labels 0..27) before it is written.

  --probs FILE         Id,0,…,27 probabilities ('hpa-studio predict' writes them)
  --thresholds FILE    class,threshold per class ('hpa-studio train' / 'thresholds' write them)
  --threshold T        one threshold for every class instead
  --sample FILE        sample_submission.csv (its ids and order)
  --at-least-one       give an image with no label its most probable class
  --out FILE           the submission to write
  --truth FILE         test ground truth (Id,Target, e.g. a synthetic zip's test_labels.csv):
                       prints the submission's macro F1, as 'hpa-studio score'
  --empty-class RULE   for --truth: zero (default) | one | skip`,
  async run(args) {
    const { values: v } = parseArgs({
      args,
      strict: true,
      options: {
        probs: { type: 'string' },
        thresholds: { type: 'string' },
        threshold: { type: 'string' },
        sample: { type: 'string' },
        'at-least-one': { type: 'boolean', default: false },
        out: { type: 'string' },
        truth: { type: 'string' },
        'empty-class': { type: 'string', default: 'zero' },
      },
    });
    if (!v.out) throw new UsageError('--out is required');
    if ((v.thresholds === undefined) === (v.threshold === undefined)) throw new UsageError('give either --thresholds FILE or --threshold T');
    let rule: EmptyClassRule;
    try {
      rule = parseEmptyClassRule(v['empty-class']!);
    } catch (e) {
      throw new UsageError(`--empty-class: ${(e as Error).message}`);
    }
    let thresholds: number | Float64Array;
    if (v.threshold !== undefined) {
      thresholds = Number(v.threshold);
      if (v.threshold.trim() === '' || !(thresholds >= 0 && thresholds <= 1))
        throw new UsageError(`--threshold must be a number in [0, 1], got '${v.threshold}'`);
    } else thresholds = parseThresholdsCsv(readInput(v.thresholds, 'thresholds'), { file: v.thresholds });
    const table = parseProbsCsv(readInput(v.probs, 'probs'), { file: v.probs });
    const ids = v.sample ? submissionIds({ text: readInput(v.sample, 'sample'), file: v.sample }) : submissionIds(null, table.ids);
    const rows = buildSubmission(ids, table, thresholds, { atLeastOne: v['at-least-one'], files: { ids: v.sample ?? v.probs!, probs: v.probs! } });
    const text = formatSubmission(rows, ids);
    writeFileSync(v.out, text);
    const labels = rows.reduce((s, r) => s + r.labels.length, 0);
    const empty = rows.filter((r) => r.labels.length === 0).length;
    console.log(
      `wrote ${v.out}: ${rows.length} rows (ids from ${v.sample ?? 'probs.csv, sorted'}), ${(labels / rows.length).toFixed(3)} labels per image, ${empty} without a label`,
    );
    if (v.truth) {
      const report = scoreSubmission({ text: readInput(v.truth, 'truth'), file: v.truth }, { text, file: v.out }, rule);
      console.log(`macro F1 ${report.macroF1.toFixed(6)}  (${report.rows} rows; ${describeRule(report)})`);
    }
    return 0;
  },
};
