/**
 * The dataset catalog in IndexedDB: datasets and their samples (id, split, labels, and where
 * the pixels are). Pixels themselves live in src/data/pixelStore.ts. Usable from the page and
 * from workers.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { FallbackBackend } from '../core/gpuFaults';
import type { LessonRecord } from '../core/lesson/types';
import type { PredictionRecord, StoredSubmission } from '../core/predictionResult';
import type { StoredWeightsData, StoredWeightsRecord } from './weightsStore';

export type Split = 'train' | 'test';
export type StorageKind = 'opfs' | 'idb';
export type DatasetStatus = 'importing' | 'ready' | 'partial';

export interface SkipRecord {
  /** sample id, file (its path in the archive) or row the problem is about */
  subject: string;
  reason: string;
  /** the sample id, when the problem is about one sample (so a later import that stores it clears the record) */
  sample?: string;
}

export interface DatasetRecord {
  id: string;
  name: string;
  createdAt: number;
  /** stored square size of every sample: the chosen 128, 256, 384 or 512, or the images' own size when smaller */
  resolution: number;
  storage: StorageKind;
  /** 'importing' while an import writes; 'partial' after a cancelled or interrupted one */
  status: DatasetStatus;
  train: number;
  test: number;
  /** per-sample problems of the imports so far, still unresolved (shown with the dataset, downloadable as CSV) */
  skipped: SkipRecord[];
  warnings: string[];
  /** the next free pixel slot */
  nextSlot: number;
  /** test ids in sample_submission.csv order, when the dataset had one */
  submissionOrder: string[] | null;
  /** whether test samples carry ground truth (the synthetic test_labels.csv) */
  hasTestLabels: boolean;
  /** the archives imported so far (names and sizes), for display and resume */
  sources: { name: string; size: number }[];
}

export interface SampleRecord {
  datasetId: string;
  id: string;
  split: Split;
  /** ascending class ids; [] for test samples without ground truth */
  labels: number[];
  /** pixel slot in the dataset's pixel store */
  slot: number;
}

export type RunStatus = 'running' | 'paused' | 'done' | 'stopped' | 'failed' | 'interrupted';

/** One training run: its recipe, where it stands, and everything the views need after a reload. */
export interface RunRecord {
  id: string;
  name: string;
  datasetId: string;
  datasetName: string;
  createdAt: number;
  /** the RunConfig (JSON) */
  config: Record<string, unknown>;
  status: RunStatus;
  /** why it ended early, or the error */
  message: string | null;
  backend: string;
  /** EpochLogs of every finished epoch */
  history: Record<string, unknown>[];
  /** epoch of the newest stored checkpoint ('last'), 0 = none */
  checkpointEpoch: number;
  bestEpoch: number | null;
  /** validation ids in row order (for the evaluation view and OOF ensembles) */
  valIds: string[];
  /** the newest epoch's validation probabilities and truth (row-major, rows × 28) */
  valProbs: Float32Array | null;
  valTruth: Uint8Array | null;
  /** learning-rate reductions, for the chart markers */
  lrReductions: { epoch: number; lr: number }[];
  /** a group of runs started together (the loss lesson's id, or a fold group's: FoldGroupRecord.id), or null */
  group: string | null;
  /** transfer runs: the pretrained weights the run started from and how they matched (absent: random initialisation) */
  weightsFrom?: RunWeightsFrom;
  /** a run that failed because its GPU device was lost: the backends it can resume on from its checkpoint (kept across reloads) */
  resumeOn?: FallbackBackend[];
}

/** What a transfer run's backbone started from: the stored weights' file and how many tensors loaded. */
export interface RunWeightsFrom {
  id: string;
  fileName: string;
  loaded: number;
  /** model tensors left randomly initialised (missing from the file or of another shape) */
  notLoaded: string[];
  /** the first conv's kernel widened from 3 to 4 input channels */
  widened: string[];
}

