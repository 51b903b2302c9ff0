/**
 * Reads the training half of a Kaggle-layout HPA zip in Node: train.csv plus
 * train/{Id}_{red,green,blue,yellow}.png (8- or 16-bit grayscale), decoded with fast-png,
 * downscaled by area averaging to the stored size and interleaved into RGBY rows in memory.
 * The zip is read by random access (fs.openAsBlob + zip.js), so its size does not matter; the
 * decoded images must fit in memory (n × S² × 4 bytes).
 * A single top-level folder around everything is accepted.
 */
import { configure, Uint8ArrayWriter, type FileEntry } from '@zip.js/zip.js';
import { openZip } from './openZip';
import { decode } from 'fast-png';
import { parseLabelCsv, type LabelRow } from '../core/csv';
import { NUM_CLASSES } from '../core/labels';
import { interleave, resizeArea } from '../core/resize';
import type { MemoryDataset } from '../core/train/batchSource';

export const CHANNEL_ORDER = ['red', 'green', 'blue', 'yellow'] as const;

export interface ZipDataset extends MemoryDataset {
  ids: string[];
  labelSets: number[][];
  /** side of the PNGs in the zip */
  sourceSize: number;
}

async function entryBytes(e: FileEntry): Promise<Uint8Array> {
  return e.getData(new Uint8ArrayWriter());
}

/** Decodes one grayscale PNG channel to 8-bit values. */
export function decodeGray(bytes: Uint8Array, name: string): { data: Uint8Array; width: number; height: number } {
  const png = decode(bytes);
  if (png.channels !== 1) throw new Error(`${name}: expected a 1-channel grayscale PNG, got ${png.channels} channels`);
  if (png.depth === 8) return { data: png.data as Uint8Array, width: png.width, height: png.height };
  if (png.depth === 16) return { data: Uint8Array.from(png.data as Uint16Array, (v) => v >> 8), width: png.width, height: png.height };
  throw new Error(`${name}: ${png.depth}-bit PNGs are not supported (expected 8 or 16)`);
}

export async function readTrainZip(
  path: string,
  opts: { size: number; limit?: number; onProgress?: (done: number, total: number) => void },
): Promise<ZipDataset> {
  configure({ useWebWorkers: false });
  const zip = await openZip(path);
  try {
    const { files } = zip;
    const csvName = [...files.keys()].find((n) => n === 'train.csv' || /^[^/]+\/train\.csv$/.test(n));
    if (!csvName) throw new Error(`${path} has no train.csv (at the top level or in one top-level folder)`);
    const prefix = csvName.slice(0, -'train.csv'.length);
    const rows: LabelRow[] = parseLabelCsv(new TextDecoder().decode(await entryBytes(files.get(csvName)!)), { file: `${path}:${csvName}` });
    const use = opts.limit ? rows.slice(0, opts.limit) : rows;
    const n = use.length;
    if (n === 0) throw new Error(`${path}:${csvName} lists no samples`);

    let side = 0;
    let sourceSize = 0;
    let images = new Uint8Array(0);
    const labels = new Uint8Array(n * NUM_CLASSES);
    for (let i = 0; i < n; i++) {
      const id = use[i].id;
      const planes: Uint8Array[] = [];
      for (const ch of CHANNEL_ORDER) {
        const name = `${prefix}train/${id}_${ch}.png`;
        const entry = files.get(name);
        if (!entry) throw new Error(`${path} lacks ${name} (train.csv row ${i + 2}, id ${id})`);
        const g = decodeGray(await entryBytes(entry), name);
        if (g.width !== g.height) throw new Error(`${name} is ${g.width}×${g.height}: square images expected`);
        if (sourceSize === 0) {
          sourceSize = g.width;
          side = Math.min(opts.size, sourceSize);
          images = new Uint8Array(n * side * side * 4);
        } else if (g.width !== sourceSize) {
          throw new Error(`${name} is ${g.width} px, but the first image was ${sourceSize} px`);
        }
        planes.push(g.width === side ? g.data : resizeArea(g.data, g.width, g.height, side, side));
      }
      images.set(interleave(planes, side * side), i * side * side * 4);
      for (const c of use[i].labels) labels[i * NUM_CLASSES + c] = 1;
      opts.onProgress?.(i + 1, n);
    }
    return {
      images,
      imageSize: side,
      channels: 4,
      labels,
      numClasses: NUM_CLASSES,
      ids: use.map((r) => r.id),
      labelSets: use.map((r) => r.labels),
      sourceSize,
    };
  } finally {
    await zip.close();
  }
}
