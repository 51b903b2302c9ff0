// `hpa-studio train` on a transfer model: the studio's warm-up → fine-tune schedule from flags, started
// from a Keras-layout weights file (fixtures/transfer), on a tiny synthetic zip at 32 px.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { weightsFixture } from '../../../fixtures/transfer/weightsFixtures';
import { captureConsole } from '../captureConsole';
import { main } from '../main';
import { decodeCheckpoint, type NamedArray } from '../../core/train/checkpoint';
import { widenFirstConvKernel } from '../../core/models/transfer';
import { readKerasH5 } from '../../core/weights/kerasH5';
import { isCleanReport } from '../../core/weights/weightReport';
import { makeDatasetZip } from '../../synth';

const tmp = mkdtempSync(join(tmpdir(), 'hpa-transfer-train-'));
const { out, err } = captureConsole();

describe('hpa-studio train on a transfer model', () => {
  it('warms up with the loaded backbone frozen, then fine-tunes its last blocks, and records both phases', async () => {
    const zip = join(tmp, 'tiny.zip');
    writeFileSync(zip, await makeDatasetZip({ train: 16, test: 1, size: 32, seed: 5, capDominant: true }));
    const h5 = join(tmp, 'mobilenetv2.h5');
    writeFileSync(h5, weightsFixture('mobilenetv2.h5.br'));
    const dir = join(tmp, 'run');
    const code = await main([
      'train',
      '--data',
      zip,
      '--model',
      'mobilenetv2',
      '--size',
      '32',
      '--head',
      'gap',
      '--channels',
      'widen',
      '--warmup-epochs',
      '1',
      '--epochs',
      '1',
      '--unfreeze',
      '2',
      '--batch',
      '4',
      '--holdout',
      '0.25',
      '--weights',
      h5,
      '--out',
      dir,
    ]);
    expect(err.join('\n')).toBe('');
    expect(code).toBe(0);

    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    expect(config.transfer).toEqual({ channels: 'widen', head: 'gap', warmupEpochs: 1, warmupLr: 1e-3, unfreeze: { lastBlocks: 2 }, weights: h5 });
    expect(config.weights).toMatchObject({ file: h5, source: 'h5', report: { loaded: 260, widened: ['Conv1/kernel'] } });
    expect(isCleanReport(config.weights.report)).toBe(true);
    // the seed's schedule where no flag says otherwise: BCE, fine-tune at 1e-4, plateau ×0.1, early stop 6
    expect(config.loss.flag).toBe('bce');
    expect(config.phases).toEqual([
      { name: 'warm-up (backbone frozen)', epochs: 1, lr: 1e-3, trainable: { backbone: 'frozen' } },
      { name: 'fine-tune (last 2 blocks)', epochs: 1, lr: 1e-4, trainable: { backbone: { lastBlocks: 2 } } },
    ]);
    expect(config.reduceLrOnPlateau).toEqual({ factor: 0.1, patience: 3 });
    expect(config.earlyStopping).toEqual({ patience: 6 });

    const history = JSON.parse(readFileSync(join(dir, 'history.json'), 'utf8'));
    expect(history.map((h: { epoch: number; phase: number; phaseName: string }) => [h.epoch, h.phase, h.phaseName])).toEqual([
      [1, 0, 'warm-up (backbone frozen)'],
      [2, 1, 'fine-tune (last 2 blocks)'],
    ]);
    const epochLines = out.filter((l) => l.startsWith('epoch '));
    expect(epochLines[0]).toMatch(/^epoch 1\/2 \[warm-up \(backbone frozen\)\] loss /);
    expect(epochLines[1]).toMatch(/^epoch 2\/2 \[fine-tune \(last 2 blocks\)\] loss /);
    expect(out.some((l) => l.startsWith('phase 1/2: warm-up (backbone frozen), 1 epoch at lr 1.0e-3'))).toBe(true);

    // the file's values, and the weights as the warm-up ended and as the run ended
    const read = (await readKerasH5(weightsFixture('mobilenetv2.h5.br'))).weights;
    const file = new Map(read.map((w) => [`${w.layer}/${w.weight}`, w.data]));
    const byName = (ws: NamedArray[]) => new Map(ws.map((w) => [w.name, w.data]));
    const warm = byName(decodeCheckpoint(new Uint8Array(readFileSync(join(dir, 'checkpoints', 'phase-1.ckpt'))).buffer).weights);
    const last = byName(decodeCheckpoint(new Uint8Array(readFileSync(join(dir, 'checkpoints', 'last.ckpt'))).buffer).weights);
    const frozen = [
      'block_1_depthwise/depthwise_kernel',
      'block_16_project/kernel',
      'block_16_project_BN/gamma',
      'block_16_project_BN/moving_mean',
      'Conv_1_bn/moving_variance',
    ];
    for (const name of frozen) {
      expect(file.has(name) && warm.has(name), name).toBe(true);
      expect(warm.get(name), name).toEqual(file.get(name)); // bit-identical: frozen, BatchNorm statistics unmoved
    }
    // the first conv widened to RGBY (yellow from red) on the model built with --channels widen, frozen too
    const conv1 = read.find((w) => w.layer === 'Conv1' && w.weight === 'kernel')!;
    const widened = widenFirstConvKernel('mobilenetv2', conv1.data, conv1.shape);
    expect(widened.shape).toEqual([3, 3, 4, 32]);
    expect(warm.get('Conv1/kernel')).toEqual(widened.data);
    expect(last.has('hpa_head_out/kernel')).toBe(true);
    expect(warm.get('hpa_head_out/kernel')).not.toEqual(last.get('hpa_head_out/kernel'));
    // the fine-tune trains the last 2 blocks (block_16, Conv_1) and leaves the earlier ones as loaded
    expect(last.get('block_1_depthwise/depthwise_kernel')).toEqual(file.get('block_1_depthwise/depthwise_kernel'));
    expect(last.get('block_16_project/kernel')).not.toEqual(file.get('block_16_project/kernel'));
  }, 120_000);

  it('rejects transfer flags that do not fit, naming the flag', async () => {
    const base = ['train', '--data', join(tmp, 'x.zip'), '--out', join(tmp, 'bad')];
    expect(await main([...base, '--model', 'gapnet-pl', '--head', 'gap'])).toBe(2);
    expect(err.join('\n')).toMatch(/--head is for transfer models; gapnet-pl is a GAPNet/);
    expect(await main([...base, '--model', 'mobilenetv2', '--unfreeze', '0'])).toBe(2);
    expect(err.join('\n')).toMatch(/--unfreeze must be 'all' or a number of last blocks in 1\.\.19 \(mobilenetv2 has 19\), got '0'/);
    expect(await main([...base, '--model', 'mobilenetv2', '--channels', 'bgr'])).toBe(2);
    expect(err.join('\n')).toMatch(/--channels 'bgr' is not one of rgb, widen, adapter/);
    expect(await main([...base, '--model', 'resnet50', '--loss', 'bce-then-f1'])).toBe(2);
    expect(err.join('\n')).toMatch(/--loss bce-then-f1: .*resnet50 warms up and fine-tunes instead/);
  });
});
