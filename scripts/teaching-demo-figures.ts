/**
 * The figures of docs/teaching-demo.md: the studio's quick-demo recipe (preset('quick')) trained by
 * the CLI on the teaching demo, one seed after another. For each seed it generates the dataset
 * (`make-dataset --teaching --seed K`), trains (`train` with the preset's settings and `--seed K`,
 * WebAssembly backend) and reports validation macro F1 at threshold 0.5 and with per-class
 * thresholds fitted on that same validation split (as the CLI prints it), and the test split's macro
 * F1 at 0.5 and at those thresholds (`predict` on test/, scored against the plan's test labels:
 * thresholds that never saw these samples). Then the mean, standard deviation and range over seeds.
 *
 *   npx tsx scripts/teaching-demo-figures.ts [--seeds 1,2,3] [--epochs E] [--train N --test M]
 *       [--model NAME] [--realistic] [--no-test] [--dir /tmp/hpa-teaching-demo]
 *
 * --realistic runs the same recipe on the realistic demo (capped dominant classes, no balancing) for
 * comparison. Run it on an otherwise idle machine: the times are wall-clock. Writes DIR/figures.json.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseProbsCsv, parseThresholdsCsv } from '../src/core/csv';
import { NUM_CLASSES } from '../src/core/labels';
import { countsAtThresholds, f1Report, labelMatrix } from '../src/core/metrics';
import { preset } from '../src/core/runConfig';
import { chooseThresholds } from '../src/core/thresholds';
import type { EpochLogs } from '../src/core/train/logs';
import { classCounts, demoSynthOptions, planDataset, TEACHING_DEMO, type PlannedSample } from '../src/synth/index';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '1,2,3' },
    epochs: { type: 'string' },
    train: { type: 'string', default: String(TEACHING_DEMO.train) },
    test: { type: 'string', default: String(TEACHING_DEMO.test) },
    size: { type: 'string', default: String(TEACHING_DEMO.size) },
    model: { type: 'string' },
    realistic: { type: 'boolean', default: false },
    'no-test': { type: 'boolean', default: false },
    dir: { type: 'string', default: join(tmpdir(), 'hpa-teaching-demo') },
  },
});
const seeds = values.seeds.split(',').map(Number);
const size = Number(values.size);
const quick = preset('quick', size);
const recipe = { ...quick, epochs: values.epochs ? Number(values.epochs) : quick.epochs, model: values.model ?? quick.model };
const teaching = !values.realistic;
const dir = values.dir;
mkdirSync(dir, { recursive: true });

/** CPU seconds (user + system) of this process's finished children, from /proc (Linux; NaN elsewhere). */
function childCpuSeconds(): number {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    // fields after the command name start at field 3 (state): cutime and cstime are fields 16 and 17
    return (Number(fields[16 - 3]) + Number(fields[17 - 3])) / 100;
  } catch {
    return NaN;
  }
}

const cli = (args: string[]) =>
  execFileSync(process.execPath, [join(root, 'bin/hpa-studio.mjs'), ...args], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });

/** Macro F1 of probabilities against label sets (rows in `ids` order) at the thresholds. */
function macroF1(ids: string[], probs: Float32Array, labelsById: Map<string, number[]>, thresholds: number | ArrayLike<number>) {
  const truth = labelMatrix(ids.map((id) => labelsById.get(id)!));
  return f1Report(countsAtThresholds(truth, probs, thresholds, NUM_CLASSES), 'zero');
}

interface SeedFigures {
  seed: number;
  valRows: number;
  minValPositives: number;
  epochs: number;
  bestEpoch: number;
  trainSeconds: number;
  trainCommandSeconds: number;
  /** CPU seconds of the train command: what it takes on an otherwise idle core (wasm trains on one thread) */
  trainCommandCpuSeconds: number;
  valF1At05: number;
  valF1Tuned: number;
  valClassesAbove0At05: number;
  lastEpochValF1At05: number;
  testF1At05: number | null;
  testF1ValThresholds: number | null;
}

