/**
 * `npm run bench -- --parity`: learning parity, the studio against PyTorch (issue #26). Both train
 * GAPNet on the same synthetic set, the same split (a file both read), the same pixels and the same
 * recipe, over several seeds; both are scored by the same code on the held-out test split: macro F1
 * at threshold 0.5 and with per-class thresholds fitted on the validation split. The check: the
 * studio's mean test macro F1 (per-class thresholds) lies within the range of the PyTorch runs.
 *
 * For each seed:
 * - split-s<seed>.csv: the studio's stratified hold-out of the train split for that seed
 *   (src/core/split.ts, what `hpa-studio train --seed N --holdout F` computes); PyTorch reads it,
 *   and the CLI's val-probs.csv must list exactly its validation ids (checked);
 * - init-s<seed>.json/.bin: the studio's initial weights (createModel with the seed, as the CLI);
 *   PyTorch loads them, and both models' eval-mode probabilities of the first validation images
 *   are compared before training (the "init check");
 * - the studio: `node bin/hpa-studio.mjs train` (Node, wasm, one thread) then `predict` on the test
 *   split, as a user would run them;
 * - PyTorch: bench/parity_torch.py on the pixels the studio's zip readers decoded (data/), one thread.
 * Writes <out>/parity-<date>-<machine>.md and .json. bench/README.md ("Learning parity").
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { machineFacts } from './lib/machine';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Uint8ArrayWriter } from '@zip.js/zip.js';
import * as tf from '@tensorflow/tfjs';
import { UsageError } from '../src/cli/command';
import { openZip } from '../src/cli/openZip';
import { openTestZip } from '../src/cli/testZip';
import { readTrainZip } from '../src/cli/zipDataset';
import { parseLabelCsv, parseProbsCsv } from '../src/core/csv';
import { NUM_CLASSES } from '../src/core/labels';
import { countsAtThresholds, macroF1 } from '../src/core/metrics';
import { createModel, MIN_INPUT_SIZE } from '../src/core/models/registry';
import { stratifiedHoldout } from '../src/core/split';
import { chooseThresholds } from '../src/core/thresholds';

const PY = '/usr/bin/python3';
const BIN = 'bin/hpa-studio.mjs';

export type ParityData = 'teaching' | 'realistic';

export interface ParityOptions {
  /** the teaching demo, the realistic demo (generated, cached in workDir), or a Kaggle-layout zip with test_labels.csv */
  data: ParityData | { zip: string };
  /** generated sets: train / test samples, image side and generator seed */
  train: number;
  test: number;
  dataSeed: number;
  /** model input side (and the generated images' side) */
  size: number;
  model: 'gapnet-pl' | 'gapnet-kaggle';
  loss: 'focal' | 'bce';
  gamma: number;
  epochs: number;
  batch: number;
  lr: number;
  holdout: number;
  seeds: number[];
  outDir: string;
  workDir: string;
  log: (line: string) => void;
}

/** Mean and half the range of some runs, as the parity table prints them (mean ± half-range). */
export interface Spread {
  mean: number;
  halfRange: number;
  min: number;
  max: number;
  n: number;
}

export function spread(values: readonly number[]): Spread {
  if (!values.length) return { mean: NaN, halfRange: NaN, min: NaN, max: NaN, n: 0 };
  const min = Math.min(...values);
  const max = Math.max(...values);
  return { mean: values.reduce((s, v) => s + v, 0) / values.length, halfRange: (max - min) / 2, min, max, n: values.length };
}

/** The parity check: the studio's mean lies within [min, max] of the reference runs (inclusive). */
export function withinRange(studio: readonly number[], reference: readonly number[]): { pass: boolean; studioMean: number; refMin: number; refMax: number } {
  const s = spread(studio);
  const r = spread(reference);
  return { pass: s.n > 0 && r.n > 0 && s.mean >= r.min && s.mean <= r.max, studioMean: s.mean, refMin: r.min, refMax: r.max };
}