export type FoldGroupStatus = 'running' | 'done' | 'stopped' | 'failed' | 'interrupted';
export type FoldMemberStatus = 'pending' | 'running' | 'done' | 'stopped' | 'failed';

/**
 * The folds of one stratified K-fold split trained one after another as one group, with one recipe
 * and seed (src/ui/store/foldGroupsSlice.ts). Each fold is a run of its own (RunRecord.group = id).
 */
export interface FoldGroupRecord {
  /** starts with 'kfold:' (src/ui/train/foldGroupRuns.ts), so a fold run is told from a lesson run by its group alone */
  id: string;
  name: string;
  datasetId: string;
  datasetName: string;
  createdAt: number;
  /** the shared RunConfig (JSON), its split { kind: 'kfold', folds: K, fold: the first chosen } */
  config: Record<string, unknown>;
  folds: number;
  /** the chosen folds in training order, each with its run (the run id is fixed when the group starts) */
  members: { fold: number; runId: string; status: FoldMemberStatus; seconds: number | null; message: string | null }[];
  status: FoldGroupStatus;
  message: string | null;
}

interface StudioDB extends DBSchema {
  runs: { key: string; value: RunRecord };
  checkpoints: { key: [string, string]; value: { runId: string; kind: 'best' | 'last'; epoch: number; data: ArrayBuffer } };
  datasets: { key: string; value: DatasetRecord };
  samples: { key: [string, string]; value: SampleRecord; indexes: { byDataset: string } };
  pixelChunks: { key: [string, number]; value: { datasetId: string; chunk: number; blob: Blob } };
  /** the loss lessons (src/core/lesson/types.ts): plan, per-run gradient shares and scores */
  lessons: { key: string; value: LessonRecord };
  /** the last prediction per dataset and set of runs (src/core/predictionResult.ts), with its submission */
  predictions: { key: string; value: PredictionRecord; indexes: { byRun: string; byDataset: string } };
  /** pretrained backbone weights (src/data/weightsStore.ts): what each is, listed without its values */
  weights: { key: string; value: StoredWeightsRecord };
  /** their parsed tensors, packed (src/core/weights/packedWeights.ts), read only when a run loads them */
  weightData: { key: string; value: StoredWeightsData };
  /** the K-fold run groups (FoldGroupRecord); their runs are in 'runs' */
  groups: { key: string; value: FoldGroupRecord };
}

export const DB_NAME = 'hpa-studio';
export const DB_VERSION = 6;
let dbPromise: Promise<IDBPDatabase<StudioDB>> | null = null;

export function openCatalog(): Promise<IDBPDatabase<StudioDB>> {
  dbPromise ??= openDB<StudioDB>(DB_NAME, DB_VERSION, {
    upgrade(db, oldVersion) {
      if (oldVersion < 1) {
        db.createObjectStore('datasets', { keyPath: 'id' });
        const samples = db.createObjectStore('samples', { keyPath: ['datasetId', 'id'] });
        samples.createIndex('byDataset', 'datasetId');
        db.createObjectStore('pixelChunks', { keyPath: ['datasetId', 'chunk'] });
      }
      if (oldVersion < 2) {
        db.createObjectStore('runs', { keyPath: 'id' });
        db.createObjectStore('checkpoints', { keyPath: ['runId', 'kind'] });
      }
      if (oldVersion < 3) db.createObjectStore('lessons', { keyPath: 'id' });
      if (oldVersion < 4) {
        const predictions = db.createObjectStore('predictions', { keyPath: 'id' });
        predictions.createIndex('byRun', 'runIds', { multiEntry: true });
        predictions.createIndex('byDataset', 'datasetId');
      }
      if (oldVersion < 5) {
        db.createObjectStore('weights', { keyPath: 'id' });
        db.createObjectStore('weightData', { keyPath: 'id' });
      }
      if (oldVersion < 6) db.createObjectStore('groups', { keyPath: 'id' });
    },
  });
  return dbPromise;
}

