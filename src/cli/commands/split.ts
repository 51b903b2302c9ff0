import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { UsageError, type Command } from '../command';
import { readInput } from '../readInput';
import { formatFoldsCsv, parseLabelCsv } from '../../core/csv';
import { RARE_CLASSES } from '../../core/labels';
import { classSpread, foldStats, labelDistributionOf, randomKFold, stratifiedHoldout, stratifiedKFold } from '../../core/split';

export const split: Command = {
  name: 'split',
  summary: 'stratified K-fold or hold-out split of a label file (iterative stratification), with its LD',
  usage: `Usage: hpa-studio split --labels train.csv (--folds K | --holdout F) [--seed N] [--out folds.csv] [--json]

Splits the rows of a train.csv (Id,Target) by iterative stratification (Sechidis et al. 2011, as
iterative-stratification's MultilabelStratifiedKFold) and prints the split's label distribution LD
(lower is better; a random split's LD is shown for comparison), the fold sizes and how the rare
classes 8, 9, 10, 15 and 27 are spread.

  --labels FILE   train.csv-format labels (required)
  --folds K       K folds, numbered 0..K-1 (K ≥ 2)
  --holdout F     a hold-out fraction in (0, 1) instead: fold 0 is the hold-out part, fold 1 the rest
  --seed N        integer seed (default 0); the same seed gives the same split
  --out FILE      write Id,fold rows (in the order of the labels file)
  --json          print the summary as JSON`,
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        labels: { type: 'string' },
        folds: { type: 'string' },
        holdout: { type: 'string' },
        seed: { type: 'string' },
        out: { type: 'string' },
        json: { type: 'boolean' },
      },
      strict: true,
    });
    if ((values.folds === undefined) === (values.holdout === undefined)) throw new UsageError('give exactly one of --folds K or --holdout F');
    const seed = values.seed === undefined ? 0 : Number(values.seed);
    if (!Number.isInteger(seed)) throw new UsageError(`--seed must be an integer, got '${values.seed}'`);
    let k = 2,
      fraction: number | undefined;
    if (values.folds !== undefined) {
      k = Number(values.folds);
      if (!Number.isInteger(k) || k < 2) throw new UsageError(`--folds must be an integer ≥ 2, got '${values.folds}'`);
    } else {
      fraction = Number(values.holdout);
      if (!(fraction > 0 && fraction < 1)) throw new UsageError(`--holdout must be a fraction in (0, 1), got '${values.holdout}'`);
    }
    const file = values.labels!;
    const rows = parseLabelCsv(readInput(values.labels, 'labels'), { file });
    const sets = rows.map((r) => r.labels);
    if (k > sets.length) throw new Error(`${file}: ${k} folds for ${sets.length} rows`);

    const t0 = performance.now();
    const folds = fraction === undefined ? stratifiedKFold(sets, k, seed) : stratifiedHoldout(sets, fraction, seed);
    const ms = performance.now() - t0;
    const stats = foldStats(sets, folds, k);
    const ld = labelDistributionOf(stats, sets.length);
    const randomLd = labelDistributionOf(foldStats(sets, randomKFold(sets.length, k, seed), k), sets.length);
    if (values.out)
      writeFileSync(
        values.out,
        formatFoldsCsv(
          rows.map((r) => r.id),
          folds,
        ),
      );

    const summary = {
      file,
      rows: sets.length,
      method: fraction === undefined ? `${k}-fold` : `hold-out ${fraction}`,
      seed,
      ld,
      randomSplitLd: randomLd,
      sizes: [...stats.sizes],
      rareClassSpread: Object.fromEntries(RARE_CLASSES.map((c) => [c, classSpread(stats, c)])),
      ms: Math.round(ms),
      out: values.out ?? null,
    };
    if (values.json) {
      console.log(JSON.stringify(summary, null, 2));
      return 0;
    }
    console.log(`${file}: ${sets.length} rows, ${summary.method} iterative stratification, seed ${seed} (${summary.ms} ms)`);
    console.log(`LD ${ld.toExponential(3)} (a random split with this seed: ${randomLd.toExponential(3)})`);
    console.log(`fold sizes: ${summary.sizes.join(', ')}${fraction !== undefined ? ' (fold 0 = hold-out)' : ''}`);
    for (const c of RARE_CLASSES) console.log(`class ${String(c).padStart(2)} per fold: ${classSpread(stats, c).join(', ')}`);
    if (values.out) console.log(`wrote ${values.out} (Id,fold)`);
    return 0;
  },
};
