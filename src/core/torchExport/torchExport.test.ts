// The PyTorch export's generated files: NumPy's .npy/.npz layout, and every run setting carried into the scripts.
import { describe, expect, it } from 'vitest';
import { readZipFiles } from '../zipFiles';
import { DEFAULT_RUN, transferDefaults, type RunConfig } from '../runConfig';
import { CLASS_NAMES } from '../labels';
import { npyBytes, readNpy, writeNpz } from './npz';
import { modelPy } from './modelPy';
import { torchExportFiles, type TorchExportInput } from './project';
import { networkSpec, py, recipeSpec } from './spec';
import { trainPy } from './trainPy';

describe('npy / npz', () => {
  it('writes the .npy header numpy reads: magic, version 1.0, a dict padded so the data starts at a multiple of 64', () => {
    const data = Float32Array.from({ length: 3 * 3 * 4 * 2 }, (_, i) => i / 7);
    const bytes = npyBytes({ shape: [3, 3, 4, 2], data });
    expect(Array.from(bytes.subarray(0, 8))).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    const headerLength = bytes[8] + 256 * bytes[9];
    expect((10 + headerLength) % 64).toBe(0);
    const header = new TextDecoder().decode(bytes.subarray(10, 10 + headerLength));
    expect(header).toMatch(/^\{'descr': '<f4', 'fortran_order': False, 'shape': \(3, 3, 4, 2\), \} *\n$/);
    expect(bytes.length).toBe(10 + headerLength + data.length * 4);
    expect(readNpy(bytes)).toEqual({ shape: [3, 3, 4, 2], data });
  });

  it('writes one-dimensional shapes as Python does, (n,), and refuses data that does not fill the shape', () => {
    const header = new TextDecoder().decode(npyBytes({ shape: [5], data: new Float32Array(5) }).subarray(10, 80));
    expect(header).toContain("'shape': (5,)");
    expect(() => npyBytes({ shape: [2, 3], data: new Float32Array(5) })).toThrow(/5 values for shape \[2, 3\]/);
  });

  it('an .npz is a zip of <name>.npy files, one per array, keyed by the studio weight name', async () => {
    const zip = await writeNpz([
      ['conv1/kernel', { shape: [1, 1, 2, 2], data: Float32Array.of(1, 2, 3, 4) }],
      ['bn1/moving_mean', { shape: [2], data: Float32Array.of(0.5, -0.5) }],
    ]);
    const files = await readZipFiles(zip, 'weights.npz');
    expect([...files.keys()]).toEqual(['conv1/kernel.npy', 'bn1/moving_mean.npy']);
    expect(readNpy(files.get('bn1/moving_mean.npy')!).data).toEqual(Float32Array.of(0.5, -0.5));
    await expect(
      writeNpz([
        ['a', { shape: [1], data: new Float32Array(1) }],
        ['a', { shape: [1], data: new Float32Array(1) }],
      ]),
    ).rejects.toThrow(/two arrays are named 'a'/);
  });
});

