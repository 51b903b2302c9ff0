// `predict` and `submit` end to end on a tiny synthetic Kaggle zip with a model zip, plus bad inputs.
import { mkdirSync, mkdtempSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Uint8ArrayReader, Uint8ArrayWriter, ZipReader, type FileEntry } from '@zip.js/zip.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { captureConsole } from '../captureConsole';
import { main } from '../main';
import { openTestZip } from '../testZip';
import { formatThresholdsCsv, parseLabelCsv, parseProbsCsv } from '../../core/csv';
import { modelFiles, studioMeta, writeModelZip } from '../../core/modelPackage';
import { createModel } from '../../core/models/registry';
import { makeDatasetZip } from '../../synth';

const tmp = mkdtempSync(join(tmpdir(), 'hpa-predict-'));
const p = (name: string) => join(tmp, name);
const { out, err } = captureConsole();

let model: tf.LayersModel;
beforeAll(async () => {
  await tf.setBackend('cpu');
  const zip = await makeDatasetZip({ train: 2, test: 7, size: 32, seed: 11 });
  writeFileSync(p('data.zip'), zip);
  const r = new ZipReader(new Uint8ArrayReader(zip), { useWebWorkers: false });
  for (const e of await r.getEntries()) if (e.filename.endsWith('.csv')) writeFileSync(p(e.filename), await (e as FileEntry).getData(new Uint8ArrayWriter()));
  await r.close();
  model = createModel('gapnet-pl', { inputSize: 32, seed: 4 });
  writeFileSync(p('model.zip'), await writeModelZip(model, studioMeta(model, { modelName: 'gapnet-pl' })));
});

