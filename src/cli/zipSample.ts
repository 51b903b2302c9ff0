/**
 * One sample of a Kaggle-layout HPA zip by id, from train/ or test/ (train first): its four
 * channels decoded (fast-png), area-downscaled to the stored size as the training and test readers
 * do (min(size, the PNGs' side)), interleaved RGBY; and its labels when train.csv lists it.
 * A single top-level folder around everything is accepted.
 */
import { Uint8ArrayWriter } from '@zip.js/zip.js';
import { openZip } from './openZip';
import { parseLabelCsv } from '../core/csv';
import { interleave, resizeArea } from '../core/resize';
import { CHANNEL_ORDER, decodeGray } from './zipDataset';

export interface ZipSample {
  id: string;
  split: 'train' | 'test';
  /** the labels train.csv gives it; null for a test sample or one train.csv does not list */
  labels: number[] | null;
  /** side² × 4 bytes, R, G, B, Y interleaved */
  pixels: Uint8Array;
  side: number;
  /** side of the PNGs in the zip */
  sourceSize: number;
}

export async function readZipSample(path: string, id: string, size: number): Promise<ZipSample> {
  const zip = await openZip(path);
  try {
    const { files } = zip;
    const names = [...files.keys()];
    const first = names.find((n) => /^(?:[^/]+\/)?(?:train|test)\/[^/]+_red\.png$/.test(n));
    if (!first) throw new Error(`${path} has no train/ or test/ images (at the top level or in one top-level folder)`);
    const prefix = first.slice(0, first.search(/(?:train|test)\/[^/]+$/));
    const split = (['train', 'test'] as const).find((s) => files.has(`${prefix}${s}/${id}_red.png`));
    if (!split) throw new Error(`${path} has no sample '${id}': neither ${prefix}train/${id}_red.png nor ${prefix}test/${id}_red.png`);
    const planes: Uint8Array[] = [];
    let sourceSize = 0;
    let side = 0;
    for (const ch of CHANNEL_ORDER) {
      const name = `${prefix}${split}/${id}_${ch}.png`;
      const entry = files.get(name);
      if (!entry) throw new Error(`${path} lacks ${name} (sample ${id})`);
      const g = decodeGray(await entry.getData(new Uint8ArrayWriter()), name);
      if (g.width !== g.height) throw new Error(`${name} is ${g.width}×${g.height}: square images expected`);
      if (!sourceSize) {
        sourceSize = g.width;
        side = Math.min(size, sourceSize);
      } else if (g.width !== sourceSize) throw new Error(`${name} is ${g.width} px, but ${prefix}${split}/${id}_red.png is ${sourceSize} px`);
      planes.push(g.width === side ? g.data : resizeArea(g.data, g.width, g.height, side, side));
    }
    let labels: number[] | null = null;
    const csv = files.get(`${prefix}train.csv`);
    if (split === 'train' && csv) {
      const rows = parseLabelCsv(new TextDecoder().decode(await csv.getData(new Uint8ArrayWriter())), { file: `${path}:${prefix}train.csv` });
      labels = rows.find((r) => r.id === id)?.labels ?? null;
    }
    return { id, split, labels, pixels: interleave(planes, side * side), side, sourceSize };
  } finally {
    await zip.close();
  }
}