/** `NAME = literal` lines of a generated script (the settings block at its top). */
function constants(script: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of script.matchAll(/^([A-Z][A-Z0-9_]*) = (.+?)(?: {2}# .*)?$/gm)) if (!out.has(m[1])) out.set(m[1], m[2]);
  return out;
}

const STORED = 512;
const gapnet: RunConfig = { ...DEFAULT_RUN, inputSize: 48, sampler: 'none', alpha: { mode: 'none' } };
const scripts = (c: RunConfig) => ({ train: trainPy(recipeSpec(c), 'about'), model: modelPy(networkSpec(c, STORED), 'about') });

describe('the generated scripts carry every run setting', () => {
  // one setting changed at a time: the constant that carries it takes the new value and nothing else in the settings moves
  const cases: [what: string, change: Partial<RunConfig>, file: 'train' | 'model', name: string, literal: string][] = [
    ['loss', { loss: 'bce' }, 'train', 'LOSS', "'bce'"],
    ['loss (soft F1)', { loss: 'f1' }, 'train', 'LOSS', "'f1'"],
    ['focal γ', { gamma: 3.5 }, 'train', 'GAMMA', '3.5'],
    ['α scalar', { alpha: { mode: 'scalar', value: 0.25 } }, 'train', 'ALPHA', "{'mode': 'scalar', 'value': 0.25}"],
    ['α class weights', { alpha: { mode: 'inverse-frequency' } }, 'train', 'ALPHA', "{'mode': 'inverse-frequency'}"],
    ['α on positives', { alpha: { mode: 'log-damped', mu: 0.3, on: 'positive' } }, 'train', 'ALPHA', "{'mode': 'log-damped', 'mu': 0.3, 'on': 'positive'}"],
    ['sampler rare', { sampler: 'rare' }, 'train', 'SAMPLER', "'rare'"],
    ['sampler weights', { sampler: 'weights' }, 'train', 'SAMPLER', "'weights'"],
    ['flips off', { augment: { flips: false, rotate90: true } }, 'train', 'AUGMENT', "{'flips': False, 'rotate90': True}"],
    ['quarter turns off', { augment: { flips: true, rotate90: false } }, 'train', 'AUGMENT', "{'flips': True, 'rotate90': False}"],
    ['crop', { mode: 'crop' }, 'model', 'RESIZE_MODE', "'crop'"],
    ['input size', { inputSize: 40 }, 'model', 'INPUT_SIZE', '40'],
    ['batch', { batchSize: 48 }, 'train', 'BATCH_SIZE', '48'],
    ['plateau off', { plateau: null }, 'train', 'PLATEAU', 'None'],
    ['plateau factor and patience', { plateau: { factor: 0.1, patience: 5 } }, 'train', 'PLATEAU', "{'factor': 0.1, 'patience': 5}"],
    ['early stopping', { earlyStopPatience: 4 }, 'train', 'EARLY_STOP_PATIENCE', '4'],
    ['monitor', { monitor: 'val_macro_f1' }, 'train', 'MONITOR', "'val_macro_f1'"],
    ['seed', { seed: 9 }, 'train', 'SEED', '9'],
  ];
  const base = scripts(gapnet);
  const baseConstants = { train: constants(base.train), model: constants(base.model) };

  it.each(cases)('%s', (_what, change, file, name, literal) => {
    const changed = scripts({ ...gapnet, ...change });
    const now = constants(changed[file]);
    expect(now.get(name)).toBe(literal);
    expect(baseConstants[file].get(name)).not.toBe(literal);
    for (const [k, v] of baseConstants[file]) if (k !== name && k !== 'PHASES') expect(now.get(k), k).toBe(v);
    // the script reads the constant, not only sets it
    expect(changed[file].split(new RegExp(`\\b${name}\\b`)).length - 1, `${name} is used`).toBeGreaterThan(1);
  });

  it('the learning rate and the epochs reach the phases; BCE then soft F1 gets its second phase at lr / 10 on the head', () => {
    const phases = (c: RunConfig) => constants(scripts(c).train).get('PHASES');
    expect(phases({ ...gapnet, lr: 3e-4, epochs: 7 })).toBe("[{'name': 'focal', 'epochs': 7, 'lr': 0.0003, 'trainable': 'all', 'loss': 'focal'}]");
    expect(constants(scripts({ ...gapnet, lr: 3e-4 }).train).get('LR')).toBe('0.0003');
    expect(phases({ ...gapnet, loss: 'bce-then-f1', epochs: 5, f1Epochs: 2, lr: 0.002 })).toBe(
      "[{'name': 'bce', 'epochs': 5, 'lr': 0.002, 'trainable': 'all', 'loss': 'bce'}, {'name': 'soft-f1 (last 7 layers)', 'epochs': 2, 'lr': 0.0002, 'trainable': 'head', 'loss': 'f1'}]",
    );
  });

  it("k-fold: the split and the validation fold are the run's", () => {
    const c = constants(scripts({ ...gapnet, split: { kind: 'kfold', folds: 5, fold: 3 } }).train);
    expect(c.get('SPLIT')).toBe("{'kind': 'kfold', 'folds': 5, 'fold': 3}");
    expect(c.get('VAL_FOLD')).toBe('3');
    expect(constants(base.train).get('VAL_FOLD')).toBe('0');
  });

  it('a transfer run: warm-up with the backbone frozen, then the fine-tune; the four-channel choice and the head reach model.py', () => {
    const t = transferDefaults('mobilenetv2', 224);
    const c = {
      ...t,
      transfer: { ...t.transfer!, channels: 'adapter' as const, head: 'gap' as const, warmupEpochs: 3, warmupLr: 0.002, unfreeze: { lastBlocks: 4 } },
    };
    const s = scripts(c);
    expect(constants(s.train).get('PHASES')).toBe(
      "[{'name': 'warm-up (backbone frozen)', 'epochs': 3, 'lr': 0.002, 'trainable': 'backbone-frozen', 'loss': 'bce'}, {'name': 'fine-tune (last 4 blocks)', 'epochs': 10, 'lr': 0.0001, 'trainable': {'lastBlocks': 4}, 'loss': 'bce'}]",
    );
    const m = constants(s.model);
    expect([m.get('MODEL'), m.get('FOUR_CHANNELS'), m.get('HEAD'), m.get('PREPROCESSING'), m.get('FIRST_CONV')]).toEqual([
      "'mobilenetv2'",
      "'adapter'",
      "'gap'",
      "'tf'",
      "'Conv1'",
    ]);
    expect(constants(scripts({ ...c, model: 'resnet50' }).model).get('PREPROCESSING')).toBe("'caffe'");
  });

  it("GAPNet-Kaggle's padding follows the input size as the studio's does ('valid' from 149 px)", () => {
    const padding = (inputSize: number) => constants(scripts({ ...gapnet, model: 'gapnet-kaggle', inputSize }).model).get('KAGGLE_PADDING');
    expect([padding(148), padding(149)]).toEqual(["'same'", "'valid'"]);
    expect(constants(scripts({ ...gapnet, model: 'gapnet-kaggle' }).model).get('NORMALISATION')).toBe("'div255'");
  });
});

describe('the export', () => {
  const input = (project: Partial<TorchExportInput> = {}): TorchExportInput => ({
    config: gapnet,
    weights: [{ name: 'conv1/kernel', shape: [3, 3, 4, 32], data: new Float32Array(3 * 3 * 4 * 32) }],
    storedSize: STORED,
    classNames: CLASS_NAMES,
    thresholds: Array.from({ length: 28 }, (_, c) => c / 100),
    thresholdsFrom: 'test',
    run: { id: 'r1', name: 'my run', datasetId: 'd1', datasetName: 'demo', checkpoint: 'best', epoch: 3 },
    folds: { ids: ['a', 'b', 'c'], folds: [0, 1, 1] },
    created: new Date('2026-01-02T03:04:05Z'),
    ...project,
  });

  it('holds the weights, the config, the thresholds and the scripts; the project adds train.py and folds.csv', async () => {
    const files = new Map(await torchExportFiles(input(), { project: true }));
    expect([...files.keys()]).toEqual(['README.md', 'config.json', 'weights.npz', 'thresholds.csv', 'model.py', 'predict.py', 'train.py', 'folds.csv']);
    const text = (n: string) => new TextDecoder().decode(files.get(n));
    expect(JSON.parse(text('config.json'))).toMatchObject({ format: 'hpa-studio-torch-export', config: gapnet, run: { name: 'my run', epoch: 3 } });
    expect(text('thresholds.csv').split('\n').slice(0, 3)).toEqual(['class,threshold', '0,0', '1,0.01']);
    expect(text('folds.csv')).toBe('Id,fold\na,0\nb,1\nc,1\n');
    expect(text('model.py')).toContain("from run 'my run' (dataset 'demo', best checkpoint, epoch 3)");
    expect([...(await torchExportFiles(input(), { project: false })).map(([n]) => n)]).not.toContain('train.py');
  });

  it('names what is wrong: a model without a PyTorch version, too few thresholds, a project without the split', async () => {
    await expect(torchExportFiles(input({ config: { ...gapnet, model: 'nope' } }), { project: false })).rejects.toThrow(/Model 'nope' has no PyTorch export/);
    await expect(torchExportFiles(input({ thresholds: [0.5] }), { project: false })).rejects.toThrow(/1 thresholds for 28 classes/);
    await expect(torchExportFiles(input({ folds: null }), { project: true })).rejects.toThrow(/needs the run's split/);
  });

  it('writes JSON values as Python literals', () => {
    expect(py({ a: true, b: null, c: "it's", d: [1, 2.5e-7] })).toBe("{'a': True, 'b': None, 'c': 'it\\'s', 'd': [1, 2.5e-7]}");
  });
});