/** Macro F1 at one threshold or per-class thresholds ('zero' for a class with no positives and no predictions, as `hpa-studio score`). */
export function macroF1At(truth: Uint8Array, probs: Float32Array, thresholds: number | ArrayLike<number>): number {
  return macroF1(countsAtThresholds(truth, probs, thresholds, NUM_CLASSES), 'zero');
}

export interface RunScore {
  seed: number;
  framework: 'studio' | 'pytorch';
  bestEpoch: number;
  epochsRun: number;
  valTuned: number;
  testAt05: number;
  testTuned: number;
  wallSeconds: number;
}

function runChild(args: string[], log: (l: string) => void, prefix: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(args[0], args.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => {
      out += d;
      for (const l of String(d).split('\n')) if (/^epoch /.test(l)) log(`${prefix}${l}`);
    });
    p.stderr.on('data', (d: Buffer) => (err += d));
    p.on('error', reject);
    p.on('exit', (code) => resolve({ code, out, err }));
  });
}

async function mustRun(args: string[], log: (l: string) => void, prefix: string): Promise<string> {
  const r = await runChild(args, log, prefix);
  if (r.code !== 0) throw new Error(`${args.slice(0, 3).join(' ')} … exited with ${r.code}: ${(r.err || r.out).trim().split('\n').slice(-5).join(' | ')}`);
  return r.out;
}

function machineInfo(torchVersion: string, loadStart: number[]) {
  const facts = machineFacts();
  const { cpu } = facts;
  return {
    ...facts,
    tfjs: tf.version.tfjs,
    torch: torchVersion,
    loadStart,
    loadEnd: loadavg(),
    slug: `${cpu
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')}-${cpus().length}c`,
  };
}

function dataLabel(o: ParityOptions): string {
  if (typeof o.data === 'object') return o.data.zip;
  return `${o.data === 'teaching' ? 'teaching demo' : 'realistic demo'} (make-dataset ${makeDatasetArgs(o).join(' ')})`;
}

function makeDatasetArgs(o: ParityOptions): string[] {
  const kind = o.data === 'teaching' ? ['--teaching'] : ['--cap-dominant'];
  return [...kind, '--train', String(o.train), '--test', String(o.test), '--size', String(o.size), '--seed', String(o.dataSeed)];
}

async function datasetZip(o: ParityOptions): Promise<string> {
  if (typeof o.data === 'object') return o.data.zip;
  const zip = join(o.workDir, `${o.data}-${o.train}-${o.test}-${o.size}px-s${o.dataSeed}.zip`);
  if (existsSync(zip)) return zip; // the same options give the same bytes
  o.log(`generating ${zip}`);
  await mustRun([process.execPath, BIN, 'make-dataset', ...makeDatasetArgs(o), '--quiet', '--out', zip], o.log, '');
  return zip;
}

interface Prepared {
  ids: string[];
  labelSets: number[][];
  images: Uint8Array;
  testIds: string[];
  testTruth: Uint8Array;
  dataDir: string;
}

