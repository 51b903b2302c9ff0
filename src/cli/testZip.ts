/**
 * The test half of a Kaggle-layout HPA zip in Node, as a PredictSource: ids from the zip's
 * sample_submission.csv (its order) or, without one, the sorted ids of test/{Id}_{channel}.png;
 * pixels decoded batch by batch (fast-png), area-downscaled to the stored size and interleaved RGBY,
 * so memory holds one batch of images, not the whole test set.
 * A single top-level folder around everything is accepted.
 */
import { Uint8ArrayWriter } from '@zip.js/zip.js';
import { openZip } from './openZip';
import { parseLabelCsv } from '../core/csv';
import { labelMatrix } from '../core/metrics';
import type { PredictSource } from '../core/predict';
import { interleave, resizeArea } from '../core/resize';
import { CHANNEL_ORDER, decodeGray } from './zipDataset';

export interface TestZip {
  ids: string[];
  /** where the ids came from */
  idSource: 'sample_submission.csv' | 'test folder';
  /** side of the PNGs in the zip */
  sourceSize: number;
  source: PredictSource;
  close(): Promise<void>;
}

/** Opens the test split; images are kept at min(size, their own side). */
export async function openTestZip(path: string, opts: { size: number }): Promise<TestZip> {
  const zip = await openZip(path);
  try {
    const { files } = zip;
    const names = [...files.keys()];
    const anyTest = names.find((n) => /^(?:[^/]+\/)?test\/[^/]+_red\.png$/.test(n));
    if (!anyTest) throw new Error(`${path} has no test/{Id}_red.png images (at the top level or in one top-level folder)`);
    const prefix = anyTest.slice(0, anyTest.indexOf('test/'));
    const sampleName = `${prefix}sample_submission.csv`;
    let ids: string[];
    let idSource: TestZip['idSource'];
    const sample = files.get(sampleName);
    if (sample) {
      const text = new TextDecoder().decode(await sample.getData(new Uint8ArrayWriter()));
      ids = parseLabelCsv(text, { file: `${path}:${sampleName}`, labelColumn: 'Predicted', allowEmpty: true }).map((r) => r.id);
      idSource = 'sample_submission.csv';
    } else {
      const re = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}test/([^/]+)_red\\.png$`);
      ids = names.flatMap((n) => re.exec(n)?.[1] ?? []).sort();
      idSource = 'test folder';
    }
    if (!ids.length) throw new Error(`${path}: ${sampleName} lists no ids`);
    ids.forEach((id, i) => {
      for (const ch of CHANNEL_ORDER) {
        const name = `${prefix}test/${id}_${ch}.png`;
        if (!files.has(name))
          throw new Error(`${path} lacks ${name} (${idSource === 'sample_submission.csv' ? `sample_submission.csv line ${i + 2}` : 'test folder'}, id ${id})`);
      }
    });
    const first = decodeGray(await files.get(`${prefix}test/${ids[0]}_red.png`)!.getData(new Uint8ArrayWriter()), `${prefix}test/${ids[0]}_red.png`);
    const sourceSize = first.width;
    const side = Math.min(opts.size, sourceSize);
    const pixels = side * side * 4;

    async function image(id: string): Promise<Uint8Array> {
      const planes: Uint8Array[] = [];
      for (const ch of CHANNEL_ORDER) {
        const name = `${prefix}test/${id}_${ch}.png`;
        const g = decodeGray(await files.get(name)!.getData(new Uint8ArrayWriter()), name);
        if (g.width !== sourceSize || g.height !== sourceSize)
          throw new Error(`${name} is ${g.width}×${g.height}, but the first test image was ${sourceSize}×${sourceSize}`);
        planes.push(g.width === side ? g.data : resizeArea(g.data, g.width, g.height, side, side));
      }
      return interleave(planes, side * side);
    }

    const source: PredictSource = {
      numRows: ids.length,
      imageSize: side,
      channels: 4,
      async *batches(batchSize: number) {
        for (let s = 0; s < ids.length; s += batchSize) {
          const chunk = ids.slice(s, s + batchSize);
          const x = new Uint8Array(chunk.length * pixels);
          for (let i = 0; i < chunk.length; i++) x.set(await image(chunk[i]), i * pixels);
          yield { x };
        }
      },
    };
    return { ids, idSource, sourceSize, source, close: zip.close };
  } catch (e) {
    await zip.close().catch(() => {});
    throw e;
  }
}

/**
 * Whether the zip has test images, and its test ground truth where it has one (the synthetic
 * zips' test_labels.csv, Id,Target), as a 0/1 matrix [ids × classes].
 */
export async function readTestTruth(path: string): Promise<{ hasImages: boolean; truth?: { ids: string[]; truth: Uint8Array } }> {
  const zip = await openZip(path);
  try {
    const names = [...zip.files.keys()];
    const anyTest = names.find((n) => /^(?:[^/]+\/)?test\/[^/]+_red\.png$/.test(n));
    if (!anyTest) return { hasImages: false };
    const name = `${anyTest.slice(0, anyTest.indexOf('test/'))}test_labels.csv`;
    const entry = zip.files.get(name);
    if (!entry) return { hasImages: true };
    const rows = parseLabelCsv(new TextDecoder().decode(await entry.getData(new Uint8ArrayWriter())), { file: `${path}:${name}`, labelColumn: 'Target' });
    return { hasImages: true, truth: { ids: rows.map((r) => r.id), truth: labelMatrix(rows.map((r) => r.labels)) } };
  } finally {
    await zip.close();
  }
}
