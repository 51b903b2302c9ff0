import { describe, expect, it } from 'vitest';
import { DEFAULT_RUN, recipeProblem } from '../../core/runConfig';
import { switchModel } from './modelSwitch';

describe('switchModel', () => {
  it("gives a GAPNet recipe the seed's transfer recipe the first time, and says so", () => {
    const { config, changes } = switchModel({ ...DEFAULT_RUN, inputSize: 64, seed: 7 }, 'mobilenetv2', 64);
    expect(config.model).toBe('mobilenetv2');
    expect(config.transfer).toMatchObject({ channels: 'widen', head: 'seed', warmupEpochs: 2, warmupLr: 1e-3, unfreeze: 'all', weights: null });
    expect(config).toMatchObject({ lr: 1e-4, loss: 'bce', inputSize: 64, seed: 7, earlyStopPatience: 6 });
    expect(changes.join()).toMatch(/the seed's transfer recipe: 2 warm-up epochs/);
    expect(recipeProblem(config, 64)).toBeNull();
  });
  it('between backbones: the new default input (down to the stored size), and no weights made for the other backbone', () => {
    const r = switchModel({ ...DEFAULT_RUN, inputSize: 64 }, 'inceptionv3', 64);
    expect(r.config.inputSize).toBe(75);
    expect(recipeProblem(r.config, 64)).toMatch(/inceptionv3 needs at least 75 px and the dataset is stored at 64 px/);
    const withWeights = { ...r.config, transfer: { ...r.config.transfer!, weights: 'w-1' } };
    const back = switchModel(withWeights, 'mobilenetv2', 64);
    expect(back.config.inputSize).toBe(64);
    expect(back.config.transfer!.weights).toBeNull();
    expect(back.changes.join()).toMatch(/input size 75 → 64 px.*random initialisation/);
  });
  it('back to GAPNet: the GAPNet recipe without transfer settings', () => {
    const t = switchModel({ ...DEFAULT_RUN, inputSize: 64 }, 'resnet50', 512).config;
    const { config, changes } = switchModel(t, 'gapnet-pl', 512);
    expect(config.transfer).toBeUndefined();
    expect(config).toMatchObject({ model: 'gapnet-pl', lr: DEFAULT_RUN.lr, loss: DEFAULT_RUN.loss, inputSize: DEFAULT_RUN.inputSize });
    expect(changes).toHaveLength(1);
  });
});
