/**
 * What an import is asked to do and what it reports: the sources the user dropped, the stored
 * resolution, progress and the summary. The ingest worker's messages (src/worker/protocol.ts)
 * carry these; the import itself (ingest.ts) needs nothing else from the worker layer.
 */

import type { PngDecoderWay } from './pngDecoder';

/** What the user dropped: a zip (or CSV) file, or a folder's files with their relative paths. */
export type ImportSource = { kind: 'file'; file: File } | { kind: 'folder'; name: string; files: { path: string; file: File }[] };

/** Stored resolutions offered at import; the images' own size is used when smaller. */
export const STORED_RESOLUTIONS = [128, 256, 384, 512] as const;

export interface ImportRequest {
  sources: ImportSource[];
  /** add to this dataset (e.g. test.zip after train.zip, or resume); otherwise a new one */
  datasetId?: string;
  /** the id a new dataset gets (the page claims it for its tab before the import starts: src/data/tabCoordination.ts) */
  newDatasetId?: string;
  name?: string;
  resolution: number;
  /** import at most this many samples per split (to fit the quota) */
  limit?: number;
  /** the bench's and tests' choice of PNG decoder (`?png-decoder=` on the page); absent: pickPngDecoder's default */
  pngDecoder?: PngDecoderWay;
  /** the bench's before (`?zip-reads=zip.js`): every entry through zip.js's getData instead of ZipRangeReader */
  zipReads?: ZipReads;
}

export type ZipReads = 'ranges' | 'zip.js';

export interface DemoOptions {
  train: number;
  test: number;
  size: number;
  seed: number;
  /**
   * The teaching demo (src/synth/teachingDemo.ts): every class in enough samples to be learnt and
   * scored, cleaner images. Absent or false: the realistic demo (real label sets and balance, dominant
   * classes capped).
   */
  teaching?: boolean;
}

export interface ImportProgress {
  phase: 'indexing' | 'importing' | 'generating';
  done: number;
  total: number;
  /** compressed bytes read from the sources so far */
  bytes: number;
  elapsedMs: number;
  /** samples of this import durably stored so far (pixels flushed and catalog committed): a crash keeps at least these */
  stored?: number;
}

export interface ImportSummary {
  datasetId: string;
  imported: number;
  skipped: number;
  /** samples already stored before (a resumed or repeated import) */
  alreadyStored: number;
  warnings: string[];
  resolution: number;
  cancelled: boolean;
  /** set when storage ran out part-way: what was stored, what the rest needs, what to do (the dataset is partial) */
  storageFull?: string;
  /** how long it took, of what source size, and how busy the decode pool was (the next import's estimate reads these) */
  timing?: ImportTiming;
}

export interface ImportTiming {
  /** from the request to the summary, indexing included */
  ms: number;
  /** the source images' width in px (0 where nothing was imported) */
  sourcePx: number;
  /** decode workers, and the share of their time they had a PNG to decode (first decode to last) */
  decodeWorkers?: number;
  decodeBusy?: number;
}

/** The decode pool timed on a few real-size synthetic PNGs (the import page's estimate when no import was measured yet). */
export interface DecodeCalibration {
  samplesPerSecond: number;
  /** samples (four PNGs each) decoded in the timed rounds, and their time */
  samples: number;
  ms: number;
  sourcePx: number;
  storedPx: number;
  workers: number;
}

/** The import was refused before anything was written: the message names the file, row or setting. */
export interface ImportRefusal {
  message: string;
  /** set when the refusal is a lack of space */
  space?: { neededBytes: number; availableBytes: number };
}
