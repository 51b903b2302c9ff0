import { parseArgs } from 'node:util';
import { UsageError, type Command } from '../command';
import { readInput } from '../readInput';
import { alignIds, parseLabelCsv } from '../../core/csv';
import { className } from '../../core/labels';
import { countsFromLabelSets, f1Report, parseEmptyClassRule, type F1Report } from '../../core/metrics';

export const score: Command = {
  name: 'score',
  summary: 'macro F1 of a submission against true labels, with a per-class table',
  usage: `Usage: hpa-studio score --truth labels.csv --pred submission.csv [--empty-class zero|one|skip] [--json]

Scores predicted label sets against true ones: macro F1 over the 28 classes (F1_c = 2TP/(2TP+FP+FN))
with six decimals, then per class TP, FP, FN, precision, recall and F1. Rows may come in any order;
every Id must appear in both files.

  --truth FILE          true labels, train.csv format (Id,Target)
  --pred FILE           predictions, submission format (Id,Predicted; empty predictions allowed)
  --empty-class RULE    score of a class absent from truth and prediction: zero (default, as
                        scikit-learn's zero_division=0), one, or skip (left out of the mean)
  --json                print the report as JSON`,
  async run(args) {
    const { values } = parseArgs({
      args,
      options: { truth: { type: 'string' }, pred: { type: 'string' }, 'empty-class': { type: 'string' }, json: { type: 'boolean' } },
      strict: true,
    });
    let rule;
    try {
      rule = parseEmptyClassRule(values['empty-class'] ?? 'zero');
    } catch (e) {
      throw new UsageError(`--empty-class: ${(e as Error).message}`);
    }
    const truthText = readInput(values.truth, 'truth');
    const predText = readInput(values.pred, 'pred');
    const truth = parseLabelCsv(truthText, { file: values.truth! });
    const pred = parseLabelCsv(predText, { file: values.pred!, labelColumn: 'any', allowEmpty: true });
    const where = alignIds(
      truth.map((r) => r.id),
      pred.map((r) => r.id),
      { reference: values.truth!, other: values.pred! },
    );
    const report = f1Report(
      countsFromLabelSets(
        truth.map((r) => r.labels),
        Array.from(where, (i) => pred[i].labels),
      ),
      rule,
    );
    if (values.json) {
      console.log(JSON.stringify({ rows: truth.length, ...report }, (_, v) => (typeof v === 'number' && Number.isNaN(v) ? null : v), 2));
      return 0;
    }
    console.log(`macro F1 ${report.macroF1.toFixed(6)}  (${truth.length} rows; ${describeRule(report)})`);
    console.log(formatTable(report));
    return 0;
  },
};

export function describeRule(r: F1Report): string {
  const empty = r.emptyClasses.length ? `class${r.emptyClasses.length > 1 ? 'es' : ''} ${r.emptyClasses.join(', ')}` : 'none';
  const rule = r.emptyClass === 'skip' ? `left out, mean over ${r.scoredClasses} classes` : `scored ${r.emptyClass === 'one' ? 1 : 0}`;
  return `empty classes (no truth, no prediction): ${empty} — ${rule}, rule '${r.emptyClass}'`;
}

export function formatTable(r: F1Report): string {
  const num = (v: number) => (Number.isNaN(v) ? '     –' : v.toFixed(4));
  const lines = [`class  ${'name'.padEnd(30)} support     TP     FP     FN  precision  recall      F1`];
  for (const s of r.perClass) {
    lines.push(
      `${String(s.cls).padStart(5)}  ${className(s.cls).padEnd(30)} ${String(s.support).padStart(7)} ${String(s.tp).padStart(6)} ${String(s.fp).padStart(6)} ${String(s.fn).padStart(6)}     ${num(s.precision)}  ${num(s.recall)}  ${num(s.f1)}${s.empty ? '  (empty)' : ''}`,
    );
  }
  return lines.join('\n');
}
