// The PyTorch export against real PyTorch (Debian's python3-torch at /usr/bin/python3): model.py + weights.npz reproduce the
// studio's validation probabilities; predict.py writes the CLI's submission; train.py's losses, metrics, thresholds and sampler
// are the studio's; the exported project trains under torchrun with two gloo processes and the studio imports what it writes.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { captureConsole } from '../captureConsole';
import { main } from '../main';
import { parseLabelCsv, parseProbsCsv, parseThresholdsCsv } from '../../core/csv';
import { makeLoss, type LossSpec } from '../../core/losses';
import { f1Report, countsAtThresholds } from '../../core/metrics';
import { Rng } from '../../core/rng';
import { rareDuplication } from '../../core/sampling';
import { chooseThresholds } from '../../core/thresholds';
import { readZipFiles } from '../../core/zipFiles';
import { makeDatasetZip } from '../../synth';
import { readReportZip, runFromReport } from '../../ui/export/runReport';
import { DEFAULT_RUN } from '../../core/runConfig';
import { recipeOfTrainConfig } from './export-torch';

const PYTHON = '/usr/bin/python3';
const probe = existsSync(PYTHON) ? spawnSync(PYTHON, ['-c', 'import torch, numpy, PIL; print(torch.__version__)'], { encoding: 'utf8' }) : null;
const torchVersion = probe?.status === 0 ? probe.stdout.trim() : null;
if (!torchVersion)
  console.warn(
    `SKIPPED the PyTorch export's Python tests: ${PYTHON} cannot import torch, numpy and PIL (${probe ? probe.stderr.trim().split('\n').pop() : 'no such file'}). Install Debian's python3-torch python3-numpy python3-pil (and python3-torchvision) to run them.`,
  );

const tmp = mkdtempSync(join(tmpdir(), 'hpa-torch-'));
const { err } = captureConsole();