describe('hpa-studio predict + submit', () => {
  it("predicts the zip's test split in sample_submission order, then writes and scores a valid submission", async () => {
    expect(await main(['predict', '--model', p('model.zip'), '--data', p('data.zip'), '--out', p('probs.csv'), '--batch', '3'])).toBe(0);
    expect(err).toEqual([]);
    expect(out[0]).toMatch(/^gapnet-pl 32px \(resize\), TTA none: 1 view per image; 7 test images \(32 px, ids from sample_submission\.csv\), wasm backend$/);
    expect(out.filter((l) => l.startsWith('predicted ')).at(-1)).toMatch(/^predicted 7\/7 images {2}[\d.]+ img\/s/);
    const sampleIds = parseLabelCsv(readFileSync(p('sample_submission.csv'), 'utf8'), { labelColumn: 'Predicted' }).map((r) => r.id);
    const probs = parseProbsCsv(readFileSync(p('probs.csv'), 'utf8'));
    expect(probs.ids).toEqual(sampleIds);
    // the same numbers as the model on the zip's pixels
    const test = await openTestZip(p('data.zip'), { size: 32 });
    const pixels: Uint8Array[] = [];
    for await (const b of test.source.batches(7)) pixels.push(b.x as Uint8Array);
    await test.close();
    const want = tf.tidy(() => (model.predict(tf.tensor4d(pixels[0], [7, 32, 32, 4], 'float32')) as tf.Tensor).dataSync());
    for (let i = 0; i < want.length; i++) expect(probs.probs[i]).toBeCloseTo(want[i], 6);

    // TTA changes the numbers but keeps the ids
    out.length = 0;
    expect(
      await main(['predict', '--model', p('model.zip'), '--data', p('data.zip'), '--out', p('probs-tta.csv'), '--tta', 'dihedral', '--tta-combine', 'max']),
    ).toBe(0);
    expect(out[0]).toMatch(/TTA dihedral \(max\): 8 views per image/);
    const tta = parseProbsCsv(readFileSync(p('probs-tta.csv'), 'utf8'));
    expect(tta.ids).toEqual(sampleIds);
    expect(tta.probs.every((v, i) => v >= probs.probs[i] - 1e-6)).toBe(true); // max over views ≥ the identity view

    writeFileSync(p('thresholds.csv'), formatThresholdsCsv(Array.from({ length: 28 }, () => 0.5)));
    out.length = 0;
    expect(
      await main([
        'submit',
        '--probs',
        p('probs.csv'),
        '--thresholds',
        p('thresholds.csv'),
        '--sample',
        p('sample_submission.csv'),
        '--at-least-one',
        '--out',
        p('submission.csv'),
        '--truth',
        p('test_labels.csv'),
      ]),
    ).toBe(0);
    expect(err).toEqual([]);
    expect(out[0]).toMatch(
      new RegExp(`^wrote .*submission\\.csv: 7 rows \\(ids from .*sample_submission\\.csv\\), [\\d.]+ labels per image, 0 without a label$`),
    );
    const sub = parseLabelCsv(readFileSync(p('submission.csv'), 'utf8'), { labelColumn: 'Predicted', allowEmpty: true });
    expect(sub.map((r) => r.id)).toEqual(sampleIds);
    const macro = /^macro F1 (\d\.\d{6}) {2}\(7 rows; /.exec(out[1]);
    expect(macro).not.toBeNull();
    out.length = 0;
    expect(await main(['score', '--truth', p('test_labels.csv'), '--pred', p('submission.csv')])).toBe(0);
    expect(/^macro F1 (\d\.\d{6}) /.exec(out[0])?.[1]).toBe(macro![1]); // submit --truth prints what score prints
  });

  it('several --model flags average the models; a tf.io model.json with its shards works too', async () => {
    const other = createModel('gapnet-pl', { inputSize: 32, seed: 9 });
    writeFileSync(p('other.zip'), await writeModelZip(other, studioMeta(other, { modelName: 'gapnet-pl' })));
    mkdirSync(p('tfjs'), { recursive: true });
    for (const [name, bytes] of await modelFiles(other, 1_000_000)) writeFileSync(join(p('tfjs'), name), bytes);
    other.dispose();
    expect(await main(['predict', '--model', p('model.zip'), '--data', p('data.zip'), '--out', p('a.csv')])).toBe(0);
    expect(await main(['predict', '--model', p('other.zip'), '--data', p('data.zip'), '--out', p('b.csv')])).toBe(0);
    out.length = 0;
    expect(await main(['predict', '--model', p('model.zip'), '--model', p('other.zip'), '--data', p('data.zip'), '--out', p('ab.csv')])).toBe(0);
    expect(out.at(-1)).toMatch(/: 7 rows, the mean of 2 models$/);
    const [a, b, ab] = ['a.csv', 'b.csv', 'ab.csv'].map((f) => parseProbsCsv(readFileSync(p(f), 'utf8')));
    expect(ab.ids).toEqual(a.ids);
    for (let i = 0; i < ab.probs.length; i++) expect(ab.probs[i]).toBeCloseTo((a.probs[i] + b.probs[i]) / 2, 6);

    out.length = 0;
    expect(await main(['predict', '--model', join(p('tfjs'), 'model.json'), '--data', p('data.zip'), '--out', p('c.csv')])).toBe(0);
    expect(out[0]).toMatch(/has no studio\.json: assuming whole images resized to 32 px$/);
    expect(Array.from(parseProbsCsv(readFileSync(p('c.csv'), 'utf8')).probs)).toEqual(Array.from(b.probs));
    unlinkSync(join(p('tfjs'), 'group1-shard2of3.bin'));
    expect(await main(['predict', '--model', join(p('tfjs'), 'model.json'), '--data', p('data.zip'), '--out', p('c.csv')])).toBe(1);
    expect(err.at(-1)).toMatch(/model\.json: weight shard 'group1-shard2of3\.bin' listed in model\.json is missing$/);
  });

  it('fails with one clear line: truncated model zip, model that does not fit, probs missing ids, bad flags', async () => {
    const zip = readFileSync(p('model.zip'));
    writeFileSync(p('truncated.zip'), zip.subarray(0, zip.length - 100));
    expect(await main(['predict', '--model', p('truncated.zip'), '--data', p('data.zip'), '--out', p('x.csv')])).toBe(1);
    expect(err.at(-1)).toMatch(/^hpa-studio predict: .*truncated\.zip is truncated or not a zip/);

    const crop = createModel('gapnet-pl', { inputSize: 48, seed: 1 });
    writeFileSync(p('crop48.zip'), await writeModelZip(crop, studioMeta(crop, { modelName: 'gapnet-pl', resizeMode: 'crop', storedSize: 64 })));
    crop.dispose();
    expect(await main(['predict', '--model', p('crop48.zip'), '--data', p('data.zip'), '--out', p('x.csv')])).toBe(1);
    expect(err.at(-1)).toBe(
      "hpa-studio predict: model gapnet-pl (48 px, crop) does not fit the dataset: the model was trained on 48 px crops, the dataset's images are 32 px",
    );
    const c27 = createModel('gapnet-pl', { inputSize: 32, classes: 27, seed: 1 });
    writeFileSync(p('c27.zip'), await writeModelZip(c27, studioMeta(c27, { modelName: 'gapnet-pl' })));
    c27.dispose();
    expect(await main(['predict', '--model', p('c27.zip'), '--data', p('data.zip'), '--out', p('x.csv')])).toBe(1);
    expect(err.at(-1)).toMatch(/the model predicts 27 classes, the dataset has 28$/);

    const lines = readFileSync(p('probs.csv'), 'utf8').trimEnd().split('\n');
    writeFileSync(p('short-probs.csv'), [lines[0], ...lines.slice(4)].join('\n') + '\n');
    const missing = lines.slice(1, 4).map((l) => l.split(',')[0]);
    expect(await main(['submit', '--probs', p('short-probs.csv'), '--threshold', '0.5', '--sample', p('sample_submission.csv'), '--out', p('s.csv')])).toBe(1);
    expect(err.at(-1)).toBe(`hpa-studio submit: ${p('short-probs.csv')}: 3 Id(s) of ${p('sample_submission.csv')} are missing: ${missing.join(', ')}`);

    expect(await main(['predict', '--model', p('model.zip'), '--data', p('data.zip'), '--out', p('x.csv'), '--tta', 'rot'])).toBe(2);
    expect(err.at(-1)).toMatch(/--tta 'rot' is not one of none, flips, dihedral/);
    expect(await main(['submit', '--probs', p('probs.csv'), '--out', p('s.csv')])).toBe(2);
    expect(err.at(-1)).toMatch(/give either --thresholds FILE or --threshold T/);
  });
});
