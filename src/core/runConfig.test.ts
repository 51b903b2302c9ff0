import { describe, expect, it } from 'vitest';
import { MODELS } from './models/catalog';
import { createModel, listModels } from './models/registry';
import { DEFAULT_RUN, fitRecipe, preset, recipeProblem, transferDefaults } from './runConfig';

describe('run recipes', () => {
  it('the catalog the page reads lists exactly the models the registry builds, with their true parameter counts', () => {
    expect(MODELS.map((m) => m.name).sort()).toEqual(
      listModels()
        .map((m) => m.name)
        .sort(),
    );
    for (const m of MODELS) {
      const model = createModel(m.name, { inputSize: m.inputSizes.default, seed: 1 });
      expect(model.countParams(), m.name).toBe(m.params);
      model.dispose();
    }
  });
  it('names the setting that is wrong', () => {
    expect(recipeProblem(DEFAULT_RUN, 256)).toBeNull();
    expect(recipeProblem({ ...DEFAULT_RUN, inputSize: 300 }, 256)).toMatch(/Input size 300 px is larger than the dataset's stored 256 px/);
    expect(recipeProblem({ ...DEFAULT_RUN, lr: 0 }, 256)).toMatch(/Learning rate/);
    expect(recipeProblem({ ...DEFAULT_RUN, split: { kind: 'kfold', folds: 5, fold: 5 } }, 256)).toMatch(/fold in 0\.\.K−1/);
    expect(recipeProblem({ ...DEFAULT_RUN, inputSize: 16 }, 256)).toMatch(/at least 32 px/);
    expect(recipeProblem({ ...DEFAULT_RUN, imageMemoryMB: -1 }, 256)).toBe('Images in memory must be ≥ 0 MB (got -1)');
    expect(recipeProblem({ ...DEFAULT_RUN, imageMemoryMB: 0 }, 256)).toBeNull(); // always streamed
    expect(recipeProblem({ ...DEFAULT_RUN, imageMemoryMB: undefined }, 256)).toBeNull(); // a run set up before the setting
  });
  it("the seed's recipe: GAPNet 256, focal γ 2 with inverse-frequency α, rare upsampling, Adam 1e-3, plateau, flips and rotations", () => {
    const p = preset('seed', 512);
    expect(p).toMatchObject({
      model: 'gapnet-pl',
      inputSize: 256,
      loss: 'focal',
      gamma: 2,
      alpha: { mode: 'inverse-frequency' },
      sampler: 'rare',
      lr: 1e-3,
      augment: { flips: true, rotate90: true },
    });
    expect(p.plateau).not.toBeNull();
    expect(preset('seed', 64).inputSize).toBe(64);
    expect(preset('quick', 32).inputSize).toBe(32);
  });
  it('the quick demo, made for the teaching demo: GAPNet Kaggle at 64 px, focal, 12 epochs of batch 16 at a constant 1e-3', () => {
    const q = preset('quick', 256);
    expect(q).toMatchObject({
      model: 'gapnet-kaggle',
      inputSize: 64,
      loss: 'focal',
      gamma: 2,
      alpha: { mode: 'none' },
      sampler: 'none',
      epochs: 12,
      batchSize: 16,
      lr: 1e-3,
    });
    expect(q.plateau).toBeNull();
    expect(preset('quick', 64).inputSize).toBe(64);
    expect(MODELS.some((m) => m.name === q.model)).toBe(true);
    expect(recipeProblem(q, 64)).toBeNull();
    // a realistic demo stored at 32 px still gets a valid recipe
    expect(recipeProblem(preset('quick', 32), 32)).toBeNull();
  });
});

describe('fitRecipe', () => {
  it('makes the default recipe valid for a small demo dataset (64 px, 40 training images)', () => {
    const c = { ...DEFAULT_RUN, inputSize: 128, batchSize: 64 };
    expect(recipeProblem(c, 64)).toMatch(/larger than the dataset's stored 64 px/);
    const { config, changes } = fitRecipe(c, { resolution: 64, train: 40 });
    expect(recipeProblem(config, 64)).toBeNull();
    expect(config.inputSize).toBe(64);
    expect(config.batchSize).toBe(32); // 40 × (1 − 0.2)
    expect(changes).toHaveLength(2);
    expect(changes[0]).toContain('128 → 64 px');
  });

  it('keeps a recipe that already fits, as the same object', () => {
    const c = { ...DEFAULT_RUN, inputSize: 64, batchSize: 16 };
    expect(fitRecipe(c, { resolution: 256, train: 1000 }).config).toBe(c);
  });
});

describe('transfer settings', () => {
  it("transferDefaults: the seed's schedule (2 warm-up epochs at 1e-3, then 1e-4 with plateau 0.1/3 and early stop 6), widened channels, the seed's head", () => {
    const t = transferDefaults('resnet50', 512);
    expect(t).toMatchObject({ model: 'resnet50', inputSize: 224, lr: 1e-4, plateau: { factor: 0.1, patience: 3 }, earlyStopPatience: 6, monitor: 'val_loss' });
    expect(t.transfer).toEqual({ channels: 'widen', head: 'seed', warmupEpochs: 2, warmupLr: 1e-3, unfreeze: 'all', weights: null });
    expect(transferDefaults('inceptionv3', 512).inputSize).toBe(299);
    expect(transferDefaults('mobilenetv2', 64).inputSize).toBe(64);
    expect(recipeProblem(t, 512)).toBeNull();
    expect(recipeProblem({ ...t, transfer: undefined }, 512)).toBeNull(); // the defaults apply
  });
  it('names the transfer setting that is wrong, and the model whose input size is out of range', () => {
    const t = transferDefaults('mobilenetv2', 256);
    const tr = t.transfer!;
    expect(recipeProblem({ ...t, transfer: { ...tr, warmupEpochs: -1 } }, 256)).toBe('Warm-up epochs must be a whole number ≥ 0 (got -1)');
    expect(recipeProblem({ ...t, transfer: { ...tr, warmupLr: 0 } }, 256)).toBe('Warm-up learning rate must be in (0, 1) (got 0)');
    expect(recipeProblem({ ...t, transfer: { ...tr, warmupEpochs: 0, warmupLr: 0 } }, 256)).toBeNull(); // no warm-up: its rate is unused
    expect(recipeProblem({ ...t, transfer: { ...tr, unfreeze: { lastBlocks: 0 } } }, 256)).toMatch(
      /^Unfreeze: the last N blocks needs a whole number N ≥ 1 \(got 0\)/,
    );
    expect(recipeProblem({ ...t, transfer: { ...tr, channels: 'gray' as 'rgb' } }, 256)).toMatch(/^Four channels must be/);
    expect(recipeProblem({ ...t, transfer: { ...tr, head: 'mlp' as 'gap' } }, 256)).toMatch(/^Head must be/);
    expect(recipeProblem({ ...t, loss: 'bce-then-f1' }, 256)).toMatch(/^Loss 'BCE then soft F1' is GAPNet's two-phase schedule/);
    expect(recipeProblem({ ...transferDefaults('inceptionv3', 512), inputSize: 64 }, 512)).toBe('Input size 64 px: inceptionv3 needs at least 75 px');
    // a dataset stored below the model's smallest input: the message says what to do
    expect(recipeProblem(transferDefaults('inceptionv3', 64), 64)).toMatch(
      /^inceptionv3 needs at least 75 px and the dataset is stored at 64 px: import it again at a larger stored resolution/,
    );
    expect(recipeProblem({ ...DEFAULT_RUN, transfer: tr }, 256)).toBe('Transfer settings are for transfer models; gapnet-pl is a GAPNet');
    expect(recipeProblem({ ...DEFAULT_RUN, model: 'alexnet' }, 256)).toMatch(/^Model 'alexnet' is not known/);
  });
  it('fitRecipe brings a transfer input down to the stored size only where the model takes it', () => {
    const t = transferDefaults('inceptionv3', 512);
    expect(fitRecipe(t, { resolution: 128, train: 100 }).config.inputSize).toBe(128);
    expect(fitRecipe(t, { resolution: 64, train: 100 }).config.inputSize).toBe(299); // 64 < 75: left for recipeProblem to name
  });
});
