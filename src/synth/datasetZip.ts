/**
 * Writes a synthetic dataset as a zip in the Kaggle layout (docs/domain.md §1): train.csv,
 * sample_submission.csv, test_labels.csv (the test ground truth), train/{Id}_{red,green,blue,yellow}.png
 * and test/{Id}_{...}.png. Streams sample by sample with bounded memory; works in Node and in a Worker.
 *
 * Byte-identical for the same options: entries in a fixed order, a fixed modification date, no
 * extended timestamps, every entry stored so no platform's deflate is involved; the PNGs (8-bit
 * grayscale, fast-png's own pure-JS deflate) are compressed already. Written by the studio's own
 * StoredZipWriter (storedZipWriter.ts), whose memory does not grow with the entries written.
 */
import { encode } from 'fast-png';
import { formatLabelCsv } from '../core/csv';
import { planDataset, type SynthOptions } from './planDataset';
import { renderSample } from './renderSample';
import { type CentralDirectoryStore, StoredZipWriter } from './storedZipWriter';

/** The modification date of every entry (the competition's launch month). */
export const ZIP_DATE = new Date(2018, 9, 2, 12, 0, 0);

export const CHANNELS = ['red', 'green', 'blue', 'yellow'] as const;

const text = new TextEncoder();

/**
 * One channel as an 8-bit grayscale PNG. zlib level 2: at 512 px it encodes about twice as fast as
 * fast-png's default level 3 for files under 1 % larger (the camera noise is what costs bytes).
 */
export function encodeChannel(data: Uint8Array, size: number): Uint8Array {
  return encode({ width: size, height: size, data, depth: 8, channels: 1 }, { zlib: { level: 2 } });
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

/**
 * Streams the dataset zip into `writable`. `onProgress(done, total)` follows every sample (total =
 * train + test). When `signal` aborts, the writable is aborted (an incomplete file is not a valid zip)
 * and the promise rejects with the signal's reason. `centralDirectory` is where the zip's directory
 * waits until the end (in memory, about 100 bytes per entry, unless given: the CLI spills to a file).
 */
export async function writeDatasetZip(
  opts: SynthOptions,
  writable: WritableStream<Uint8Array>,
  onProgress?: (done: number, total: number) => void,
  signal?: AbortSignal,
  centralDirectory?: CentralDirectoryStore,
): Promise<void> {
  const plan = planDataset(opts);
  const zip = new StoredZipWriter(writable, { date: ZIP_DATE, centralDirectory });
  const total = plan.train.length + plan.test.length;
  try {
    await zip.add('train.csv', text.encode(formatLabelCsv(plan.train, 'Target')));
    await zip.add(
      'sample_submission.csv',
      text.encode(
        formatLabelCsv(
          plan.test.map((s) => ({ id: s.id, labels: [0] })),
          'Predicted',
        ),
      ),
    );
    await zip.add('test_labels.csv', text.encode(formatLabelCsv(plan.test, 'Target')));
    let done = 0;
    onProgress?.(0, total);
    for (const [folder, samples] of [
      ['train', plan.train],
      ['test', plan.test],
    ] as const) {
      for (const s of samples) {
        if (signal?.aborted) throw abortError(signal);
        const ch = renderSample({ id: s.id, labels: s.labels, size: opts.size, seed: opts.seed, teaching: opts.teaching });
        for (const name of CHANNELS) await zip.add(`${folder}/${s.id}_${name}.png`, encodeChannel(ch[name], opts.size));
        onProgress?.(++done, total);
      }
    }
    if (signal?.aborted) throw abortError(signal);
    await zip.close();
  } catch (e) {
    await zip.abort(e);
    throw e;
  }
}

/** The whole dataset zip in memory (tests, small demo sets). */
export async function makeDatasetZip(opts: SynthOptions): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  await writeDatasetZip(
    opts,
    new WritableStream<Uint8Array>({
      write(chunk) {
        chunks.push(chunk.slice());
      },
    }),
  );
  let length = 0;
  for (const c of chunks) length += c.length;
  const all = new Uint8Array(length);
  let offset = 0;
  for (const c of chunks) {
    all.set(c, offset);
    offset += c.length;
  }
  return all;
}
