/**
 * The predict worker's jobs: predict a dataset's test split (and the runs' validation images)
 * with one or several stored runs, export a run's weights as a model zip, and import a model zip
 * (or model.json + shards) as a run that can predict. Each run's model is built from its config
 * (or, for an imported model, from the stored topology) and gets its best checkpoint.
 */
import * as tf from '@tensorflow/tfjs';
import { NUM_CLASSES } from '../core/labels';
import { checkModelFitsDataset, loadModelFiles, loadModelZip, MODEL_JSON, studioMeta, writeModelZip, type StudioMeta } from '../core/modelPackage';
import { buildRunModel } from '../core/models/runModel';
import { predict, ttaTransforms, type PredictSource } from '../core/predict';
import { accelTraining } from '../accel/training';
import { DEFAULT_RUN, type RunConfig } from '../core/runConfig';
import { captureCheckpoint, decodeCheckpoint, encodeCheckpoint, restoreCheckpoint, type Checkpoint } from '../core/train/checkpoint';
import { getCheckpoint, getDataset, getRun, listSamples, putCheckpoint, putRun, type DatasetRecord, type RunRecord, type SampleRecord } from '../data/catalog';
import type { PixelReader } from '../data/pixelStore';
import { openFeedReader } from './feedReader';
import { readAhead } from '../data/readAhead';
import type { FromPredictWorker, MemberPredictions, PredictRequest } from './protocol';
import { gpuDeviceLost } from './gpuDevice';
import { faultPoint } from './faultInjection';

/** A problem the user can act on; its message is shown as is. */
export class PredictFailure extends Error {}

type Post = (m: FromPredictWorker, transfer?: Transferable[]) => void;

