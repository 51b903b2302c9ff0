import { describe, expect, it } from 'vitest';
import { MODELS } from './models/catalog';
import { createModel, listModels } from './models/registry';
import { DEFAULT_RUN, fitRecipe, preset, recipeProblem } from './runConfig';

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