/** Decodes the zip once with the studio's readers and writes the pixels and labels PyTorch reads (data/). */
async function prepareData(zip: string, o: ParityOptions): Promise<Prepared> {
  const train = await readTrainZip(zip, { size: o.size });
  if (train.imageSize !== o.size) throw new Error(`${zip}: images are ${train.sourceSize} px, smaller than the input size ${o.size}`);
  const test = await openTestZip(zip, { size: o.size });
  const pixels = o.size * o.size * 4;
  const testImages = new Uint8Array(test.ids.length * pixels);
  let row = 0;
  try {
    for await (const b of test.source.batches(64)) {
      const x = b.x as Uint8Array;
      testImages.set(x, row * pixels);
      row += x.length / pixels;
    }
  } finally {
    await test.close();
  }
  // the test truth: test_labels.csv of the zip, in the order of the test ids
  const z = await openZip(zip);
  let truthRows;
  try {
    const name = [...z.files.keys()].find((n) => /^(?:[^/]+\/)?test_labels\.csv$/.test(n));
    if (!name) throw new Error(`${zip} has no test_labels.csv: the test split cannot be scored`);
    truthRows = parseLabelCsv(new TextDecoder().decode(await z.files.get(name)!.getData(new Uint8ArrayWriter())), { file: `${zip}:${name}` });
  } finally {
    await z.close();
  }
  const byId = new Map(truthRows.map((r) => [r.id, r.labels]));
  const testTruth = new Uint8Array(test.ids.length * NUM_CLASSES);
  test.ids.forEach((id, i) => {
    const labels = byId.get(id);
    if (!labels) throw new Error(`${zip}: test_labels.csv has no row for test id ${id}`);
    for (const c of labels) testTruth[i * NUM_CLASSES + c] = 1;
  });
  const dataDir = join(o.workDir, 'data');
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(join(dataDir, 'train.u8'), train.images);
  writeFileSync(join(dataDir, 'train-labels.u8'), train.labels);
  writeFileSync(join(dataDir, 'test.u8'), testImages);
  writeFileSync(join(dataDir, 'test-labels.u8'), testTruth);
  writeFileSync(
    join(dataDir, 'meta.json'),
    JSON.stringify({ zip, size: o.size, channels: 4, classes: NUM_CLASSES, train: { ids: train.ids }, test: { ids: test.ids } }),
  );
  return { ids: train.ids, labelSets: train.labelSets, images: train.images, testIds: test.ids, testTruth, dataDir };
}

/** The studio's initial weights for a seed (createModel, as `hpa-studio train --seed`), as tfjs names + float32 little-endian; and its eval-mode probabilities of some images. */
async function dumpInit(o: ParityOptions, seed: number, path: string, images: Uint8Array, rows: number[]): Promise<Float32Array> {
  const model = createModel(o.model, { inputSize: o.size, seed });
  try {
    const entries: { name: string; shape: number[]; offset: number }[] = [];
    const parts: Float32Array[] = [];
    let offset = 0;
    for (const w of model.weights) {
      const values = (await w.read().data()) as Float32Array;
      entries.push({ name: w.originalName, shape: w.shape as number[], offset });
      parts.push(values);
      offset += values.length;
    }
    const all = new Float32Array(offset);
    parts.reduce((at, p) => (all.set(p, at), at + p.length), 0);
    writeFileSync(`${path}.bin`, new Uint8Array(all.buffer));
    writeFileSync(`${path}.json`, JSON.stringify({ model: o.model, inputSize: o.size, seed, bin: `${path.split('/').at(-1)}.bin`, weights: entries }));
    const pixels = o.size * o.size * 4;
    const x = new Uint8Array(rows.length * pixels);
    rows.forEach((r, i) => x.set(images.subarray(r * pixels, (r + 1) * pixels), i * pixels));
    const probs = tf.tidy(() => model.predict(tf.tensor4d(Float32Array.from(x), [rows.length, o.size, o.size, 4])) as tf.Tensor);
    const out = (await probs.data()) as Float32Array;
    probs.dispose();
    return out;
  } finally {
    model.dispose();
  }
}

function readProbs(path: string, ids: readonly string[]): Float32Array {
  const t = parseProbsCsv(readFileSync(path, 'utf8'), { file: path });
  const at = new Map(t.ids.map((id, i) => [id, i]));
  const out = new Float32Array(ids.length * NUM_CLASSES);
  ids.forEach((id, i) => {
    const r = at.get(id);
    if (r === undefined) throw new Error(`${path} has no row for ${id}`);
    out.set(t.probs.subarray(r * NUM_CLASSES, (r + 1) * NUM_CLASSES), i * NUM_CLASSES);
  });
  if (t.ids.length !== ids.length) throw new Error(`${path} has ${t.ids.length} rows, expected ${ids.length}`);
  return out;
}

