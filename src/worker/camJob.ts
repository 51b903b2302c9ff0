/**
 * The predict worker's 'cam' job: the Grad-CAM map (src/core/cam/gradCam.ts) of one stored sample
 * for one class, with a run's stored weights. The worker that runs it lives while a sample viewer
 * is open, so the run's model is loaded once and kept (one run at a time) for the next sample,
 * class or stage. The map comes back as a small array; the page colours it.
 */
import * as tf from '@tensorflow/tfjs';
import { applyTransforms, batchTensor } from '../core/augment';
import { camStages, defaultCamStage, gradCam, type CamStage } from '../core/cam/gradCam';
import { NUM_CLASSES } from '../core/labels';
import { viewWindows, type ModelView } from '../core/predict';
import { getDataset, getRun, getSample, type RunRecord } from '../data/catalog';
import { openPixelReader } from '../data/pixelStore';
import { loadRunModel, PredictFailure, runCheckpoint } from './predictRun';
import type { CamRegion, CamRequest, FromPredictWorker } from './protocol';

type Post = (m: FromPredictWorker, transfer?: Transferable[]) => void;

/**
 * The stored pixels the model sees of one image, as prediction takes them with one window: a
 * 'resize' model the whole image, a 'crop' model its centre crop (prediction's 'centre' tiling).
 */
export function camRegion(stored: number, view: ModelView): CamRegion {
  const [{ top, left }] = viewWindows(stored, view, 'centre');
  return { top, left, size: view.resizeMode === 'resize' ? stored : view.inputSize };
}

/** One stored image (stored² × channels bytes) as the model's input [1, s, s, c], float: the transform predictTensor applies, for that window. */
export function camInput(pixels: Uint8Array, stored: number, view: ModelView, channels = 4): tf.Tensor4D {
  if (pixels.length !== stored * stored * channels) throw new RangeError(`an image of ${pixels.length} bytes is not ${stored}² × ${channels}`);
  const { top, left } = camRegion(stored, view);
  return tf.tidy(() => {
    const x = batchTensor(pixels, 1, channels);
    const xi = applyTransforms(x, [{ k: 0, top, left }], { size: view.inputSize, mode: view.resizeMode });
    return (xi.dtype === 'float32' ? xi : tf.cast(xi, 'float32')) as tf.Tensor4D;
  });
}

/** The index of the largest value (the first of equals). */
function argMax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}

interface LoadedRun {
  /** the run, the checkpoint asked for and that checkpoint's epoch: a run that stored a newer one is loaded again */
  key: string;
  checkpoint: 'best' | 'last';
  epoch: number;
  model: tf.LayersModel;
  view: ModelView;
  stages: CamStage[];
}

const runKey = (run: RunRecord, kind: 'best' | 'last') => `${run.id}:${kind}:${kind === 'best' ? (run.bestEpoch ?? '-') : run.checkpointEpoch}`;

/** The one run model a CAM worker keeps loaded; another run's request disposes it first. */
export class CamModelCache {
  private loaded: LoadedRun | null = null;

  async get(run: RunRecord, prefer: 'best' | 'last' = 'best'): Promise<LoadedRun> {
    const key = runKey(run, prefer);
    if (this.loaded?.key === key) return this.loaded;
    this.dispose(); // one model's weights at a time
    const { kind, epoch, checkpoint } = await runCheckpoint(run, 'compute a class activation map', prefer);
    const { model, config } = await loadRunModel(run, checkpoint);
    try {
      this.loaded = { key, checkpoint: kind, epoch, model, view: { inputSize: config.inputSize, resizeMode: config.mode }, stages: camStages(model) };
    } catch (e) {
      model.dispose();
      throw new PredictFailure(`Run '${run.name}' (${config.model}): ${(e as Error).message}`);
    }
    return this.loaded;
  }

  dispose(): void {
    this.loaded?.model.dispose();
    this.loaded = null;
  }
}

export async function runCamJob(msg: CamRequest, cache: CamModelCache, post: Post): Promise<void> {
  if (!(Number.isInteger(msg.classIndex) && msg.classIndex >= -1 && msg.classIndex < NUM_CLASSES))
    throw new PredictFailure(`Class ${msg.classIndex} is not one of the ${NUM_CLASSES} classes (0–${NUM_CLASSES - 1}).`);
  const run = await getRun(msg.runId);
  if (!run) throw new PredictFailure(`Run ${msg.runId} is gone.`);
  const ds = await getDataset(msg.datasetId);
  if (!ds) throw new PredictFailure('The dataset is gone: import it again.');
  const sample = await getSample(ds.id, msg.sampleId);
  if (!sample) throw new PredictFailure(`Sample ${msg.sampleId} is not in dataset '${ds.name}'.`);
  const { model, view, stages, checkpoint, epoch } = await cache.get(run, msg.checkpoint === 'last' ? 'last' : 'best');
  if (view.resizeMode === 'crop' && ds.resolution < view.inputSize)
    throw new PredictFailure(`Run '${run.name}' was trained on ${view.inputSize} px crops; '${ds.name}' stores ${ds.resolution} px images.`);
  const stage = msg.stage ?? defaultCamStage(stages).id;
  if (!stages.some((s) => s.id === stage))
    throw new PredictFailure(`Run '${run.name}': its model has no stage '${stage}' (it has ${stages.map((s) => s.label).join(', ')}).`);
  // one image: a File slice, with no storage handle left open between requests
  const reader = await openPixelReader(ds, { via: 'blob' });
  let pixels: Uint8Array;
  try {
    pixels = await reader.read(sample.slot);
  } finally {
    await reader.close();
  }
  const x = camInput(pixels, ds.resolution, view);
  try {
    let classIndex = msg.classIndex;
    if (classIndex < 0) classIndex = argMax(tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync()));
    const r = gradCam(model, x, classIndex, stage);
    post(
      {
        type: 'cam-result',
        jobId: msg.jobId,
        runId: run.id,
        sampleId: sample.id,
        classIndex: r.classIndex,
        stage: r.stage,
        stages,
        width: r.width,
        height: r.height,
        map: r.map,
        probs: r.probs,
        region: camRegion(ds.resolution, view),
        checkpoint,
        epoch,
      },
      [...new Set([r.map.buffer, r.probs.buffer])] as ArrayBuffer[],
    );
  } finally {
    x.dispose();
  }
}