function python(script: string, args: string[] = [], cwd = tmp): string {
  const r = spawnSync(PYTHON, ['-c', script, ...args], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`python failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** A synthetic Kaggle zip and the same files unpacked (the folder layout the Python scripts read). */
async function dataset(name: string, o: { train: number; test: number; size: number; seed: number }): Promise<{ zip: string; folder: string }> {
  const bytes = await makeDatasetZip({ ...o, capDominant: true });
  const zip = join(tmp, `${name}.zip`);
  writeFileSync(zip, bytes);
  const folder = join(tmp, name);
  for (const [path, b] of await readZipFiles(bytes, zip)) {
    mkdirSync(dirname(join(folder, path)), { recursive: true });
    writeFileSync(join(folder, path), b);
  }
  return { zip, folder };
}

async function cli(args: string[]): Promise<void> {
  const code = await main(args);
  if (code !== 0) throw new Error(`hpa-studio ${args.join(' ')} exited ${code}: ${err.join('\n')}`);
}

/** Max |difference| between model.py's probabilities of each run's validation images and the studio's (val-probs.csv). */
const PARITY = String.raw`
import csv, importlib.util, json, sys
import numpy as np
out = {}
for k, c in enumerate(json.loads(sys.argv[1])):
    spec = importlib.util.spec_from_file_location('model_%d' % k, c['export'] + '/model.py')
    m = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m)
    net = m.build_model()
    m.load_weights(net, c['export'] + '/weights.npz')
    rows = list(csv.reader(open(c['probs'])))[1:]
    want = np.array([[float(v) for v in r[1:]] for r in rows], dtype=np.float32)
    got = m.predict_batch(net, [m.read_sample(c['images'], r[0]) for r in rows])
    out[c['name']] = {'rows': len(rows), 'maxDiff': float(np.abs(got - want).max())}
print(json.dumps(out))
`;

// .ci/run installs PyTorch and sets HPA_REQUIRE_TORCH: there a missing PyTorch fails these tests instead of skipping them
describe.skipIf(!torchVersion && !process.env.HPA_REQUIRE_TORCH)(`the PyTorch export with PyTorch ${torchVersion}`, () => {
  let small: { zip: string; folder: string };
  let larger: { zip: string; folder: string };
  const runs = [
    { name: 'gapnet-pl', data: () => small, args: ['--size', '40', '--loss', 'focal'] },
    { name: 'gapnet-kaggle', data: () => small, args: ['--size', '32', '--loss', 'bce', '--sampler', 'rare'] },
    { name: 'mobilenetv2', data: () => larger, args: ['--size', '64', '--warmup-epochs', '1', '--channels', 'widen', '--head', 'seed'] },
  ];
  const cases: { name: string; export: string; probs: string; images: string }[] = [];
  beforeAll(async () => {
    // 48 px images trained at 32 or 40 px (the bilinear resize at whole and fractional factors); 64 px for MobileNetV2's 2×2 map
    small = await dataset('small', { train: 48, test: 6, size: 48, seed: 3 });
    larger = await dataset('larger', { train: 20, test: 2, size: 64, seed: 4 });
    // one epoch of each with the studio's CLI, exported as PyTorch projects
    for (const r of runs) {
      const dir = join(tmp, `run-${r.name}`);
      await cli(['train', '--data', r.data().zip, '--out', dir, '--model', r.name, '--epochs', '1', '--batch', '8', '--holdout', '0.25', ...r.args]);
      await cli(['export-torch', '--run', dir, '--out', join(tmp, `export-${r.name}`)]);
      cases.push({ name: r.name, export: join(tmp, `export-${r.name}`), probs: join(dir, 'val-probs.csv'), images: join(r.data().folder, 'train') });
    }
  });

  it('model.py with weights.npz predicts the validation images as the studio did (GAPNet-PL, GAPNet-Kaggle, MobileNetV2: within 1e-4)', () => {
    const result = JSON.parse(python(PARITY, [JSON.stringify(cases)]));
    for (const r of runs) {
      expect(result[r.name].rows, r.name).toBe(parseProbsCsv(readFileSync(join(tmp, `run-${r.name}`, 'val-probs.csv'), 'utf8')).ids.length);
      expect(result[r.name].maxDiff, r.name).toBeLessThan(1e-4);
    }
  });

  it("predict.py writes the submission the CLI's predict + submit write, from the folder of test PNGs", async () => {
    const run = join(tmp, 'run-gapnet-kaggle');
    const exported = join(tmp, 'export-gapnet-kaggle');
    await cli(['predict', '--model', join(run, 'model.zip'), '--data', small.zip, '--out', join(tmp, 'cli-probs.csv')]);
    await cli(['submit', '--probs', join(tmp, 'cli-probs.csv'), '--thresholds', join(run, 'thresholds.csv'), '--out', join(tmp, 'cli-sub.csv')]);
    const r = spawnSync(
      PYTHON,
      [
        join(exported, 'predict.py'),
        '--images',
        join(small.folder, 'test'),
        '--order',
        join(small.folder, 'sample_submission.csv'),
        '--out',
        join(tmp, 'py-sub.csv'),
        '--probs',
        join(tmp, 'py-probs.csv'),
        '--device',
        'cpu',
      ],
      { encoding: 'utf8' },
    );
    expect(r.status, r.stderr).toBe(0);
    const cliProbs = parseProbsCsv(readFileSync(join(tmp, 'cli-probs.csv'), 'utf8'));
    const pyProbs = parseProbsCsv(readFileSync(join(tmp, 'py-probs.csv'), 'utf8'));
    expect(pyProbs.ids).toEqual(cliProbs.ids);
    const diff = pyProbs.probs.reduce((m, p, i) => Math.max(m, Math.abs(p - cliProbs.probs[i])), 0);
    expect(diff).toBeLessThan(1e-4);
    const thresholds = parseThresholdsCsv(readFileSync(join(run, 'thresholds.csv'), 'utf8'));
    const borderline = (row: number) => thresholds.some((t, c) => Math.abs(cliProbs.probs[row * 28 + c] - t) < 1e-4);
    const cliSub = parseLabelCsv(readFileSync(join(tmp, 'cli-sub.csv'), 'utf8'), { labelColumn: 'Predicted', allowEmpty: true });
    const pySub = parseLabelCsv(readFileSync(join(tmp, 'py-sub.csv'), 'utf8'), { labelColumn: 'Predicted', allowEmpty: true });
    expect(pySub.map((s) => s.id)).toEqual(cliSub.map((s) => s.id));
    pySub.forEach((s, i) => borderline(i) || expect(s.labels, s.id).toEqual(cliSub[i].labels));
  });

  it("train.py's losses, metrics, thresholds and rare-class sampler compute what the studio's do", async () => {
    const rng = new Rng(7);
    const rows = 40;
    const truth = Uint8Array.from({ length: rows * 28 }, (_, i) => (rng.next() < (i % 28 < 4 ? 0.4 : 0.08) ? 1 : 0));
    for (let r = 0; r < rows; r++) truth[r * 28 + 27] = 0; // class 27 has no validation positives: the fallback threshold
    const probs = Float32Array.from({ length: rows * 28 }, (_, i) => Math.min(0.999, Math.max(0.001, truth[i] * 0.3 + rng.next() * 0.7)));
    const counts = Array.from({ length: 28 }, (_, c) => 1 + ((c * 37) % 90));
    const specs: LossSpec[] = [
      { kind: 'focal', gamma: 2, alpha: { mode: 'none' } },
      { kind: 'focal', gamma: 1.5, alpha: { mode: 'scalar', value: 0.25 } },
      { kind: 'bce', alpha: { mode: 'inverse-frequency' } },
      { kind: 'focal', gamma: 2, alpha: { mode: 'log-damped', on: 'positive' } },
      { kind: 'soft-f1' },
    ];
    await tf.setBackend('cpu');
    const y = tf.tensor2d(truth, [rows, 28], 'float32');
    const p = tf.tensor2d(probs, [rows, 28]);
    const studioLosses = specs.map((s) => makeLoss(s, counts)(y, p).dataSync()[0]);
    tf.dispose([y, p]);
    const studioThresholds = Array.from(chooseThresholds(truth, probs, 'per-class').thresholds);
    const studioF1 = f1Report(countsAtThresholds(truth, probs, 0.5)).perClass.map((c) => c.f1);
    const labelSets = Array.from({ length: rows }, (_, r) => [...Array(28).keys()].filter((c) => truth[r * 28 + c]));
    const studioRare = Array.from(rareDuplication(labelSets, [...Array(rows).keys()]));
    writeFileSync(join(tmp, 'semantics.json'), JSON.stringify({ truth: Array.from(truth), probs: Array.from(probs), counts, specs }));
    const script = String.raw`
import json, sys
import numpy as np, torch
sys.path.insert(0, sys.argv[1])
import train
d = json.load(open(sys.argv[2]))
y = np.array(d['truth'], dtype=np.float32).reshape(-1, 28)
p = np.array(d['probs'], dtype=np.float32).reshape(-1, 28)
counts = np.array(d['counts'])
losses = []
for s in d['specs']:
    train.GAMMA = s.get('gamma', 2)
    train.ALPHA = s.get('alpha', {'mode': 'none'})
    kind = {'soft-f1': 'f1'}.get(s['kind'], s['kind'])
    losses.append(float(train.make_loss(kind, counts)(torch.from_numpy(y), torch.from_numpy(p))))
f1, _, _, _ = train.f1_per_class(y, p, np.full(28, 0.5))
print(json.dumps({'losses': losses, 'thresholds': [float(t) for t in train.fit_thresholds(y, p)], 'f1': [float(v) for v in f1],
                  'rare': [int(r) for r in train.rare_duplication(y, list(range(len(y))))]}))
`;
    const py = JSON.parse(python(script, [join(tmp, 'export-gapnet-kaggle'), join(tmp, 'semantics.json')]));
    py.losses.forEach((l: number, i: number) => expect(l, JSON.stringify(specs[i])).toBeCloseTo(studioLosses[i], 5));
    expect(py.thresholds).toEqual(studioThresholds);
    py.f1.forEach((f: number, c: number) => expect(f, `class ${c}`).toBeCloseTo(studioF1[c], 12));
    expect(py.rare).toEqual(studioRare);
  });

  it('the exported project trains under torchrun with 2 gloo processes; the studio imports its run report and evaluates it', async () => {
    const exported = join(tmp, 'export-gapnet-kaggle');
    const outDir = join(tmp, 'torch-run');
    const torchrun = existsSync('/usr/bin/torchrun') ? ['/usr/bin/torchrun'] : [PYTHON, '-m', 'torch.distributed.run'];
    // --redirects 1 --tee 1: stdout through torchrun's log files and onto the console; Debian's torch 1.13 on Python 3.11
    // cannot parse the default ("0") of --redirects (its Std flag enum has no member 0 when iterated)
    const args = ['--standalone', '--nproc_per_node', '2', '--redirects', '1', '--tee', '1', '--log_dir', join(tmp, 'torchrun-logs')];
    const train = ['train.py', '--data', small.folder, '--out', outDir, '--epochs', '1', '--workers', '0', '--device', 'cpu'];
    const r = spawnSync(torchrun[0], [...torchrun.slice(1), ...args, ...train], {
      cwd: exported,
      encoding: 'utf8',
      env: { ...process.env, OMP_NUM_THREADS: '1' },
    });
    const log = `${r.stdout}\n${r.stderr}`;
    expect(r.status, log).toBe(0);
    // both processes take part: each logs its own share of the epoch
    expect(log).toMatch(/\[rank 0\/2\] epoch 1: trained on \d+ images/);
    expect(log).toMatch(/\[rank 1\/2\] epoch 1: trained on \d+ images/);
    expect(log).toMatch(/\[rank 0\/2\] epoch 1\/1 \[bce\] loss \d\.\d{4} {2}val_loss/);
    expect(log).toContain(`[rank 0/2] best epoch 1 (val_loss`);
    expect(log).not.toMatch(/\[rank 1\/2\] best epoch/); // only rank 0 writes

    const history = readFileSync(join(outDir, 'history.csv'), 'utf8').trim().split('\n');
    expect(history[0]).toBe(
      [
        'epoch,phase,phaseName,loss,valLoss,valMacroF1,learningRate,trainImages,imagesPerSecond,seconds',
        ...Array.from({ length: 28 }, (_, c) => `valF1_${c}`),
      ].join(','),
    );
    expect(history).toHaveLength(2);
    const folds = readFileSync(join(exported, 'folds.csv'), 'utf8').trim().split('\n').slice(1);
    const valIds = folds.filter((l) => l.endsWith(',0')).map((l) => l.split(',')[0]);
    expect(parseProbsCsv(readFileSync(join(outDir, 'val_probs.csv'), 'utf8')).ids).toEqual([...valIds].sort());
    expect(parseThresholdsCsv(readFileSync(join(outDir, 'thresholds.csv'), 'utf8'))).toHaveLength(28);

    // the studio's own import (Predict & export → Import report): the run comes back with its curve and evaluation
    const files = await readReportZip(new Uint8Array(readFileSync(join(outDir, 'run_report.zip'))), 'run_report.zip');
    const run = runFromReport(files, 'run_report.zip', { id: 'imported-torch', now: 1 });
    expect(run.name).toBe('imported report · run-gapnet-kaggle · PyTorch, 2 processes');
    expect(run.status).toBe('done');
    expect(run.history).toHaveLength(1);
    expect(run.history[0]).toMatchObject({ epoch: 1, phaseName: 'bce' });
    expect(run.config).toMatchObject({
      model: 'gapnet-kaggle',
      loss: 'bce',
      sampler: 'rare',
      epochs: 1,
      trainedWith: { engine: 'pytorch', processes: 2, distributed: 'gloo' },
    });
    expect(run.valIds).toEqual([...valIds].sort());
    const evaluation = chooseThresholds(run.valTruth!, run.valProbs!, 'per-class');
    expect(Array.from(evaluation.thresholds)).toEqual(Array.from(parseThresholdsCsv(readFileSync(join(outDir, 'thresholds.csv'), 'utf8'))));
    expect(evaluation.report.macroF1).toBeCloseTo(JSON.parse(files.get('report.json')!).metrics.macroF1, 12);
    execFileSync(PYTHON, ['-c', 'import numpy as np, sys; z = np.load(sys.argv[1]); assert "conv1/kernel" in z.files', join(outDir, 'weights_best.npz')]);
  });
});

describe('hpa-studio export-torch', () => {
  it("names the file a run folder lacks, and refuses a config.json that is not a training run's", async () => {
    expect(await main(['export-torch', '--run', join(tmp, 'nowhere'), '--out', join(tmp, 'x')])).toBe(1);
    expect(err.join('\n')).toContain(`${join(tmp, 'nowhere', 'config.json')}: cannot read the run's config (no such file)`);
    expect(() => recipeOfTrainConfig({}, 'config.json')).toThrow(/config.json: not the config.json of 'hpa-studio train'/);
  });

  it('rebuilds the recipe of a run folder written before config.json kept it', () => {
    const recipe = recipeOfTrainConfig(
      {
        model: { name: 'gapnet-pl', inputSize: 64 },
        loss: { flag: 'bce-then-f1', gamma: 2, alpha: { mode: 'scalar', value: 0.3 } },
        phases: [
          { epochs: 6, lr: 0.002 },
          { epochs: 2, lr: 0.0002 },
        ],
        batchSize: 12,
        seed: 4,
        sampler: 'weights',
        augment: { mode: 'crop', flips: true, rotate90: false },
        monitor: 'val_macro_f1',
        reduceLrOnPlateau: { factor: 0.2, patience: 2 },
        earlyStopping: { patience: 3 },
        split: { kind: 'stratified-kfold', folds: 5, fold: 1 },
      },
      'config.json',
    );
    expect(recipe).toEqual({
      ...DEFAULT_RUN,
      model: 'gapnet-pl',
      inputSize: 64,
      mode: 'crop',
      loss: 'bce-then-f1',
      gamma: 2,
      alpha: { mode: 'scalar', value: 0.3 },
      epochs: 6,
      f1Epochs: 2,
      batchSize: 12,
      lr: 0.002,
      plateau: { factor: 0.2, patience: 2 },
      earlyStopPatience: 3,
      monitor: 'val_macro_f1',
      augment: { flips: true, rotate90: false },
      sampler: 'weights',
      split: { kind: 'kfold', folds: 5, fold: 1 },
      seed: 4,
    });
  });
});
