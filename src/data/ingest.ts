/**
 * Dataset import: index the dropped sources, validate everything that can be validated before
 * a byte is written (CSV formats, labels, duplicates, zip-bomb sizes, space), then stream every
 * sample's four PNGs through the decode pool into the pixel store and the catalog. Per-sample
 * problems (missing channels, corrupt PNG, odd size) skip that sample with a reason; problems
 * with the dataset as a whole refuse the import and leave stored data as it was.
 * Runs in the ingest worker.
 */
import { CsvError, parseLabelCsv, type LabelRow } from '../core/csv';
import { CHANNELS, classifyPath, type Channel, type CsvRole } from '../core/layout';
import { readPngHeader } from '../core/pngHeader';
import { interleave } from '../core/resize';
import { STORED_RESOLUTIONS, type ImportProgress, type ImportRequest, type ImportSummary } from './importRequest';
import {
  getDataset,
  putDataset,
  putSamplesAndDataset,
  storedSampleIds,
  type DatasetRecord,
  type SampleRecord,
  type SkipRecord,
  type Split,
  type StorageKind,
} from './catalog';
import type { DecodedPlane } from './decodePng';
import { openPixelWriter, sampleBytes } from './pixelStore';
import { mergeSkipped } from './skipped';
import { importStorageFullMessage, isStorageFull } from './storageFull';
import { sourceEntries, sourceName, sourceSize, type SourceEntry } from './sources';

/** An HPA channel PNG is ~100 KB (at most ~2 MB as 16-bit); anything declaring more is refused. */
export const MAX_PNG_BYTES = 64 * 1024 * 1024;
export const MAX_CSV_BYTES = 256 * 1024 * 1024;
const FIRST_FEW = 5;
/** catalog bytes per sample, beside its pixels (the space estimate's allowance) */
const CATALOG_BYTES_PER_SAMPLE = 200;

export class ImportRefused extends Error {
  constructor(
    message: string,
    readonly space?: { neededBytes: number; availableBytes: number },
  ) {
    super(message);
  }
}

export interface IngestHooks {
  decode(name: string, bytes: Uint8Array, resolution: number): Promise<DecodedPlane>;
  progress(p: ImportProgress): void;
  signal: AbortSignal;
  storageKind(): Promise<StorageKind>;
  estimate(): Promise<{ quota: number; usage: number }>;
  /** parallel samples in flight (decode pool size × 2 is a good value) */
  concurrency: number;
}

interface PlannedSample {
  id: string;
  split: Split;
  labels: number[];
}

const list = (ids: string[]) => ids.slice(0, FIRST_FEW).join(', ') + (ids.length > FIRST_FEW ? `, … (${ids.length} in all)` : '');
const mb = (b: number) => `${(b / 1e6).toFixed(b < 1e7 ? 1 : 0)} MB`;
const gb = (b: number) => (b >= 1e9 ? `${(b / 1e9).toFixed(2)} GB` : mb(b));