function score(valTruth: Uint8Array, valProbs: Float32Array, testTruth: Uint8Array, testProbs: Float32Array) {
  const th = chooseThresholds(valTruth, valProbs, 'per-class');
  return {
    valTuned: macroF1At(valTruth, valProbs, th.thresholds),
    testAt05: macroF1At(testTruth, testProbs, 0.5),
    testTuned: macroF1At(testTruth, testProbs, th.thresholds),
  };
}

const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '–');
const pm = (s: Spread) => `${f3(s.mean)} ± ${f3(s.halfRange)}`;

export interface ParityResult {
  runs: RunScore[];
  pass: boolean;
  files: string[];
}

export async function runParity(o: ParityOptions): Promise<ParityResult> {
  const t0 = performance.now();
  const loadStart = loadavg();
  mkdirSync(o.workDir, { recursive: true });
  await tf.setBackend('cpu'); // only the initial weights and the init check run here; training runs in the CLI
  const zip = await datasetZip(o);
  const d = await prepareData(zip, o);
  o.log(`${dataLabel(o)}: ${d.ids.length} train + ${d.testIds.length} test images at ${o.size} px (pixels for PyTorch in ${d.dataDir})`);
  const runs: RunScore[] = [];
  const initChecks: { seed: number; maxAbsDiff: number; rows: number }[] = [];
  let torchVersion = '?';
  const valCounts: number[] = [];
  const common = [
    '--model',
    o.model,
    '--loss',
    o.loss,
    '--gamma',
    String(o.gamma),
    '--epochs',
    String(o.epochs),
    '--batch',
    String(o.batch),
    '--lr',
    String(o.lr),
  ];
  for (const seed of o.seeds) {
    const dir = join(o.workDir, `seed-${seed}`);
    mkdirSync(dir, { recursive: true });
    // the split both read
    const assignment = stratifiedHoldout(d.labelSets, o.holdout, seed);
    const valRows = d.ids.flatMap((_, i) => (assignment[i] === 0 ? [i] : []));
    const valIds = valRows.map((r) => d.ids[r]);
    valCounts.push(valRows.length);
    const splitFile = join(dir, 'split.csv');
    writeFileSync(splitFile, ['Id,role', ...d.ids.map((id, i) => `${id},${assignment[i] === 0 ? 'val' : 'train'}`)].join('\n') + '\n');
    const valTruth = new Uint8Array(valRows.length * NUM_CLASSES);
    valRows.forEach((r, i) => d.labelSets[r].forEach((c) => (valTruth[i * NUM_CLASSES + c] = 1)));
    // the initial weights both start from
    const checkRows = valRows.slice(0, 16);
    const studioInit = await dumpInit(o, seed, join(dir, 'init'), d.images, checkRows);

    // the studio, as a user runs it
    o.log(`seed ${seed}: studio (node ${BIN} train … --seed ${seed})`);
    const ts = performance.now();
    const sdir = join(dir, 'studio');
    await mustRun(
      [
        process.execPath,
        BIN,
        'train',
        '--data',
        zip,
        '--out',
        sdir,
        ...common,
        '--size',
        String(o.size),
        '--seed',
        String(seed),
        '--holdout',
        String(o.holdout),
      ],
      o.log,
      `  studio  s${seed} `,
    );
    await mustRun([process.execPath, BIN, 'predict', '--model', join(sdir, 'model.zip'), '--data', zip, '--out', join(sdir, 'test-probs.csv')], o.log, '');
    const studioSeconds = (performance.now() - ts) / 1000;
    const cliVal = parseProbsCsv(readFileSync(join(sdir, 'val-probs.csv'), 'utf8')).ids;
    if (cliVal.join('\n') !== valIds.join('\n'))
      throw new Error(
        `seed ${seed}: the CLI validated on other images than ${splitFile} lists (${cliVal.length} vs ${valIds.length}): the split is not shared`,
      );
    const history = JSON.parse(readFileSync(join(sdir, 'history.json'), 'utf8')) as { epoch: number; valLoss: number }[];
    const best = history.reduce((b, h) => (Number.isFinite(h.valLoss) && (!Number.isFinite(b.valLoss) || h.valLoss < b.valLoss) ? h : b), {
      epoch: 0,
      valLoss: NaN,
    });
    runs.push({
      seed,
      framework: 'studio',
      bestEpoch: best.epoch,
      epochsRun: history.length,
      ...score(valTruth, readProbs(join(sdir, 'val-probs.csv'), valIds), d.testTruth, readProbs(join(sdir, 'test-probs.csv'), d.testIds)),
      wallSeconds: studioSeconds,
    });

    // PyTorch on the same pixels, split and initial weights
    o.log(`seed ${seed}: PyTorch (bench/parity_torch.py)`);
    const tt = performance.now();
    const pdir = join(dir, 'pytorch');
    await mustRun(
      [
        PY,
        'bench/parity_torch.py',
        '--data',
        d.dataDir,
        '--split',
        splitFile,
        '--init',
        join(dir, 'init.json'),
        '--out',
        pdir,
        ...common,
        '--seed',
        String(seed),
        '--threads',
        '1',
        '--check-rows',
        String(checkRows.length),
      ],
      o.log,
      `  pytorch s${seed} `,
    );
    const torchSeconds = (performance.now() - tt) / 1000;
    const r = JSON.parse(readFileSync(join(pdir, 'result.json'), 'utf8')) as { torch: string; bestEpoch: number; checkIds: string[]; checkProbs: number[][] };
    torchVersion = r.torch;
    if (r.checkIds.join('\n') !== valIds.slice(0, checkRows.length).join('\n'))
      throw new Error(`seed ${seed}: PyTorch's validation rows differ from ${splitFile}'s`);
    const torchInit = r.checkProbs.flat();
    const maxAbsDiff = torchInit.reduce((m, v, i) => Math.max(m, Math.abs(v - studioInit[i])), 0);
    initChecks.push({ seed, maxAbsDiff, rows: checkRows.length });
    o.log(`seed ${seed}: init check, max |p_studio − p_pytorch| over ${checkRows.length} validation images × 28 classes = ${maxAbsDiff.toExponential(2)}`);
    const th = JSON.parse(readFileSync(join(pdir, 'history.json'), 'utf8')) as unknown[];
    runs.push({
      seed,
      framework: 'pytorch',
      bestEpoch: r.bestEpoch,
      epochsRun: th.length,
      ...score(valTruth, readProbs(join(pdir, 'val-probs.csv'), valIds), d.testTruth, readProbs(join(pdir, 'test-probs.csv'), d.testIds)),
      wallSeconds: torchSeconds,
    });
    for (const x of runs.slice(-2))
      o.log(
        `seed ${seed} ${x.framework.padEnd(7)} test macro F1 @0.5 ${f3(x.testAt05)}, tuned ${f3(x.testTuned)} (val tuned ${f3(x.valTuned)}, best epoch ${x.bestEpoch}) ${x.wallSeconds.toFixed(0)} s`,
      );
  }

  const of = (fw: RunScore['framework'], k: 'testTuned' | 'testAt05' | 'valTuned' | 'wallSeconds') => runs.filter((r) => r.framework === fw).map((r) => r[k]);
  const verdict = withinRange(of('studio', 'testTuned'), of('pytorch', 'testTuned'));
  const verdict05 = withinRange(of('studio', 'testAt05'), of('pytorch', 'testAt05'));
  const m = machineInfo(torchVersion, loadStart);
  const seconds = (performance.now() - t0) / 1000;
  const line = `PARITY ${verdict.pass ? 'PASS' : 'FAIL'}: the studio's mean test macro F1 (per-class thresholds from validation) ${f3(verdict.studioMean)} is ${verdict.pass ? 'within' : 'outside'} the PyTorch runs' range [${f3(verdict.refMin)}, ${f3(verdict.refMax)}] (${o.seeds.length} seeds)`;
  const line05 = `at threshold 0.5 (not the criterion): studio mean ${f3(verdict05.studioMean)}, PyTorch range [${f3(verdict05.refMin)}, ${f3(verdict05.refMax)}]: ${verdict05.pass ? 'within' : 'outside'}`;

  const md = [
    `# Learning parity: the studio against PyTorch, ${m.date}`,
    '',
    `\`npm run bench -- --parity ${parityArgsLine(o)}\` (bench/parity.ts), ${Math.round(seconds)} s.`,
    '',
    `**Machine:** ${m.cpu}, ${m.cores} cores, ${m.ramGiB} GiB, ${m.os}; Node ${m.node}, tfjs ${m.tfjs} (wasm, 1 thread); PyTorch ${m.torch} (CPU, 1 thread). Load average ${m.loadStart.map((x) => x.toFixed(1)).join(' ')} at start, ${m.loadEnd.map((x) => x.toFixed(1)).join(' ')} at end.`,
    '',
    `**Data:** ${dataLabel(o)}: ${d.ids.length} train images, split per seed by the studio's stratified hold-out (${o.holdout}) into ${d.ids.length - valCounts[0]} training and ${valCounts[0]} validation images${valCounts.length > 1 ? ` (validation by seed: ${valCounts.join(', ')})` : ''} (the split file both read; the CLI's validation ids checked against it); the zip's ${d.testIds.length} test images (test_labels.csv) are the held-out test set. Both see the pixels the studio's zip readers decode.`,
    '',
    `**Recipe (both):** ${o.model} ${o.size} px, ${o.loss === 'focal' ? `focal loss γ = ${o.gamma}` : 'BCE'} (mean over batch × classes), Adam lr ${o.lr} (β 0.9/0.999, ε 1e-7), batch ${o.batch}, ${o.epochs} epochs, ReduceLROnPlateau on val_loss (factor 0.5, patience 3), random flips and quarter turns, the best epoch by val_loss restored; one thread each. Both start from the studio's initial weights for the seed; max |Δp| between the two untrained models over ${initChecks[0]?.rows ?? 0} validation images × 28 classes: ${initChecks.map((c) => c.maxAbsDiff.toExponential(1)).join(', ')}. What differs: the random streams (batch order, augmentation, dropout masks) and the kernels' rounding.`,
    '',
    '**Scoring (both, the same code):** macro F1 over the 28 classes on the test split at threshold 0.5, and with per-class thresholds fitted on the validation split (`chooseThresholds` per-class, as `hpa-studio train` writes thresholds.csv) and applied to the test split.',
    '',
    '| seed | framework | best epoch | val macro F1, tuned | test macro F1 @ 0.5 | test macro F1, tuned | wall time |',
    '|---|---|---|---|---|---|---|',
    ...runs.map(
      (r) =>
        `| ${r.seed} | ${r.framework === 'studio' ? 'studio (Node wasm)' : 'PyTorch CPU'} | ${r.bestEpoch} / ${r.epochsRun} | ${f3(r.valTuned)} | ${f3(r.testAt05)} | ${f3(r.testTuned)} | ${r.wallSeconds.toFixed(0)} s |`,
    ),
    ...(['studio', 'pytorch'] as const).map(
      (fw) =>
        `| mean ± half-range | ${fw === 'studio' ? 'studio' : 'PyTorch'} | | ${pm(spread(of(fw, 'valTuned')))} | ${pm(spread(of(fw, 'testAt05')))} | ${pm(spread(of(fw, 'testTuned')))} | ${spread(of(fw, 'wallSeconds')).mean.toFixed(0)} s |`,
    ),
    '',
    `**${line}.**`,
    '',
    `${line05[0].toUpperCase()}${line05.slice(1)}.`,
    '',
    `Wall time: the studio's \`train\` and \`predict\` processes (reading the zip, wasm start, ${o.epochs} validations, checkpoints); PyTorch's one process. Per-run details are in the .json beside this file.`,
    '',
  ].join('\n');
  mkdirSync(o.outDir, { recursive: true });
  const base = join(o.outDir, `parity-${m.date}-${m.slug}`);
  writeFileSync(`${base}.md`, md);
  writeFileSync(
    `${base}.json`,
    JSON.stringify({ machine: m, options: { ...o, log: undefined }, zip, seconds, valCounts, initChecks, runs, verdict, verdictAt05: verdict05 }, null, 1) +
      '\n',
  );
  o.log(line);
  o.log(line05);
  return { runs, pass: verdict.pass, files: [`${base}.md`, `${base}.json`] };
}

