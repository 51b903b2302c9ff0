/**
 * The training-step loop every bench backend runs (Node wasm/cpu, and the browser bench worker):
 * createModel from the studio's registry, a fixed random batch, Adam 1e-3, BCE on the sigmoid
 * outputs, `optimizer.minimize` per step, awaiting the loss so the step's work is really done.
 * The same step as bench/torch_ref.py's reference. Pure tfjs: runs in Node and in a Worker.
 */
import * as tf from '@tensorflow/tfjs';
import { createModel } from '../../src/core/models/registry';
import { predict, ttaTransforms, type TtaPreset } from '../../src/core/predict';

export interface TrainSpec {
  model: 'gapnet-pl' | 'gapnet-kaggle';
  size: number;
  batch: number;
  warmup: number;
  steps: number;
  /** stop timing after this many ms (first step included); fewer steps are then reported */
  budgetMs: number;
}

export interface TrainTiming {
  backend: string;
  params: number;
  firstStepMs: number;
  /** timed steps after the warm-ups */
  stepMs: number[];
  warmups: number;
  loss: number[];
}

export async function timeTraining(s: TrainSpec): Promise<TrainTiming> {
  const model = createModel(s.model, { inputSize: s.size, seed: 1 });
  const optimizer = tf.train.adam(1e-3);
  const x = tf.randomUniform([s.batch, s.size, s.size, 4], 0, 255, 'float32', 11);
  const y = tf.cast(tf.greater(tf.randomUniform([s.batch, 28], 0, 1, 'float32', 12), 0.8), 'float32');
  const step = () => optimizer.minimize(() => tf.losses.logLoss(y, model.apply(x, { training: true }) as tf.Tensor, undefined, 1e-7) as tf.Scalar, true)!;
  const times: number[] = [];
  const loss: number[] = [];
  const t0 = performance.now();
  let warmups = 0;
  for (let i = 0; i < s.warmup + s.steps; i++) {
    const ts = performance.now();
    const l = step();
    loss.push((await l.data())[0]);
    l.dispose();
    const dt = performance.now() - ts;
    if (i === 0 || i < s.warmup) warmups = i + 1;
    times.push(dt);
    const spent = performance.now() - t0;
    // over budget: stop, keeping at least one timed step after the first if one fits
    if (spent > s.budgetMs && times.length >= Math.min(2, s.warmup + s.steps)) break;
  }
  const params = model.countParams();
  tf.dispose([x, y]);
  optimizer.dispose();
  model.dispose();
  // when the budget cut the warm-ups short, the steps after the first are all we have
  const timed = times.length > s.warmup ? times.slice(s.warmup) : times.slice(1);
  return { backend: tf.getBackend(), params, firstStepMs: times[0], stepMs: timed, warmups: Math.min(warmups, times.length - timed.length), loss };
}

export interface PredictSpec {
  model: 'gapnet-pl' | 'gapnet-kaggle';
  size: number;
  batch: number;
  /** images per timed run */
  images: number;
  tta: TtaPreset;
  warmup: number;
  runs: number;
  budgetMs: number;
}

/** Times src/core/predict.ts's predict() over `images` random images; ms per run. */
export async function timePredict(s: PredictSpec): Promise<{ backend: string; runMs: number[]; views: number }> {
  const model = createModel(s.model, { inputSize: s.size, seed: 1 });
  const pixels = s.size * s.size * 4;
  const images = new Uint8Array(s.images * pixels);
  for (let i = 0; i < images.length; i++) images[i] = (i * 2654435761) >>> 24;
  const source = {
    numRows: s.images,
    imageSize: s.size,
    channels: 4,
    async *batches(batchSize: number) {
      for (let r = 0; r < s.images; r += batchSize) yield { x: images.subarray(r * pixels, Math.min(s.images, r + batchSize) * pixels) };
    },
  };
  const tta = ttaTransforms(s.tta);
  const runMs: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < s.warmup + s.runs; i++) {
    const ts = performance.now();
    await predict(model, source, { inputSize: s.size, resizeMode: 'resize' }, { batchSize: s.batch, tta });
    if (i >= s.warmup) runMs.push(performance.now() - ts);
    if (performance.now() - t0 > s.budgetMs && runMs.length >= 2) break;
  }
  model.dispose();
  return { backend: tf.getBackend(), runMs, views: tta.length };
}