/** What an imported model keeps in its checkpoint's meta so predict can rebuild it. */
interface ImportedMeta {
  modelTopology: unknown;
  studio: StudioMeta;
  importedFrom: string;
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The test ids to predict, in submission order: sample_submission.csv's where the dataset had one, else sorted. */
export function testOrder(ds: Pick<DatasetRecord, 'submissionOrder'>, testSamples: readonly SampleRecord[]): SampleRecord[] {
  const sorted = [...testSamples].sort(byId);
  if (!ds.submissionOrder) return sorted;
  const byIdMap = new Map(testSamples.map((s) => [s.id, s]));
  // ids of the sample submission that were not stored (skipped at import) cannot be predicted: the
  // submission check names them later
  return ds.submissionOrder.flatMap((id) => byIdMap.get(id) ?? []);
}

/** A PredictSource over stored slots, reading a few batches ahead. */
export function slotSource(
  reader: Pick<PixelReader, 'readMany'> & Partial<Pick<PixelReader, 'recycle'>>,
  slots: readonly number[],
  imageSize: number,
): PredictSource {
  return {
    release: (batch) => batch.x instanceof Uint8Array && reader.recycle?.(batch.x),
    numRows: slots.length,
    imageSize,
    channels: 4,
    batches: (batchSize: number) => readAhead(slots.length, batchSize, async (start, end) => ({ x: await reader.readMany(slots.slice(start, end)) })),
  };
}

/** The run's best checkpoint, else its last; `purpose` completes the message when it has none ("it cannot …"). */
export async function runCheckpoint(
  run: RunRecord,
  purpose = 'predict',
  prefer: 'best' | 'last' = 'best',
): Promise<{ kind: 'best' | 'last'; epoch: number; checkpoint: Checkpoint }> {
  for (const kind of prefer === 'best' ? (['best', 'last'] as const) : (['last', 'best'] as const)) {
    const stored = await getCheckpoint(run.id, kind);
    if (stored) return { kind, epoch: stored.epoch, checkpoint: decodeCheckpoint(stored.data) };
  }
  throw new PredictFailure(`Run '${run.name}' has no stored checkpoint: it cannot ${purpose}.`);
}

/** The run's model with its checkpoint's weights, and how it wants its input. */
export async function loadRunModel(
  run: RunRecord,
  checkpoint: Checkpoint,
): Promise<{ model: tf.LayersModel; config: RunConfig; imported: ImportedMeta | null }> {
  const config = run.config as unknown as RunConfig;
  const imported = (checkpoint.meta as { imported?: ImportedMeta }).imported ?? null;
  const model = imported
    ? await tf.models.modelFromJSON({ modelTopology: imported.modelTopology } as Parameters<typeof tf.models.modelFromJSON>[0])
    : buildRunModel(config);
  try {
    await restoreCheckpoint(model, checkpoint);
  } catch (e) {
    model.dispose();
    throw new PredictFailure(`Run '${run.name}': its checkpoint does not fit its model (${(e as Error).message}).`);
  }
  return { model, config, imported };
}

async function datasetAndSamples(datasetId: string): Promise<{ ds: DatasetRecord; samples: SampleRecord[] }> {
  const ds = await getDataset(datasetId);
  if (!ds) throw new PredictFailure('The dataset is gone: import it again.');
  return { ds, samples: await listSamples(ds.id) };
}

export async function runPredictJob(req: PredictRequest, signal: AbortSignal, post: Post): Promise<void> {
  const t0 = performance.now();
  if (!req.runIds.length) throw new PredictFailure('Choose at least one run to predict with.');
  const { ds, samples } = await datasetAndSamples(req.datasetId);
  const test = testOrder(
    ds,
    samples.filter((s) => s.split === 'test'),
  );
  if (!test.length) throw new PredictFailure(`Dataset '${ds.name}' has no test images: import test.zip (or a zip with test/) first.`);
  const train = new Map(samples.filter((s) => s.split === 'train').map((s) => [s.id, s]));
  const runs: RunRecord[] = [];
  for (const id of req.runIds) {
    const r = await getRun(id);
    if (!r) throw new PredictFailure(`Run ${id} is gone.`);
    runs.push(r);
  }
  const valOf = (r: RunRecord) => (req.validation ? r.valIds.flatMap((id) => train.get(id) ?? []) : []);
  const total = runs.reduce((s, r) => s + test.length + valOf(r).length, 0);
  const tta = ttaTransforms(req.tta);
  // read in a feed worker beside this one, so the batches read ahead overlap predict (feedReader.ts)
  const reader = await openFeedReader(ds);
  let done = 0;
  let lastPost = 0;
  const progress = (member: number, stage: 'loading' | 'validation' | 'test', force = false) => {
    const now = performance.now();
    if (!force && now - lastPost < 100) return;
    lastPost = now;
    post({ type: 'progress', progress: { jobId: req.jobId, member, members: runs.length, stage, done, total } });
  };
  const members: MemberPredictions[] = [];
  try {
    for (const [m, run] of runs.entries()) {
      progress(m, 'loading', true);
      const { kind, checkpoint } = await runCheckpoint(run);
      const { model, config, imported } = await loadRunModel(run, checkpoint);
      faultPoint('predict');
      try {
        const view = { inputSize: config.inputSize, resizeMode: config.mode };
        if (view.resizeMode === 'crop' && ds.resolution < view.inputSize)
          throw new PredictFailure(`Run '${run.name}' was trained on ${view.inputSize} px crops; '${ds.name}' stores ${ds.resolution} px images.`);
        const opts = { batchSize: req.batchSize, tta, combine: req.combine, tiling: req.tiling, signal, stepRunner: accelTraining.stepRunner } as const;
        const predictRows = async (rows: SampleRecord[], stage: 'validation' | 'test') => {
          const base = done;
          return predict(
            model,
            slotSource(
              reader,
              rows.map((s) => s.slot),
              ds.resolution,
            ),
            view,
            {
              ...opts,
              onProgress: (d, t) => {
                done = base + d;
                progress(m, stage, d === t);
              },
            },
          );
        };
        const val = valOf(run);
        const valProbs = val.length ? await predictRows(val, 'validation') : null;
        let valTruth: Uint8Array | null = null;
        if (valProbs) {
          valTruth = new Uint8Array(val.length * NUM_CLASSES);
          val.forEach((s, r) => s.labels.forEach((c) => (valTruth![r * NUM_CLASSES + c] = 1)));
        }
        const testProbs = await predictRows(test, 'test');
        members.push({
          runId: run.id,
          name: run.name,
          checkpoint: kind,
          epoch: checkpoint.epoch,
          testProbs,
          valIds: val.map((s) => s.id),
          valProbs,
          valTruth,
          packagedThresholds: imported ? imported.studio.thresholds : null,
        });
      } finally {
        model.dispose();
      }
    }
  } finally {
    await reader.close(); // the dataset's files are free again before the page hears the result
  }
  // a device lost during the job may have let reads return zeros: such numbers are no prediction
  const lost = gpuDeviceLost();
  if (lost && tf.getBackend() === 'webgpu') throw new PredictFailure(`The GPU device was lost (reason: ${lost.reason}) while predicting.`);
  const transfer = members.flatMap((m) => [
    m.testProbs.buffer,
    ...(m.valProbs ? [m.valProbs.buffer] : []),
    ...(m.valTruth ? [m.valTruth.buffer] : []),
  ]) as ArrayBuffer[];
  post(
    {
      type: 'predicted',
      result: {
        jobId: req.jobId,
        datasetId: ds.id,
        testIds: test.map((s) => s.id),
        members,
        backend: tf.getBackend(),
        seconds: (performance.now() - t0) / 1000,
        images: done,
      },
    },
    transfer,
  );
}

/** A file name made of the run's name: letters, digits, dot, dash and underscore. */
export function safeFileName(name: string): string {
  return (
    name
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 80) || 'run'
  );
}