function parityArgsLine(o: ParityOptions): string {
  const d = typeof o.data === 'object' ? `--data ${o.data.zip}` : `--data ${o.data}`;
  return `${d} --seeds ${o.seeds.join(',')} --epochs ${o.epochs} --model ${o.model} --loss ${o.loss}`;
}

/** The options of `bench --parity` (all but --parity itself). */
export function parseParityArgs(args: string[], log: (l: string) => void): ParityOptions {
  const { values: v } = parseArgs({
    args,
    strict: true,
    options: {
      data: { type: 'string', default: 'teaching' },
      train: { type: 'string' },
      test: { type: 'string' },
      size: { type: 'string' },
      'data-seed': { type: 'string', default: '1' },
      seeds: { type: 'string', default: '1,2,3,4,5' },
      epochs: { type: 'string', default: '12' },
      batch: { type: 'string', default: '16' },
      lr: { type: 'string', default: '0.001' },
      model: { type: 'string', default: 'gapnet-pl' },
      loss: { type: 'string', default: 'focal' },
      gamma: { type: 'string', default: '2' },
      holdout: { type: 'string', default: '0.2' },
      out: { type: 'string', default: 'bench/results' },
    },
  });
  const int = (flag: string, raw: string | undefined, fallback: number, min = 1): number => {
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`--${flag} must be a whole number ≥ ${min}, got '${raw}'`);
    return n;
  };
  const num = (flag: string, raw: string, ok: (n: number) => boolean, what: string): number => {
    const n = Number(raw);
    if (!Number.isFinite(n) || !ok(n)) throw new UsageError(`--${flag} must be ${what}, got '${raw}'`);
    return n;
  };
  const data: ParityOptions['data'] = v.data === 'teaching' || v.data === 'realistic' ? v.data : { zip: v.data! };
  if (typeof data === 'object' && !existsSync(data.zip)) throw new UsageError(`--data: '${data.zip}' is not teaching, realistic or an existing zip`);
  if (v.model !== 'gapnet-pl' && v.model !== 'gapnet-kaggle') throw new UsageError(`--model '${v.model}' is not gapnet-pl or gapnet-kaggle`);
  if (v.loss !== 'focal' && v.loss !== 'bce') throw new UsageError(`--loss '${v.loss}' is not focal or bce`);
  const seeds = v.seeds!.split(',').map((s) => int('seeds', s.trim(), 0, 0));
  if (new Set(seeds).size !== seeds.length) throw new UsageError(`--seeds lists a seed twice: ${v.seeds}`);
  if (!seeds.length) throw new UsageError('--seeds lists no seed');
  return {
    data,
    train: int('train', v.train, 1200),
    test: int('test', v.test, 300),
    size: int('size', v.size, data === 'teaching' ? 64 : 128, MIN_INPUT_SIZE),
    dataSeed: int('data-seed', v['data-seed'], 1, 0),
    model: v.model,
    loss: v.loss,
    gamma: num('gamma', v.gamma!, (n) => n >= 0, 'a number ≥ 0'),
    epochs: int('epochs', v.epochs, 12),
    batch: int('batch', v.batch, 16),
    lr: num('lr', v.lr!, (n) => n > 0 && n < 1, 'in (0, 1)'),
    holdout: num('holdout', v.holdout!, (n) => n > 0 && n < 1, 'a fraction in (0, 1)'),
    seeds,
    outDir: v.out!,
    workDir: 'bench/tmp/parity',
    log,
  };
}
