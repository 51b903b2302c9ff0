// `make-dataset`: the realistic and the teaching demo, written to disk as the studio's demo button makes them.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureConsole } from '../captureConsole';
import { main } from '../main';
import { makeDatasetZip, planDataset } from '../../synth';
import { demoSynthOptions } from '../../synth/teachingDemo';

const tmp = mkdtempSync(join(tmpdir(), 'hpa-make-dataset-'));
const { out, err } = captureConsole();

const same = (file: string, bytes: Uint8Array) => Buffer.from(readFileSync(file)).equals(Buffer.from(bytes));

describe('hpa-studio make-dataset', () => {
  it('--teaching writes the teaching demo, byte for byte what the studio generates, and prints the class counts', async () => {
    const file = join(tmp, 'teaching.zip');
    const code = await main([
      'make-dataset',
      '--train',
      '84',
      '--test',
      '42',
      '--size',
      '16',
      '--seed',
      '3',
      '--teaching',
      '--min-per-class',
      '4',
      '--quiet',
      '--out',
      file,
    ]);
    expect(code, err.join('\n')).toBe(0);
    const opts = { ...demoSynthOptions({ train: 84, test: 42, size: 16, seed: 3, teaching: true }), minPerClass: 4 };
    expect(same(file, await makeDatasetZip(opts))).toBe(true);
    expect(out[0]).toMatch(/84 train \+ 42 test samples at 16 px, seed 3, teaching demo \(at least 4 samples per class\)/);
    const plan = planDataset(opts);
    const counts = (split: 'train' | 'test') => Array.from({ length: 28 }, (_, c) => plan[split].filter((s) => s.labels.includes(c)).length);
    expect(out[1]).toBe(`train samples per class 0..27: ${counts('train').join(' ')}`);
    // the test split aims at the same share: ⌈4 · 42 / 84⌉ = 2 per class
    expect(Math.min(...counts('test'))).toBeGreaterThanOrEqual(2);
    expect(out[2]).toMatch(/^test samples per class 0\.\.27: [\d ]+$/);
  });

  it('names the classes a split too small for the minimum leaves short', async () => {
    const file = join(tmp, 'short.zip');
    const code = await main(['make-dataset', '--train', '20', '--test', '0', '--size', '16', '--seed', '1', '--teaching', '--quiet', '--out', file]);
    expect(code, err.join('\n')).toBe(0);
    expect(out[1]).toMatch(/; under 60: 0 \(\d+\), .*\(too few samples\)$/);
  });

  it('without --teaching the realistic demo is unchanged', async () => {
    const file = join(tmp, 'realistic.zip');
    const code = await main(['make-dataset', '--train', '6', '--test', '2', '--size', '16', '--seed', '3', '--cap-dominant', '--quiet', '--out', file]);
    expect(code, err.join('\n')).toBe(0);
    expect(same(file, await makeDatasetZip({ train: 6, test: 2, size: 16, seed: 3, capDominant: true }))).toBe(true);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/dominant classes capped/);
  });

  it('refuses --min-per-class without --teaching, and a minimum that is not a whole number', async () => {
    const file = join(tmp, 'never.zip');
    writeFileSync(file, '');
    expect(await main(['make-dataset', '--min-per-class', '5', '--out', file])).toBe(2);
    expect(err.join('\n')).toMatch(/--min-per-class needs --teaching/);
    err.length = 0;
    expect(await main(['make-dataset', '--teaching', '--min-per-class', 'x', '--out', file])).toBe(2);
    expect(err.join('\n')).toMatch(/--min-per-class must be a whole number/);
  });
});
