/**
 * One training run inside the training worker: reads the dataset from browser storage, builds
 * the run from its recipe (src/core/train/recipe.ts), trains with live metrics posted to the
 * page (throttled), keeps a checkpoint per epoch in IndexedDB, and turns failures into messages
 * a user can act on (out of memory, device lost, NaN loss) without losing the last checkpoint.
 */
import * as tf from '@tensorflow/tfjs';
import { describeModel } from '../core/models/registry';
import { buildRunModel } from '../core/models/runModel';
import { prepareRun } from '../core/train/recipe';
import { decodeCheckpoint, encodeCheckpoint, type Checkpoint } from '../core/train/checkpoint';
import { bestLastCheckpoint } from '../core/train/bestLastCheckpoint';
import { TrainingController } from '../core/train/controller';
import type { TrainingCallback } from '../core/train/callbacks';
import { train } from '../core/train/trainer';
import { accelTraining } from '../accel/training';
import { Throughput } from '../core/train/throughput';
import { getCheckpoint, getDataset, getRun, listSamples, putCheckpointWithRun, putRun, type RunRecord } from '../data/catalog';
import { DEFAULT_IMAGE_MEMORY_MB } from '../core/runConfig';
import { storedBatchSource } from '../data/storedBatchSource';
import { getWeights, getWeightsRecord } from '../data/weightsStore';
import { checkpointStorageFullMessage, isStorageFull } from '../data/storageFull';
import { applyWeights } from '../core/weights/matchWeights';
import { openFeedReader } from './feedReader';
import { chooseAutoBackend } from './autoBackend';
import { memoryLimits } from './backend';
import { gpuDeviceError, gpuDeviceLost, takeGpuDeviceError } from './gpuDevice';
import { faultPoint, memoryCheckOff } from './faultInjection';
import { deviceLostMessage, gpuMemoryMessage, isGpuMemoryError, resumeChoices, type GpuError, type RunPosition } from '../core/gpuFaults';
import { explainFailure } from './explainFailure';
import { memoryCheck } from '../core/train/memoryCheck';
import type { AutoBackendOutcome, BackendProbeFigure, FromTrainingWorker, TrainRequest, TrainingBackend } from './protocol';

export class RunFailure extends Error {}
export { explainFailure };

/** How long the worker pauses after each epoch while the page draws the epoch's charts. */
const EPOCH_REDRAW_PAUSE_MS = 400;