const results: SeedFigures[] = [];
for (const seed of seeds) {
  const opts = demoSynthOptions({ train: Number(values.train), test: Number(values.test), size, seed, teaching });
  const zip = join(dir, `${teaching ? 'teaching' : 'realistic'}-${opts.train}-${opts.test}-${size}-seed${seed}.zip`);
  cli([
    'make-dataset',
    '--train',
    String(opts.train),
    '--test',
    String(opts.test),
    '--size',
    String(size),
    '--seed',
    String(seed),
    teaching ? '--teaching' : '--cap-dominant',
    '--quiet',
    '--out',
    zip,
  ]);
  const out = join(dir, `run-seed${seed}`);
  rmSync(out, { recursive: true, force: true });
  const args = [
    'train',
    '--data',
    zip,
    '--out',
    out,
    '--model',
    recipe.model,
    '--size',
    String(recipe.inputSize),
    '--loss',
    recipe.loss,
    '--gamma',
    String(recipe.gamma),
  ];
  const alpha = recipe.alpha;
  if (alpha.mode !== 'none' && alpha.mode !== 'scalar' && alpha.mode !== 'inverse-frequency' && alpha.mode !== 'log-damped')
    throw new Error(`the CLI has no --alpha for ${alpha.mode}`);
  args.push('--alpha', alpha.mode === 'scalar' ? String(alpha.value) : alpha.mode);
  args.push(
    '--epochs',
    String(recipe.epochs),
    '--batch',
    String(recipe.batchSize),
    '--lr',
    String(recipe.lr),
    '--sampler',
    recipe.sampler,
    '--monitor',
    recipe.monitor,
  );
  args.push('--lr-patience', String(recipe.plateau?.patience ?? 0), '--lr-factor', String(recipe.plateau?.factor ?? 0.5), '--seed', String(seed));
  if (recipe.split.kind === 'holdout') args.push('--holdout', String(recipe.split.fraction));
  if (!recipe.augment.flips && !recipe.augment.rotate90) args.push('--no-augment');
  console.error(`seed ${seed}: node bin/hpa-studio.mjs ${args.join(' ')}`);
  const t0 = performance.now();
  const cpu0 = childCpuSeconds();
  const log = cli(args);
  const trainCommandSeconds = (performance.now() - t0) / 1000;
  const trainCommandCpuSeconds = childCpuSeconds() - cpu0;
  process.stderr.write(log);

  const plan = planDataset(opts);
  const byId = (samples: PlannedSample[]) => new Map(samples.map((s) => [s.id, s.labels]));
  const history = JSON.parse(readFileSync(join(out, 'history.json'), 'utf8')) as EpochLogs[];
  const bestEpoch = Number(/best epoch (\d+)/.exec(log)?.[1] ?? NaN);
  const val = parseProbsCsv(readFileSync(join(out, 'val-probs.csv'), 'utf8'));
  const trainLabels = byId(plan.train);
  const valTruth = labelMatrix(val.ids.map((id) => trainLabels.get(id)!));
  const valCounts = classCounts(val.ids.map((id) => ({ labels: trainLabels.get(id)! })));
  const at05 = macroF1(val.ids, val.probs, trainLabels, 0.5);
  const tuned = chooseThresholds(valTruth, val.probs, 'per-class');
  let testF1At05: number | null = null;
  let testF1ValThresholds: number | null = null;
  if (!values['no-test'] && opts.test > 0) {
    const probsFile = join(out, 'test-probs.csv');
    cli(['predict', '--model', join(out, 'model.zip'), '--data', zip, '--out', probsFile, '--batch', String(recipe.batchSize)]);
    const test = parseProbsCsv(readFileSync(probsFile, 'utf8'));
    const thresholds = parseThresholdsCsv(readFileSync(join(out, 'thresholds.csv'), 'utf8'));
    const testLabels = byId(plan.test);
    testF1At05 = macroF1(test.ids, test.probs, testLabels, 0.5).macroF1;
    testF1ValThresholds = macroF1(test.ids, test.probs, testLabels, thresholds).macroF1;
  }
  const r: SeedFigures = {
    seed,
    valRows: val.ids.length,
    minValPositives: Math.min(...valCounts),
    epochs: history.length,
    bestEpoch,
    trainSeconds: history.reduce((s, h) => s + h.seconds, 0),
    trainCommandSeconds,
    trainCommandCpuSeconds,
    valF1At05: at05.macroF1,
    valF1Tuned: tuned.report.macroF1,
    valClassesAbove0At05: at05.perClass.filter((c) => c.f1 > 0).length,
    lastEpochValF1At05: history[history.length - 1].valMacroF1,
    testF1At05,
    testF1ValThresholds,
  };
  results.push(r);
  console.error(JSON.stringify(r));
}

const stats = (xs: number[]) => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)) : 0;
  return { mean, sd, min: Math.min(...xs), max: Math.max(...xs) };
};
const f = (x: number | null, d = 3) => (x === null ? '–' : x.toFixed(d));
const cols: [string, (r: SeedFigures) => number | null, number][] = [
  ['val macro F1 at 0.5', (r) => r.valF1At05, 3],
  ['val macro F1, per-class thresholds (fitted on val)', (r) => r.valF1Tuned, 3],
  ['test macro F1 at 0.5', (r) => r.testF1At05, 3],
  ['test macro F1 at the val thresholds', (r) => r.testF1ValThresholds, 3],
  ['classes with val F1 > 0 at 0.5', (r) => r.valClassesAbove0At05, 0],
  ['training s (epochs incl. validation)', (r) => r.trainSeconds, 0],
  ['train command s (incl. start, reading)', (r) => r.trainCommandSeconds, 0],
  ['train command CPU s (user + system)', (r) => r.trainCommandCpuSeconds, 0],
];
const machine = `${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}`;
const lines = [
  `${teaching ? 'Teaching' : 'Realistic'} demo, ${values.train} train + ${values.test} test at ${size} px; ${recipe.model} ${recipe.inputSize} px, ${recipe.loss} γ ${recipe.gamma}, ${recipe.epochs} epochs of batch ${recipe.batchSize}, lr ${recipe.lr}, 20 % stratified hold-out; ${new Date().toISOString().slice(0, 10)}; ${machine}`,
  '',
  `| | ${results.map((r) => `seed ${r.seed}`).join(' | ')} | mean ± sd (min–max) |`,
  `|---|${results.map(() => '---:').join('|')}|---:|`,
  ...cols.map(([name, get, d]) => {
    const xs = results.map(get);
    const known = xs.filter((x): x is number => x !== null);
    const s = known.length ? stats(known) : null;
    return `| ${name} | ${xs.map((x) => f(x, d)).join(' | ')} | ${s ? `${f(s.mean, d)} ± ${f(s.sd, d)} (${f(s.min, d)}–${f(s.max, d)})` : '–'} |`;
  }),
  `| fewest val positives of a class | ${results.map((r) => r.minValPositives).join(' | ')} | |`,
];
writeFileSync(join(dir, 'figures.json'), JSON.stringify({ machine, recipe, teaching, results }, null, 2) + '\n');
console.log(lines.join('\n'));