export async function listDatasets(): Promise<DatasetRecord[]> {
  const db = await openCatalog();
  return (await db.getAll('datasets')).sort((a, b) => a.createdAt - b.createdAt);
}

export async function getDataset(id: string): Promise<DatasetRecord | undefined> {
  return (await openCatalog()).get('datasets', id);
}

export async function putDataset(record: DatasetRecord): Promise<void> {
  await (await openCatalog()).put('datasets', record);
}

export async function renameDataset(id: string, name: string): Promise<void> {
  const db = await openCatalog();
  const tx = db.transaction('datasets', 'readwrite');
  const rec = await tx.store.get(id);
  if (!rec) throw new Error(`no dataset ${id}`);
  rec.name = name.trim() || rec.name;
  await tx.store.put(rec);
  await tx.done;
}

export async function listSamples(datasetId: string): Promise<SampleRecord[]> {
  return (await openCatalog()).getAllFromIndex('samples', 'byDataset', datasetId);
}

export async function getSample(datasetId: string, id: string): Promise<SampleRecord | undefined> {
  return (await openCatalog()).get('samples', [datasetId, id]);
}

export async function storedSampleIds(datasetId: string): Promise<Set<string>> {
  const db = await openCatalog();
  const keys = await db.getAllKeysFromIndex('samples', 'byDataset', datasetId);
  return new Set(keys.map((k) => k[1]));
}

/** Writes sample records in one relaxed transaction (the batched path that reaches ~100 MB/s). */
export async function putSamples(records: SampleRecord[]): Promise<void> {
  if (!records.length) return;
  const db = await openCatalog();
  const tx = db.transaction('samples', 'readwrite', { durability: 'relaxed' });
  for (const r of records) void tx.store.put(r);
  await tx.done;
}

/**
 * An import's commit: sample records (whose pixels are already flushed) and the dataset record with
 * its counts and next slot, in one transaction, so the catalog never lists a sample its counts do
 * not, nor hands out a slot a listed sample uses, even when storage runs out or the page is killed
 * between the two.
 */
export async function putSamplesAndDataset(records: SampleRecord[], dataset: DatasetRecord): Promise<void> {
  const db = await openCatalog();
  const tx = db.transaction(['samples', 'datasets'], 'readwrite', { durability: 'relaxed' });
  const samples = tx.objectStore('samples');
  for (const r of records) void samples.put(r);
  void tx.objectStore('datasets').put(dataset);
  await tx.done;
}

/** Removes a dataset's catalog entries (samples, IndexedDB pixel chunks, stored predictions, the record itself). */
export async function deleteCatalogEntries(datasetId: string): Promise<void> {
  const db = await openCatalog();
  const tx = db.transaction(['datasets', 'samples', 'pixelChunks', 'predictions'], 'readwrite');
  const predictions = tx.objectStore('predictions');
  for (const key of await predictions.index('byDataset').getAllKeys(datasetId)) void predictions.delete(key);
  const samples = tx.objectStore('samples');
  let cursor = await samples.index('byDataset').openKeyCursor(IDBKeyRange.only(datasetId));
  while (cursor) {
    void samples.delete(cursor.primaryKey);
    cursor = await cursor.continue();
  }
  await tx.objectStore('pixelChunks').delete(IDBKeyRange.bound([datasetId, -Infinity], [datasetId, Infinity]));
  await tx.objectStore('datasets').delete(datasetId);
  await tx.done;
}

export async function listRuns(): Promise<RunRecord[]> {
  return (await (await openCatalog()).getAll('runs')).sort((a, b) => a.createdAt - b.createdAt);
}

export async function getRun(id: string): Promise<RunRecord | undefined> {
  return (await openCatalog()).get('runs', id);
}

export async function putRun(run: RunRecord): Promise<void> {
  await (await openCatalog()).put('runs', run);
}