export async function runTraining(req: TrainRequest, controller: TrainingController, post: (m: FromTrainingWorker, t?: Transferable[]) => void): Promise<void> {
  const { runId, config } = req;
  const ds = await getDataset(req.datasetId);
  if (!ds) throw new RunFailure('No dataset: import one (or try the demo dataset) before training.');
  const samples = (await listSamples(ds.id)).filter((s) => s.split === 'train').sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (samples.length < 4) throw new RunFailure(`Dataset '${ds.name}' has ${samples.length} labelled training images: too few to train and validate.`);
  const labelSets = samples.map((s) => s.labels);
  // the loss lesson splits all its runs alike, whatever their seed (the seed still drives init and order)
  const prepared = prepareRun(req.splitSeed === undefined ? config : { ...config, seed: req.splitSeed }, labelSets);
  let backendProbe: BackendProbeFigure[] | null = null;
  let autoBackend: AutoBackendOutcome | null = null;
  if (req.autoBackend) {
    const { report, outcome } = await chooseAutoBackend(config, req.autoChoices ?? [], (m) => post({ type: 'loading', runId, done: 0, total: 0, note: m }));
    backendProbe = outcome.choice.figures;
    autoBackend = outcome;
    post({ type: 'backend', report });
  }

  let record: RunRecord =
    (req.resume ? await getRun(runId) : undefined) ??
    ({
      id: runId,
      name: req.name,
      datasetId: ds.id,
      datasetName: ds.name,
      createdAt: Date.now(),
      config: (req.splitSeed === undefined ? config : { ...config, splitSeed: req.splitSeed }) as unknown as Record<string, unknown>,
      status: 'running',
      message: null,
      backend: tf.getBackend(),
      history: [],
      checkpointEpoch: 0,
      bestEpoch: null,
      valIds: prepared.valRows.map((r) => samples[r].id),
      valProbs: null,
      valTruth: null,
      lrReductions: [],
      group: req.group ?? null,
    } satisfies RunRecord);
  let resumeFrom: Checkpoint | undefined;
  if (req.resume) {
    const stored = await getCheckpoint(runId, 'last');
    if (!stored) throw new RunFailure(`Run '${record.name}' has no checkpoint to resume from.`);
    resumeFrom = decodeCheckpoint(stored.data);
  }
  record = { ...record, status: 'running', message: null, backend: tf.getBackend() };
  await putRun(record);

  const model = buildRunModel(config);
  // before any image is read or anything trains: a run that cannot fit the backend fails now, with the numbers and a batch that fits
  const memory = memoryCheck(model, { model: config.model, inputSize: config.inputSize, batchSize: config.batchSize, phases: prepared.phases }, memoryLimits());
  if (memory.verdict === 'refuse' && !memoryCheckOff()) {
    model.dispose();
    record = { ...record, status: 'failed', message: memory.message };
    await putRun(record);
    throw new RunFailure(memory.message!);
  }
  if (memory.verdict === 'warn') post({ type: 'loading', runId, done: 0, total: 0, note: memory.message! });
  // a transfer run starts from the stored pretrained weights it names (a resumed one from its checkpoint)
  const weightsId = config.transfer?.weights ?? null;
  if (weightsId && !resumeFrom) {
    const [stored, weights] = await Promise.all([getWeightsRecord(weightsId), getWeights(weightsId)]);
    if (!stored || !weights) {
      model.dispose();
      const message = `The pretrained weights this run starts from are no longer stored: drop the file again under Pretrained weights, or choose random weights.`;
      record = { ...record, status: 'failed', message };
      await putRun(record);
      throw new RunFailure(message);
    }
    post({ type: 'loading', runId, done: 0, total: 0, note: `loading ${stored.fileName}` });
    const report = applyWeights(model, config.model, weights);
    record = {
      ...record,
      weightsFrom: {
        id: weightsId,
        fileName: stored.fileName,
        loaded: report.loaded,
        notLoaded: [...report.missing, ...report.mismatched.map((m) => m.name)],
        widened: report.widened,
      },
    };
    await putRun(record);
  }

  // read in a feed worker beside this one: sync reads here would hold the step loop (feedReader.ts)
  const reader = await openFeedReader(ds);
  try {
    const stats = { waitMs: 0, batches: 0 };
    const source = await storedBatchSource({
      readMany: (slots) => reader.readMany(slots),
      recycle: (bytes) => reader.recycle(bytes),
      slots: samples.map((s) => s.slot),
      labelSets,
      imageSize: ds.resolution,
      trainRows: prepared.sampledRows,
      valRows: prepared.valRows,
      trainOrder: prepared.trainOrder,
      inMemoryBytes: (config.imageMemoryMB ?? DEFAULT_IMAGE_MEMORY_MB) * 1e6,
      stats,
      onLoadProgress: (done, total) => post({ type: 'loading', runId, done, total, note: 'reading images' }),
    });

    const batchesPerEpoch = Math.ceil(source.numTrain / config.batchSize);
    post({
      type: 'run-started',
      info: {
        runId,
        backend: tf.getBackend(),
        trainImages: prepared.trainRows.length,
        trainAfterSampling: source.numTrain,
        valImages: prepared.valRows.length,
        totalEpochs: prepared.totalEpochs,
        params: describeModel(model).totalParams,
        startEpoch: resumeFrom ? resumeFrom.epoch + 1 : 1,
        classesWithoutValPositives: prepared.classesWithoutValPositives,
        trainClassCounts: Array.from(prepared.classCounts),
        history: (resumeFrom?.history ?? []) as RunInfo['history'],
        backendProbe,
        autoBackend,
        data: { storage: ds.storage, via: reader.via, feedWorker: reader.inWorker, inMemoryBytes: source.heldBytes },
        weightsFrom: record.weightsFrom ?? null,
        memory: { verdict: memory.verdict === 'warn' ? 'warn' : 'ok', totalBytes: memory.estimate.totalBytes, message: memory.message },
      },
    });

    let lastPost = 0;
    const throughput = new Throughput(performance.now());
    let epochStart = performance.now();
    let waitAtEpochStart = 0;
    let nanAt: string | null = null;
    // the GPU's faults (backend.ts watches the device): after one, no step computes anything, so
    // nothing more is posted, recorded or checkpointed, and a NaN loss is the fault's, not the run's
    takeGpuDeviceError();
    let position: RunPosition | null = null;
    let memoryError: GpuError | null = null;
    const gpuFailed = () => gpuDeviceLost() !== null || memoryError !== null || isGpuMemoryError(gpuDeviceError() ?? { kind: '', message: '' });
    const live: TrainingCallback = {
      onEpochStart: () => {
        epochStart = performance.now();
        throughput.startEpoch(epochStart);
        waitAtEpochStart = stats.waitMs;
      },
      onBatchEnd: (ctx, logs) => {
        if (gpuFailed()) return;
        const error = gpuDeviceError();
        if (error && isGpuMemoryError(error)) {
          memoryError = error;
          ctx.stopRun('GPU memory');
          controller.stop();
          return;
        }
        position = { epoch: logs.epoch, step: logs.batch + 1 };
        throughput.add(logs.batchSize);
        if (!Number.isFinite(logs.loss)) {
          nanAt ??= `epoch ${logs.epoch}, batch ${logs.batch + 1}`; // the first: the step in flight may follow
          ctx.stopRun('NaN loss');
          controller.stop();
          return;
        }
        const now = performance.now();
        const lastOfEpoch = logs.batch + 1 >= batchesPerEpoch;
        if (now - lastPost < 200 && !lastOfEpoch) return;
        const mem = tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number; numBytesInGPUAllocated?: number };
        post({
          type: 'batch',
          progress: {
            runId,
            epoch: logs.epoch,
            phase: logs.phase,
            batch: logs.batch + 1,
            batchesPerEpoch,
            loss: logs.loss,
            imagesPerSecond: throughput.take(now, lastOfEpoch),
            seconds: logs.seconds,
            numTensors: mem.numTensors,
            numBytes: mem.numBytesInGPUAllocated ?? mem.numBytesInGPU ?? mem.numBytes,
            stallFraction: (stats.waitMs - waitAtEpochStart) / Math.max(1, now - epochStart),
            stepsReplayed: logs.stepsReplayed,
            steps: logs.steps,
            replayOff: logs.replayOff,
          },
        });
        lastPost = now;
        faultPoint('train', position);
      },
      onEpochEnd: async (_ctx, logs, val) => {
        if (gpuFailed()) return;
        post({ type: 'epoch', runId, logs, valProbs: val.probs.slice(), valTruth: val.truth.slice(), lrReductions: record.lrReductions });
        // The page now redraws the epoch's charts and evaluation, one chart at a time. On a machine
        // with few cores this worker would compete with it for the CPU: step aside briefly (0.4 s an
        // epoch) so the page stays responsive.
        await new Promise((resolve) => setTimeout(resolve, EPOCH_REDRAW_PAUSE_MS));
      },
    };
    // the run record takes the epoch first, so the checkpoint's save stores it with it
    const recordEpoch: TrainingCallback = {
      onEpochEnd: (_ctx, logs, val) => {
        if (gpuFailed()) return;
        record = {
          ...record,
          history: [...record.history, logs as unknown as Record<string, unknown>],
          valProbs: val.probs,
          valTruth: val.truth,
          lrReductions: prepared.plateau ? [...prepared.plateau.reductions] : [],
        };
      },
    };
    // Storage full while a checkpoint is saved stops the run: the one stored before stays whole (one put
    // replaces it or leaves it), and the run can resume from it once there is space.
    let storageFull = false;
    const checkpoints = bestLastCheckpoint({
      monitor: config.monitor,
      save: async (kind, c) => {
        if (gpuFailed()) return; // weights read after the fault are not the model's
        const data = encodeCheckpoint(c);
        const lastGood = record.checkpointEpoch;
        const next = kind === 'last' ? { ...record, checkpointEpoch: c.epoch } : { ...record, bestEpoch: c.epoch };
        try {
          // one transaction: a page killed mid-save leaves the run pointing at a checkpoint that is stored
          await putCheckpointWithRun(kind, c.epoch, data, next);
          record = next;
        } catch (e) {
          if (!isStorageFull(e)) throw e;
          storageFull = true;
          throw new RunFailure(checkpointStorageFullMessage({ epoch: c.epoch, bytes: data.byteLength, lastGood }), { cause: e });
        }
      },
    });

    let status: 'done' | 'stopped' | 'failed' = 'done';
    let message: string | null = null;
    let resumeOn: TrainingBackend[] | undefined;
    const backend = tf.getBackend();
    try {
      const result = await train(model, source, {
        ...accelTraining, // the fused Adam, and on webgpu steps replayed from a recording
        phases: prepared.phases,
        batchSize: config.batchSize,
        seed: config.seed,
        augment: prepared.augment,
        // checkpoints first: when the page hears an epoch is done, its checkpoint is already stored
        callbacks: [...prepared.scheduleCallbacks, recordEpoch, ...(req.checkpoints === false ? [] : [checkpoints]), live],
        controller,
        resumeFrom,
        meta: { runId, model: config.model, inputSize: config.inputSize },
      });
      if (nanAt) {
        status = 'failed';
        message = `The loss became NaN at ${nanAt}. Training stopped; the last good checkpoint (epoch ${record.checkpointEpoch || '–'}) is kept. Suspect the learning rate (${config.lr}): try it 10× smaller${config.loss === 'f1' ? ', or a BCE/focal loss instead of soft F1' : ''}.`;
      } else if (result.stoppedBy) {
        status = result.stoppedBy === 'stopped by the user' ? 'stopped' : 'done';
        message = result.stoppedBy;
      }
    } catch (e) {
      status = 'failed';
      message = e instanceof RunFailure ? e.message : explainFailure(e, config.batchSize, config.inputSize, tf.getBackend());
    } finally {
      model.dispose();
      await reader.close(); // the dataset's files are free again before the page hears the run ended
    }
    const lost = gpuDeviceLost();
    // a memory error first: the device is given up after one (gpuDevice.ts), so it is lost too
    const gpuError = memoryError ?? gpuDeviceError();
    if (gpuError && isGpuMemoryError(gpuError)) {
      status = 'failed';
      message = gpuMemoryMessage({
        error: gpuError,
        batchSize: config.batchSize,
        inputSize: config.inputSize,
        estimate: memory.estimate,
        limits: memoryLimits(),
      });
    } else if (lost) {
      status = 'failed';
      message = deviceLostMessage(lost, position, record.checkpointEpoch);
      if (record.checkpointEpoch > 0) resumeOn = resumeChoices(backend) as TrainingBackend[];
    }
    // a run stopped by full storage is resumable from its checkpoint ('interrupted'); with storage full
    // this write may fail too, and the record left 'running' reads as interrupted all the same
    if (storageFull) record = { ...record, status: 'interrupted', history: record.history.filter((h) => (h.epoch as number) <= record.checkpointEpoch) };
    record = { ...record, status: storageFull ? 'interrupted' : status, message, resumeOn };
    await putRun(record).catch((e: unknown) => {
      if (!isStorageFull(e)) throw e;
    });
    // after a GPU fault the page starts a fresh worker: the next run gets a new device, clean
    post({ type: 'run-ended', runId, status, message, ...(resumeOn ? { resumeOn } : {}), ...(lost || gpuError ? { restartWorker: true } : {}) });
  } finally {
    await reader.close(); // on every way out, a failed start too: no dataset file stays open (a no-op once closed)
  }
}

type RunInfo = Extract<FromTrainingWorker, { type: 'run-started' }>['info'];