export async function runExportJob(jobId: string, runId: string, thresholds: number[] | null, thresholdsFrom: string, post: Post): Promise<void> {
  const run = await getRun(runId);
  if (!run) throw new PredictFailure(`Run ${runId} is gone.`);
  const { kind, checkpoint } = await runCheckpoint(run);
  const { model, config, imported } = await loadRunModel(run, checkpoint);
  try {
    const ds = await getDataset(run.datasetId);
    const meta = imported
      ? { ...imported.studio, thresholds: thresholds ?? imported.studio.thresholds, tfjsVersion: tf.version.tfjs, created: new Date().toISOString() }
      : studioMeta(model, {
          modelName: config.model,
          resizeMode: config.mode,
          storedSize: ds?.resolution ?? config.inputSize,
          thresholds: thresholds ?? undefined,
          extra: { runId: run.id, runName: run.name, checkpoint: kind, epoch: checkpoint.epoch, thresholdsFrom, seed: config.seed, dataset: run.datasetName },
        });
    const bytes = await writeModelZip(model, meta);
    post({ type: 'model-zip', jobId, runId, fileName: `${safeFileName(run.name)}.model.zip`, bytes }, [bytes.buffer as ArrayBuffer]);
  } finally {
    model.dispose();
  }
}

export async function runImportJob(jobId: string, datasetId: string, files: { name: string; bytes: Uint8Array }[], post: Post): Promise<void> {
  if (!files.length) throw new PredictFailure('Choose a model zip, or model.json with its weight shards.');
  const ds = await getDataset(datasetId);
  if (!ds) throw new PredictFailure('Select a dataset to import the model into first.');
  const zip = files.find((f) => /\.zip$/i.test(f.name));
  const json = files.find((f) => f.name.replace(/^.*\//, '') === MODEL_JSON);
  let label: string;
  let loaded;
  if (zip) {
    if (files.length > 1) throw new PredictFailure(`Choose either one model zip or model.json with its shards, not ${zip.name} with other files.`);
    label = zip.name;
    loaded = await loadModelZip(zip.bytes, zip.name);
  } else if (json) {
    label = json.name;
    const map = new Map(files.map((f) => [f.name.replace(/^.*\//, ''), f.bytes]));
    loaded = await loadModelFiles(map, json.name);
  } else {
    throw new PredictFailure(`${files.map((f) => f.name).join(', ')}: not a model zip and no ${MODEL_JSON} among the files.`);
  }
  const { model, modelTopology, meta, metaInferred } = loaded;
  try {
    try {
      checkModelFitsDataset(meta, { imageSize: ds.resolution, channels: 4, classes: NUM_CLASSES });
    } catch (e) {
      throw new PredictFailure(`${label}: ${(e as Error).message}`);
    }
    const imported: ImportedMeta = { modelTopology, studio: meta, importedFrom: label };
    const checkpoint = await captureCheckpoint(model, null, { epoch: 0, phase: 0, learningRate: 0, history: [], meta: { imported } });
    const runId = crypto.randomUUID();
    const name = `imported · ${label} · ${meta.modelName} ${meta.inputSize}px`;
    const config: RunConfig & { imported: Record<string, unknown> } = {
      ...DEFAULT_RUN,
      model: meta.modelName,
      inputSize: meta.inputSize,
      mode: meta.resizeMode,
      epochs: 0,
      imported: { file: label, thresholds: meta.thresholds, created: meta.created, metaInferred, extra: meta.extra ?? null },
    };
    const data = encodeCheckpoint(checkpoint);
    await putCheckpoint(runId, 'best', 0, data);
    await putCheckpoint(runId, 'last', 0, data);
    const record: RunRecord = {
      id: runId,
      name,
      datasetId: ds.id,
      datasetName: ds.name,
      createdAt: Date.now(),
      config: config as unknown as Record<string, unknown>,
      status: 'done',
      message: `imported from ${label}${metaInferred ? ' (no studio.json: whole images resized, thresholds 0.5)' : ''}`,
      backend: tf.getBackend(),
      history: [],
      checkpointEpoch: 0,
      bestEpoch: 0,
      valIds: [],
      valProbs: null,
      valTruth: null,
      lrReductions: [],
      group: null,
    };
    await putRun(record);
    post({ type: 'imported', jobId, runId, name });
  } finally {
    model.dispose();
  }
}