export async function runImport(req: ImportRequest, hooks: IngestHooks): Promise<ImportSummary> {
  const t0 = performance.now();
  const names = req.sources.map(sourceName).join(', ');
  if (!req.sources.length) throw new ImportRefused('nothing to import: drop a zip, a folder or train.csv');
  if (!(STORED_RESOLUTIONS as readonly number[]).includes(req.resolution)) {
    throw new ImportRefused(`stored resolution ${req.resolution} px is not offered: choose one of ${STORED_RESOLUTIONS.join(', ')}`);
  }
  const existing = req.datasetId ? await getDataset(req.datasetId) : undefined;
  if (req.datasetId && !existing) throw new ImportRefused(`dataset ${req.datasetId} no longer exists`);

  // ── 1. Index: every entry's role, CSV texts, and which channels each id has. ──
  const csvTexts = new Map<CsvRole, { text: string; where: string }>();
  const warnings: string[] = [];
  const pngs = new Map<string, { split: Split | null; channels: Set<Channel>; where: string }>();
  let indexed = 0;
  for (const source of req.sources) {
    for await (const entry of sourceEntries(source)) {
      if (hooks.signal.aborted) throw new ImportRefused('import cancelled before anything was written');
      const c = classifyPath(entry.path);
      if (c.kind === 'csv') {
        if (entry.size > MAX_CSV_BYTES)
          throw new ImportRefused(`${entry.source}: ${entry.path} declares ${mb(entry.size)} uncompressed, too large for an HPA CSV (zip-bomb guard)`);
        if (csvTexts.has(c.role)) {
          warnings.push(`${entry.source}: a second ${c.role === 'train' ? 'train.csv' : `${c.role}.csv`} (${entry.path}) was ignored`);
          continue;
        }
        csvTexts.set(c.role, {
          text: new TextDecoder().decode(await entry.read()),
          where: entry.source === entry.path ? entry.path : `${entry.source}/${entry.path}`,
        });
      } else if (c.kind === 'png') {
        if (entry.size > MAX_PNG_BYTES) {
          throw new ImportRefused(
            `${entry.source}: ${entry.path} declares ${mb(entry.size)} uncompressed; an HPA channel PNG is under 2 MB, so the archive is refused (zip-bomb guard)`,
          );
        }
        let rec = pngs.get(c.id);
        if (!rec) pngs.set(c.id, (rec = { split: c.split, channels: new Set(), where: entry.source }));
        rec.channels.add(c.channel);
        rec.split ??= c.split;
      }
      if (++indexed % 2000 === 0) hooks.progress({ phase: 'indexing', done: indexed, total: 0, bytes: 0, elapsedMs: performance.now() - t0 });
    }
  }

  // ── 2. CSVs: formats, labels, duplicates (errors name the file and line). ──
  const parse = (role: CsvRole, column: 'Target' | 'Predicted', allowEmpty: boolean): LabelRow[] | null => {
    const csv = csvTexts.get(role);
    if (!csv) return null;
    try {
      return parseLabelCsv(csv.text, { file: csv.where, labelColumn: column, allowEmpty });
    } catch (e) {
      if (e instanceof CsvError) throw new ImportRefused(e.message);
      throw e;
    }
  };
  const trainRows = parse('train', 'Target', false);
  const submissionRows = parse('sample_submission', 'Predicted', true);
  const testLabelRows = parse('test_labels', 'Target', false);
  const hasTestPngs = [...pngs.values()].some((p) => p.split === 'test');
  if (!trainRows && !hasTestPngs) {
    throw new ImportRefused(
      `${names} has no train.csv and no test/ folder: expected the Kaggle layout (train.csv, train/{Id}_{red,green,blue,yellow}.png, test/…)`,
    );
  }

  // ── 3. Plan the samples. ──
  const stored = existing ? await storedSampleIds(existing.id) : new Set<string>();
  const trainIds = new Set(trainRows?.map((r) => r.id));
  const submissionIds = new Set(submissionRows?.map((r) => r.id));
  const testLabels = new Map(testLabelRows?.map((r) => [r.id, r.labels]));
  const skipped: SkipRecord[] = [];
  const planned: PlannedSample[] = [];
  let alreadyStored = 0;
  const missing: string[] = [];
  const addIfComplete = (id: string, split: Split, labels: number[]) => {
    const rec = pngs.get(id);
    const lacking = CHANNELS.filter((ch) => !rec?.channels.has(ch));
    if (lacking.length) {
      missing.push(id);
      skipped.push({ subject: id, reason: `missing channel files: ${lacking.map((ch) => `${id}_${ch}.png`).join(', ')}`, sample: id });
      return;
    }
    if (stored.has(id)) {
      alreadyStored++;
      return;
    }
    planned.push({ id, split, labels });
  };
  const limit = req.limit ?? Infinity;
  let trainPlanned = 0;
  for (const row of trainRows ?? []) {
    if (trainPlanned >= limit) break;
    const before = planned.length;
    addIfComplete(row.id, 'train', row.labels);
    trainPlanned += planned.length - before;
  }
  const withoutPngs = missing.filter((id) => !pngs.has(id));
  if (trainRows && withoutPngs.length === trainRows.length && !hasTestPngs && !(existing && existing.train > 0)) {
    throw new ImportRefused(
      `${csvTexts.get('train')!.where} lists ${trainRows.length} ids but ${names} contains none of their PNG files (expected train/{Id}_{red,green,blue,yellow}.png)`,
    );
  }
  const orphans: string[] = [];
  const testIds: string[] = [];
  for (const [id, rec] of pngs) {
    if (trainIds.has(id)) continue;
    if (rec.split === 'test' || (rec.split === null && submissionIds.has(id))) testIds.push(id);
    else orphans.push(id);
  }
  testIds.sort();
  let testPlanned = 0;
  for (const id of testIds) {
    if (testPlanned >= limit) break;
    const before = planned.length;
    addIfComplete(id, 'test', testLabels.get(id) ?? []);
    testPlanned += planned.length - before;
  }
  if (missing.length) warnings.push(`${missing.length} id(s) with missing channel files were skipped: ${list(missing)}`);
  if (orphans.length) warnings.push(`${orphans.length} image id(s) have PNGs but no train.csv row and were ignored: ${list(orphans.sort())}`);
  if (submissionRows && testIds.length) {
    const inFolder = new Set(testIds);
    const onlyFolder = testIds.filter((id) => !submissionIds.has(id));
    const onlyCsv = submissionRows.filter((r) => !inFolder.has(r.id)).map((r) => r.id);
    if (onlyFolder.length || onlyCsv.length) {
      warnings.push(
        `test ids differ from sample_submission.csv: ${onlyFolder.length} in test/ only (${list(onlyFolder)}), ${onlyCsv.length} listed only in the CSV (${list(onlyCsv)})`,
      );
    }
  }
  if (testLabelRows && testIds.some((id) => !testLabels.has(id)))
    warnings.push('test_labels.csv does not cover every test id: those test samples have no ground truth');

  // ── 4. The images' size (the most common among the first few headers) and stored resolution. ──
  let resolution = existing?.resolution ?? req.resolution;
  let referenceSize = 0;
  if (planned.length) {
    referenceSize = await commonImageSize(
      req,
      planned.slice(0, 5).map((p) => p.id),
    );
    if (existing && referenceSize < existing.resolution) {
      throw new ImportRefused(
        `images in ${names} are ${referenceSize} px but dataset '${existing.name}' stores ${existing.resolution} px: import them into a new dataset`,
      );
    }
    if (!existing) resolution = Math.min(req.resolution, referenceSize);
  }
  const storage = existing?.storage ?? (await hooks.storageKind());
  const neededBytes = planned.length * (sampleBytes(resolution) + CATALOG_BYTES_PER_SAMPLE);
  const { quota, usage } = await hooks.estimate();
  const availableBytes = quota - usage;
  if (neededBytes > availableBytes * 0.95) {
    const smaller = STORED_RESOLUTIONS.filter((r) => r < resolution).map((r) => `${r} px needs ${gb(planned.length * sampleBytes(r))}`);
    const fit = Math.floor((availableBytes * 0.95) / sampleBytes(resolution));
    throw new ImportRefused(
      `not enough browser storage: ${planned.length} samples at ${resolution} px need ${gb(neededBytes)}, ${gb(availableBytes)} is available. ` +
        `Choose a smaller stored resolution (${smaller.join('; ') || 'none smaller'}) or import a subset of at most ${fit} samples.`,
      { neededBytes, availableBytes },
    );
  }

  // ── 5. Write. ──
  const ds: DatasetRecord = existing ?? {
    id: req.newDatasetId ?? crypto.randomUUID(),
    name:
      req.name?.trim() ||
      req.sources
        .map(sourceName)
        .join(' + ')
        .replace(/\.zip$/i, ''),
    createdAt: Date.now(),
    resolution,
    storage,
    status: 'importing',
    train: 0,
    test: 0,
    skipped: [],
    warnings: [],
    nextSlot: 0,
    submissionOrder: null,
    hasTestLabels: false,
    sources: [],
  };
  ds.sources = [...ds.sources, ...req.sources.map((s) => ({ name: sourceName(s), size: sourceSize(s) }))];
  ds.status = 'importing';
  if (submissionRows) ds.submissionOrder = submissionRows.map((r) => r.id);
  if (testLabelRows) ds.hasTestLabels = true;
  await putDataset(ds);

  const plan = new Map(planned.map((p) => [p.id, p]));
  const total = planned.length;
  const writer = await openPixelWriter(ds);
  /** what each conversion was ('16-bit grayscale converted to 8-bit grayscale') → the files it was done to */
  const conversions = new Map<string, string[]>();
  /** samples stored by this import (their earlier skip records no longer hold) */
  const storedNow = new Set<string>();
  let done = 0;
  let imported = 0;
  /** samples of this import in the catalog (their pixels flushed and their records committed) */
  let committed = 0;
  let bytes = 0;
  let batch: SampleRecord[] = [];
  let lastProgress = 0;
  /** per sample id: each channel's file path in the archive and its bytes being read */
  const pending = new Map<string, Map<Channel, ChannelFile>>();
  const inFlight = new Set<Promise<void>>();
  // A storage failure (disk full, handle lost) stops the import; what was committed stays.
  let storageError: unknown = null;

  // Commits run one at a time: each writes the dataset's counts as they stand after its own records.
  let committing: Promise<void> = Promise.resolve();
  const commitBatch = async () => {
    const records = batch;
    batch = [];
    if (!records.length) return;
    await writer.flush();
    const counted = { ...ds };
    for (const r of records) counted[r.split]++;
    await putSamplesAndDataset(records, counted);
    for (const r of records) ds[r.split]++;
    committed += records.length;
    report(true);
  };
  const commit = () => {
    const run = committing.then(commitBatch);
    committing = run.catch(() => undefined);
    return run;
  };
  const report = (force = false) => {
    const now = performance.now();
    if (force || now - lastProgress > 200) {
      lastProgress = now;
      hooks.progress({ phase: 'importing', done, total, bytes, elapsedMs: now - t0, stored: committed });
    }
  };
  const processSample = async (sample: PlannedSample, files: Map<Channel, ChannelFile>) => {
    const paths = CHANNELS.map((ch) => files.get(ch)!.path);
    const data = await Promise.all(CHANNELS.map((ch) => files.get(ch)!.data));
    if (data.some((d) => d === null)) return; // unreadable entry: readEntry recorded why
    // the four channels decode in parallel on the pool
    const results = await Promise.allSettled(CHANNELS.map((ch, i) => hooks.decode(`${sample.id}_${ch}.png`, data[i]!, resolution)));
    const failed = results.findIndex((r) => r.status === 'rejected');
    if (failed >= 0) {
      const e = (results[failed] as PromiseRejectedResult).reason;
      skipped.push({ subject: paths[failed], reason: e instanceof Error ? e.message : String(e), sample: sample.id });
      return;
    }
    const decoded = results.map((r) => (r as PromiseFulfilledResult<DecodedPlane>).value);
    const odd = decoded.find((d) => d.width !== referenceSize);
    if (odd) {
      skipped.push({
        subject: paths[decoded.indexOf(odd)],
        reason: `image is ${odd.width}×${odd.height} while the others are ${referenceSize}×${referenceSize}`,
        sample: sample.id,
      });
      return;
    }
    if (decoded[0].plane.length !== resolution * resolution) {
      skipped.push({ subject: sample.id, reason: `image is ${decoded[0].width} px, smaller than the stored ${resolution} px`, sample: sample.id });
      return;
    }
    decoded.forEach((d, i) => {
      if (d.converted) conversions.set(d.converted, [...(conversions.get(d.converted) ?? []), paths[i]]);
    });
    const slot = ds.nextSlot++;
    await writer.write(
      slot,
      interleave(
        decoded.map((d) => d.plane),
        resolution * resolution,
      ),
    );
    batch.push({ datasetId: ds.id, id: sample.id, split: sample.split, labels: sample.labels, slot });
    storedNow.add(sample.id);
    imported++;
  };

  let cancelled = false;
  try {
    outer: for (const source of req.sources) {
      for await (const entry of sourceEntries(source, req.zipReads)) {
        if (hooks.signal.aborted) {
          cancelled = true;
          break outer;
        }
        const c = classifyPath(entry.path);
        if (c.kind !== 'png') continue;
        const sample = plan.get(c.id);
        if (!sample) continue;
        const files = pending.get(c.id) ?? new Map<Channel, ChannelFile>();
        pending.set(c.id, files);
        // reads are started, not awaited: several entries are read from the archive at once
        files.set(c.channel, {
          path: entry.path,
          data: readEntry(entry, c.id, skipped).then((d) => {
            bytes += entry.compressedSize;
            return d;
          }),
        });
        if (files.size < CHANNELS.length) continue;
        pending.delete(c.id);
        plan.delete(c.id);
        const job = processSample(sample, files)
          .then(async () => {
            done++;
            report();
            if (batch.length >= 200) await commit();
          })
          .catch((e: unknown) => {
            storageError ??= e;
          })
          .finally(() => inFlight.delete(job));
        inFlight.add(job);
        if (inFlight.size >= hooks.concurrency) await Promise.race(inFlight);
        if (storageError) break outer;
      }
    }
    await Promise.all(inFlight);
  } finally {
    await Promise.allSettled(inFlight);
    // what was written is committed; a failure here (storage full) stops the import like one in flight
    await commit().catch((e: unknown) => void (storageError ??= e));
    await writer.close().catch((e: unknown) => void (storageError ??= e));
  }
  // every import's skips stay with the dataset (a later import's records replace those of the files it retried)
  ds.skipped = mergeSkipped(ds.skipped, skipped, storedNow);
  if (storageError) {
    ds.status = 'partial';
    // with storage full this write fails too: the record stays 'importing', which reads as partial once no import holds it
    await putDataset(ds).catch(() => undefined);
    if (isStorageFull(storageError)) {
      const stored = ds.train + ds.test;
      const storageFull = importStorageFullMessage({
        stored,
        wanted: stored + total - committed,
        sampleBytes: sampleBytes(resolution),
        overheadPerSample: CATALOG_BYTES_PER_SAMPLE,
      });
      report(true);
      return { datasetId: ds.id, imported: committed, skipped: skipped.length, alreadyStored, warnings, resolution, cancelled: false, storageFull };
    }
    throw new Error(
      `storing samples failed after ${committed} of ${total} (${storageError instanceof Error ? storageError.message : String(storageError)}); the dataset keeps what was stored and is marked partial`,
    );
  }
  for (const [what, files] of conversions) warnings.push(`${files.length} PNG(s) were ${what}: ${list(files)}`);
  ds.warnings = [...ds.warnings, ...warnings];
  ds.status = cancelled ? 'partial' : 'ready';
  await putDataset(ds);
  report(true);
  return {
    datasetId: ds.id,
    imported,
    skipped: skipped.length,
    alreadyStored,
    warnings,
    resolution,
    cancelled,
    timing: { ms: performance.now() - t0, sourcePx: referenceSize },
  };
}

