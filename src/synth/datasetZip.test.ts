import { type FileEntry, Uint8ArrayReader, Uint8ArrayWriter, ZipReader } from '@zip.js/zip.js';
import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { parseLabelCsv } from '../core/csv';
import { CHANNELS, makeDatasetZip, writeDatasetZip } from './datasetZip';
import { planDataset, type SynthOptions } from './planDataset';

const opts: SynthOptions = { train: 6, test: 4, size: 24, seed: 42 };

async function unzip(bytes: Uint8Array): Promise<Map<string, Uint8Array>> {
  const reader = new ZipReader(new Uint8ArrayReader(bytes), { useWebWorkers: false });
  const files = new Map<string, Uint8Array>();
  for (const e of await reader.getEntries()) {
    expect(e.directory).toBe(false);
    files.set(e.filename, await (e as FileEntry).getData(new Uint8ArrayWriter()));
  }
  await reader.close();
  return files;
}

const utf8 = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

describe('dataset zip', () => {
  it('is byte-identical for the same options and differs for another seed', async () => {
    const a = await makeDatasetZip(opts);
    const b = await makeDatasetZip(opts);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    const c = await makeDatasetZip({ ...opts, seed: 43 });
    expect(Buffer.from(a).equals(Buffer.from(c))).toBe(false);
  });

  it('holds exactly the Kaggle layout: CSVs, then four PNGs per train and test sample', async () => {
    const plan = planDataset(opts);
    const files = await unzip(await makeDatasetZip(opts));
    const expected = [
      'train.csv',
      'sample_submission.csv',
      'test_labels.csv',
      ...plan.train.flatMap((s) => CHANNELS.map((c) => `train/${s.id}_${c}.png`)),
      ...plan.test.flatMap((s) => CHANNELS.map((c) => `test/${s.id}_${c}.png`)),
    ];
    expect([...files.keys()]).toEqual(expected);

    const train = utf8(files.get('train.csv'));
    expect(train.split('\n')[0]).toBe('Id,Target');
    expect(parseLabelCsv(train)).toEqual(plan.train);

    const sub = utf8(files.get('sample_submission.csv'));
    const subLines = sub.trimEnd().split('\n');
    expect(subLines[0]).toBe('Id,Predicted');
    expect(subLines.slice(1)).toEqual(plan.test.map((s) => `${s.id},0`));

    const truth = utf8(files.get('test_labels.csv'));
    expect(truth.split('\n')[0]).toBe('Id,Target');
    expect(parseLabelCsv(truth, { file: 'test_labels.csv' })).toEqual(plan.test);
  });

  it('every PNG decodes to the requested size, 8-bit, one channel', async () => {
    for (const size of [16, 40]) {
      const files = await unzip(await makeDatasetZip({ ...opts, size }));
      let pngs = 0;
      for (const [name, data] of files) {
        if (!name.endsWith('.png')) continue;
        const img = decode(data);
        expect([img.width, img.height, img.depth, img.channels], name).toEqual([size, size, 8, 1]);
        expect(img.data.length).toBe(size * size);
        pngs++;
      }
      expect(pngs).toBe(4 * (opts.train + opts.test));
    }
  });

  it('streams into a WritableStream with progress, and an empty split still gives valid CSVs', async () => {
    const seen: [number, number][] = [];
    let bytes = 0;
    let closed = false;
    await writeDatasetZip(
      { train: 3, test: 0, size: 16, seed: 1 },
      new WritableStream<Uint8Array>({
        write: (chunk) => void (bytes += chunk.length),
        close: () => void (closed = true),
      }),
      (done, total) => seen.push([done, total]),
    );
    expect(closed).toBe(true);
    expect(bytes).toBeGreaterThan(0);
    expect(seen).toEqual([
      [0, 3],
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    const files = await unzip(await makeDatasetZip({ train: 3, test: 0, size: 16, seed: 1 }));
    expect(utf8(files.get('sample_submission.csv'))).toBe('Id,Predicted\n');
    expect(utf8(files.get('test_labels.csv'))).toBe('Id,Target\n');
  });

  it('stops when the signal aborts, aborting the stream instead of closing it', async () => {
    const controller = new AbortController();
    let aborted: unknown = null;
    let closed = false;
    const run = writeDatasetZip(
      { train: 50, test: 0, size: 16, seed: 1 },
      new WritableStream<Uint8Array>({
        close: () => void (closed = true),
        abort: (reason) => void (aborted = reason),
      }),
      (done) => {
        if (done === 2) controller.abort(new Error('stop here'));
      },
      controller.signal,
    );
    await expect(run).rejects.toThrow('stop here');
    expect(closed).toBe(false);
    expect((aborted as Error).message).toBe('stop here');
  });
});
