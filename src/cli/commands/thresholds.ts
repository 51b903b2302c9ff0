import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { UsageError, type Command } from '../command';
import { readInput } from '../readInput';
import { alignIds, formatThresholdsCsv, parseLabelCsv, parseProbsCsv } from '../../core/csv';
import { TRAIN_COUNTS, TRAIN_IMAGES } from '../../core/labels';
import { labelMatrix, parseEmptyClassRule } from '../../core/metrics';
import { chooseThresholds, parseThresholdMode, scoreThresholds } from '../../core/thresholds';
import { describeRule, formatTable } from './score';

export const thresholds: Command = {
  name: 'thresholds',
  summary: 'choose decision thresholds from held-out probabilities (global, per-class, Lipton, proportion)',
  usage: `Usage: hpa-studio thresholds --truth labels.csv --probs probs.csv --mode MODE [--out thresholds.csv] [options]

Chooses one threshold per class from held-out probabilities (rule: class c is predicted when p > t_c)
and prints the macro F1 they reach on those same probabilities (optimistic for per-class thresholds on
rare classes: check them on another fold).

  --truth FILE         true labels, train.csv format (Id,Target)
  --probs FILE         probabilities, Id,0,1,…,27 (rows in any order, same Ids as --truth)
  --mode MODE          global      one threshold, the best macro F1 on the grid
                       per-class   each class's first best-F1 threshold on the grid
                       lipton      t_c = best F1_c / 2 (Lipton et al. 2014)
                       proportion  predicted positive rate of each class = a target rate (--rates)
  --step S             grid step for global/per-class/lipton (default 0.001; 0.01 is coarser)
  --rates SRC          proportion targets: truth (prevalence in --truth, default) or train (real train.csv)
  --empty-class RULE   zero (default) | one | skip: how a class absent from truth and prediction scores
  --at-least-one       also report the score when each row's top class is forced on if none passes
  --out FILE           write class,threshold rows 0..27
  --json               print the result as JSON`,
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        truth: { type: 'string' },
        probs: { type: 'string' },
        mode: { type: 'string' },
        step: { type: 'string' },
        rates: { type: 'string' },
        'empty-class': { type: 'string' },
        'at-least-one': { type: 'boolean' },
        out: { type: 'string' },
        json: { type: 'boolean' },
      },
      strict: true,
    });
    if (!values.mode) throw new UsageError('--mode is required (global, per-class, lipton or proportion)');
    let mode, rule;
    try {
      mode = parseThresholdMode(values.mode);
      rule = parseEmptyClassRule(values['empty-class'] ?? 'zero');
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const step = values.step === undefined ? 0.001 : Number(values.step);
    const K = Math.round(1 / step);
    if (!(step > 0 && step < 1) || Math.abs(K * step - 1) > 1e-9) throw new UsageError(`--step must divide 1 (e.g. 0.01, 0.001), got '${values.step}'`);
    const ratesFrom = values.rates ?? 'truth';
    if (ratesFrom !== 'truth' && ratesFrom !== 'train') throw new UsageError(`--rates must be truth or train, got '${ratesFrom}'`);

    const truthText = readInput(values.truth, 'truth');
    const probsText = readInput(values.probs, 'probs');
    const truthRows = parseLabelCsv(truthText, { file: values.truth! });
    const table = parseProbsCsv(probsText, { file: values.probs! });
    const where = alignIds(
      truthRows.map((r) => r.id),
      table.ids,
      { reference: values.truth!, other: values.probs! },
    );
    const probs = new Float32Array(truthRows.length * 28);
    where.forEach((src, r) => probs.set(table.probs.subarray(src * 28, src * 28 + 28), r * 28));
    const truth = labelMatrix(truthRows.map((r) => r.labels));

    let rates: number[] | undefined;
    if (mode === 'proportion') {
      if (ratesFrom === 'train') rates = TRAIN_COUNTS.map((n) => n / TRAIN_IMAGES);
      else {
        const counts = new Array(28).fill(0);
        for (const r of truthRows) for (const c of r.labels) counts[c]++;
        rates = counts.map((n) => n / truthRows.length);
      }
    }
    const result = chooseThresholds(truth, probs, mode, { step, emptyClass: rule, rates });
    const forced = values['at-least-one'] ? scoreThresholds(truth, probs, result.thresholds, { atLeastOne: true, emptyClass: rule }) : null;
    if (values.out) writeFileSync(values.out, formatThresholdsCsv(result.thresholds));

    const uninformative = result.informative.flatMap((ok, c) => (ok ? [] : [c]));
    if (values.json) {
      const out = {
        mode,
        step,
        rows: truthRows.length,
        thresholds: [...result.thresholds],
        uninformative,
        macroF1: result.report.macroF1,
        macroF1AtLeastOne: forced?.macroF1 ?? null,
        emptyClass: rule,
        out: values.out ?? null,
      };
      console.log(JSON.stringify(out, null, 2));
      return 0;
    }
    console.log(`mode ${mode}${mode === 'proportion' ? ` (target rates from ${ratesFrom})` : `, grid step ${step}`}, ${truthRows.length} rows`);
    console.log(`macro F1 ${result.report.macroF1.toFixed(6)} on these probabilities  (${describeRule(result.report)})`);
    if (forced) console.log(`macro F1 ${forced.macroF1.toFixed(6)} with the top class forced on for rows with no label`);
    if (uninformative.length && mode !== 'global' && mode !== 'proportion')
      console.log(`no positives in --truth for classes ${uninformative.join(', ')}: they get the global threshold`);
    console.log('thresholds: ' + Array.from(result.thresholds, (t, c) => `${c}:${Number(t.toFixed(4))}`).join(' '));
    console.log(formatTable(result.report));
    if (values.out) console.log(`wrote ${values.out} (class,threshold)`);
    return 0;
  },
};