interface ChannelFile {
  /** the file's path in its archive or folder */
  path: string;
  /** its bytes, or null when it could not be read (the skip list says why) */
  data: Promise<Uint8Array | null>;
}

async function readEntry(entry: SourceEntry, sample: string, skipped: SkipRecord[]): Promise<Uint8Array | null> {
  try {
    return await entry.read();
  } catch (e) {
    skipped.push({ subject: entry.path, reason: e instanceof Error ? e.message : String(e), sample });
    return null;
  }
}

/** The most common width among the red-channel headers of a few ids (one pass over the sources). */
async function commonImageSize(req: ImportRequest, ids: string[]): Promise<number> {
  const wanted = new Set(ids);
  const widths: number[] = [];
  for (const source of req.sources) {
    for await (const entry of sourceEntries(source)) {
      const c = classifyPath(entry.path);
      if (c.kind !== 'png' || c.channel !== 'red' || !wanted.has(c.id)) continue;
      wanted.delete(c.id);
      const header = readPngHeader(await entry.read());
      if (header) widths.push(header.width);
      if (!wanted.size) break;
    }
  }
  if (!widths.length)
    throw new ImportRefused(
      `none of ${ids
        .slice(0, 3)
        .map((id) => `${id}_red.png`)
        .join(', ')} is a readable PNG`,
    );
  const counts = new Map<number, number>();
  for (const w of widths) counts.set(w, (counts.get(w) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0][0];
}