export async function putCheckpoint(runId: string, kind: 'best' | 'last', epoch: number, data: ArrayBuffer): Promise<void> {
  await (await openCatalog()).put('checkpoints', { runId, kind, epoch, data });
}

/** Stores a checkpoint and the run record that points at it in one transaction: neither is ever stored without the other. */
export async function putCheckpointWithRun(kind: 'best' | 'last', epoch: number, data: ArrayBuffer, run: RunRecord): Promise<void> {
  const db = await openCatalog();
  const tx = db.transaction(['checkpoints', 'runs'], 'readwrite');
  void tx.objectStore('checkpoints').put({ runId: run.id, kind, epoch, data });
  void tx.objectStore('runs').put(run);
  await tx.done;
}

export async function getCheckpoint(runId: string, kind: 'best' | 'last'): Promise<{ epoch: number; data: ArrayBuffer } | undefined> {
  return (await openCatalog()).get('checkpoints', [runId, kind]);
}

/** Deletes a run, its checkpoints and every stored prediction it took part in. */
export async function deleteRun(id: string): Promise<void> {
  const db = await openCatalog();
  const tx = db.transaction(['runs', 'checkpoints', 'predictions'], 'readwrite');
  await tx.objectStore('checkpoints').delete(IDBKeyRange.bound([id, ''], [id, '\uffff']));
  const predictions = tx.objectStore('predictions');
  for (const key of await predictions.index('byRun').getAllKeys(id)) await predictions.delete(key);
  await tx.objectStore('runs').delete(id);
  await tx.done;
}

/** Stored predictions kept per dataset; the oldest beyond it are dropped (at 11,702 test images one run’s takes about 1.7 MB). */
export const MAX_STORED_PREDICTIONS = 12;

/** Stores a prediction, replacing the one of the same dataset and runs, and drops the dataset's oldest beyond MAX_STORED_PREDICTIONS. */
export async function putPrediction(record: PredictionRecord): Promise<void> {
  const db = await openCatalog();
  const tx = db.transaction('predictions', 'readwrite');
  await tx.store.put(record);
  const mine = await tx.store.index('byDataset').getAll(record.datasetId);
  mine.sort((a, b) => b.createdAt - a.createdAt);
  for (const old of mine.slice(MAX_STORED_PREDICTIONS)) await tx.store.delete(old.id);
  await tx.done;
}

export async function getPrediction(id: string): Promise<PredictionRecord | undefined> {
  return (await openCatalog()).get('predictions', id);
}

/** Records the submission last offered for a stored prediction (nothing when the prediction is no longer stored). */
export async function putPredictionSubmission(id: string, submission: StoredSubmission): Promise<void> {
  const db = await openCatalog();
  const tx = db.transaction('predictions', 'readwrite');
  const record = await tx.store.get(id);
  if (record) await tx.store.put({ ...record, submission });
  await tx.done;
}

/** The stored loss lessons, oldest first. */
export async function listLessons(): Promise<LessonRecord[]> {
  return (await (await openCatalog()).getAll('lessons')).sort((a, b) => a.createdAt - b.createdAt);
}

export async function putLesson(lesson: LessonRecord): Promise<void> {
  await (await openCatalog()).put('lessons', lesson);
}

export async function deleteLesson(id: string): Promise<void> {
  await (await openCatalog()).delete('lessons', id);
}

/** The stored K-fold run groups, oldest first. */
export async function listGroups(): Promise<FoldGroupRecord[]> {
  return (await (await openCatalog()).getAll('groups')).sort((a, b) => a.createdAt - b.createdAt);
}

export async function putGroup(group: FoldGroupRecord): Promise<void> {
  await (await openCatalog()).put('groups', group);
}

/** Deletes the group's record (its fold runs are deleted one by one with deleteRun). */
export async function deleteGroup(id: string): Promise<void> {
  await (await openCatalog()).delete('groups', id);
}
