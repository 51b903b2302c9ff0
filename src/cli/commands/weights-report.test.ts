// `weights-report` and `train --weights` on the committed Keras-layout fixtures (fixtures/transfer).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { weightsFixture } from '../../../fixtures/transfer/weightsFixtures';
import { captureConsole } from '../captureConsole';
import { main } from '../main';
import { makeDatasetZip } from '../../synth';

const tmp = mkdtempSync(join(tmpdir(), 'hpa-weights-'));
const { out, err } = captureConsole();
const file = (name: string) => {
  const p = join(tmp, name.replace(/\.br$/, ''));
  writeFileSync(p, weightsFixture(name));
  return p;
};

describe('hpa-studio weights-report', () => {
  it('names the renamed and the reshaped tensor of a damaged file, and exits 1', async () => {
    expect(await main(['weights-report', '--model', 'mobilenetv2', '--weights', file('mobilenetv2_damaged.h5.br'), '--size', '32'])).toBe(1);
    const text = out.join('\n');
    expect(text).toMatch(/loaded 258 tensors; 1 missing, 1 unexpected, 1 shape mismatches/);
    expect(text).toContain('shape mismatch: bn_Conv1/gamma: file [31], model [32]');
    expect(text).toContain('unexpected (file tensor the model lacks): Conv1/kernel_renamed');
    expect(text).toContain('missing (model tensor not in the file): Conv1/kernel');
  });

  it('exits 0 for a file that fits, and reads a TF.js zip', async () => {
    out.length = 0;
    expect(await main(['weights-report', '--model', 'mobilenetv2', '--weights', file('mobilenetv2_tfjs.zip'), '--size', '32', '--channels', 'rgb'])).toBe(0);
    expect(out.join('\n')).toMatch(/TF\.js layers model, 260 tensors\nloaded 260 tensors; 0 missing, 0 unexpected, 0 shape mismatches/);
  });
});

describe('hpa-studio train --weights', () => {
  it('loads the file onto the model and reports before the first epoch', async () => {
    out.length = 0;
    const zip = join(tmp, 'tiny.zip');
    writeFileSync(zip, await makeDatasetZip({ train: 16, test: 1, size: 32, seed: 5, capDominant: true }));
    const dir = join(tmp, 'run');
    const args = ['train', '--data', zip, '--model', 'mobilenetv2', '--epochs', '1', '--size', '32', '--batch', '8', '--holdout', '0.25', '--out', dir];
    const code = await main([...args, '--weights', file('mobilenetv2.h5.br')]);
    expect(err.join('\n')).toBe('');
    expect(code).toBe(0);
    const reportAt = out.findIndex((l) => l.includes('loaded 260 tensors; 0 missing, 0 unexpected, 0 shape mismatches'));
    expect(reportAt).toBeGreaterThanOrEqual(0);
    expect(reportAt).toBeLessThan(out.findIndex((l) => l.startsWith('epoch 1/')));
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    expect(config.weights).toMatchObject({ source: 'h5', kerasVersion: '2.15.0', report: { loaded: 260, widened: ['Conv1/kernel'] } });
    expect(await main([...args, '--weights', join(tmp, 'nope.h5')])).toBe(2);
    expect(err.join('\n')).toMatch(/--weights .*nope\.h5: no such file or folder/);
  });
});
