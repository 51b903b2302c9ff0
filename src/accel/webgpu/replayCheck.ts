/**
 * The step replay's self-check (./stepReplay.ts): a small network trained by the studio's
 * trainer twice from the same weights, once through tfjs step by step and once with its steps
 * replayed, must give the same losses and the same weights, bit for bit.
 *
 * The network has what a replay has to get right: a convolution, BatchNorm (moving averages in a
 * reassigned variable: carried from step to step), a frozen BatchNorm in inference mode (Keras's, as
 * in a transfer model's warm-up), zero padding, a stride-2 depthwise convolution and a stride-2 1×1
 * convolution concatenated (the transfer backbones' layers), seeded AlphaDropout (fresh noise each step),
 * SELU, the fused Adam (per-step constants), the studio's focal loss, byte batches with random crops
 * and turns (per-step bytes and tables), and a short last batch that runs through tfjs after the
 * replays (and, reassigning BatchNorm's averages, ends them). Validation (predictions and loss, replayed too) and predict() with two TTA views
 * (replayed too) must match as well.
 */
import * as tf from '@tensorflow/tfjs';
import { makeLoss } from '../../core/losses';
import { memoryPredictSource, predict } from '../../core/predict';
import { AlphaDropout } from '../../core/models/layers/seededDropout';
import { useKerasBatchNormIn } from '../../core/models/layers/kerasBatchNorm';
import { memoryBatchSource } from '../../core/train/batchSource';
import { train, type TrainingPhase } from '../../core/train/trainer';
import { accelTraining } from '../training';
import { accelFlag, setAccelFlag, STEP_REPLAY_FLAG } from '../flags';

/**
 * The check's network: a BatchNorm in inference mode first (frozen, Keras's semantics: a transfer
 * model's warm-up), a convolution, a training BatchNorm (moving averages reassigned every step), SELU,
 * then two branches concatenated — a zero-padded stride-2 depthwise convolution (MobileNetV2's
 * down-sampling) beside a stride-2 1×1 convolution (ResNet50's shortcut) —, global average pooling,
 * seeded AlphaDropout and a dense head. Layers 0–1 (input, the frozen BatchNorm) are frozen by the
 * check's phase (fromLayer 2).
 */
function checkModel(size: number): tf.LayersModel {
  const input = tf.input({ shape: [size, size, 4] });
  let x = tf.layers.batchNormalization({ name: 'frozen_bn' }).apply(input) as tf.SymbolicTensor;
  x = tf.layers
    .conv2d({ filters: 8, kernelSize: 3, padding: 'same', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization().apply(x) as tf.SymbolicTensor;
  x = tf.layers.activation({ activation: 'selu' }).apply(x) as tf.SymbolicTensor;
  const padded = tf.layers
    .zeroPadding2d({
      padding: [
        [0, 1],
        [0, 1],
      ],
    })
    .apply(x) as tf.SymbolicTensor;
  const depthwise = tf.layers
    .depthwiseConv2d({ kernelSize: 3, strides: 2, padding: 'valid', useBias: false, depthwiseInitializer: tf.initializers.glorotUniform({ seed: 6 }) })
    .apply(padded) as tf.SymbolicTensor;
  const shortcut = tf.layers
    .conv2d({ filters: 4, kernelSize: 1, strides: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: 7 }) })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers.concatenate().apply([depthwise, shortcut]) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  x = new AlphaDropout({ rate: 0.25, seed: 5 }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({ units: 28, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) })
    .apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  useKerasBatchNormIn(model);
  // not at its initial statistics (mean 0, variance 1), so that normalising with them shows
  const bn = model.getLayer('frozen_bn');
  const stats = bn.getWeights().map((w, i) => tf.fill(w.shape, [1.5, -0.25, 3, 2][i]));
  bn.setWeights(stats);
  tf.dispose(stats);
  return model;
}

/**
 * Runs the check on the active backend (webgpu; elsewhere there is nothing to replay). Null when
 * the replayed run matched; otherwise why not, and replay is turned off in this context
 * (STEP_REPLAY_FLAG false).
 */
export async function verifyStepReplay(): Promise<string | null> {
  if (tf.getBackend() !== 'webgpu') return `not available on ${tf.getBackend()}`;
  if (!accelFlag(STEP_REPLAY_FLAG)) return `${STEP_REPLAY_FLAG} is false`;
  const { problem } = await compareStepReplay({
    build: () => checkModel(12),
    phases: [{ name: 'check', epochs: 1, loss: makeLoss({ kind: 'focal' }), lr: 3e-3, trainable: { fromLayer: 2 } }],
    size: 12,
    stored: 16,
    batch: 4,
  });
  setAccelFlag(STEP_REPLAY_FLAG, problem === null);
  return problem === null ? null : `self-check failed on webgpu (${problem}); every step runs through tfjs`;
}

/**
 * Trains a model (a fresh one from `build` each time) twice on the same byte batches, through tfjs and
 * with its steps replayed, and compares losses, weights, validation and predictions bit for bit.
 * Leaves STEP_REPLAY_FLAG as it found it. `problem` is null when they matched; `replayed` counts the
 * replayed run's replayed steps and `off` says why its last phase stopped replaying, if it did.
 */
export async function compareStepReplay(o: {
  build: () => tf.LayersModel;
  phases: TrainingPhase[];
  size: number;
  stored: number;
  batch: number;
}): Promise<{ problem: string | null; replayed: number; steps: number; off: string | null }> {
  const flag = accelFlag(STEP_REPLAY_FLAG);
  const { size, stored, batch } = o;
  const C = 28;
  const rows = batch * 5 + 2; // five full batches and a short one
  const images = new Uint8Array(rows * stored * stored * 4).map((_, i) => (i * 2654435761) >>> 24);
  const labels = new Uint8Array(rows * C).map((_, i) => ((i * 7) % 11 === 0 ? 1 : 0));
  // validation: three full batches (two recorded, one replayed) and a short one
  const source = memoryBatchSource(
    { images, imageSize: stored, channels: 4, labels, numClasses: C },
    { trainRows: Array.from({ length: rows }, (_, i) => i), valRows: Array.from({ length: batch * 3 + 1 }, (_, i) => rows - 1 - i) },
  );
  const run = async (replay: boolean) => {
    setAccelFlag(STEP_REPLAY_FLAG, replay);
    const model = o.build();
    const losses: number[] = [];
    let replayed = 0;
    let off: string | null = null;
    let probe = 0;
    let val: Float32Array = new Float32Array(0);
    let early: Float32Array = new Float32Array(0);
    try {
      await train(model, source, {
        ...accelTraining,
        phases: o.phases,
        batchSize: batch,
        seed: 7,
        augment: { size, mode: 'crop', flips: true, rotate90: true },
        callbacks: [
          {
            onBatchEnd: async (_ctx, logs) => {
              losses.push(logs.loss);
              replayed = logs.stepsReplayed;
              off = logs.replayOff;
              // read mid-run, as a checkpoint does: tfjs then keeps these values on the CPU, and the
              // weights written in place after must not be answered from them at the end
              if (logs.batch === 3) {
                probe = Math.max(
                  0,
                  model.weights.findIndex((w) => w.trainable),
                ); // a frozen weight would not move
                early = Float32Array.from(await model.getWeights()[probe].data());
              }
            },
            onEpochEnd: (_ctx, logs, v) => void (val = Float32Array.from([...v.probs, logs.valLoss])),
          },
        ],
      });
      const weights = await Promise.all(model.getWeights().map((w) => w.data()));
      // prediction with two TTA views over three full batches and a short one (predict.ts replays too)
      const predicted = await predict(
        model,
        memoryPredictSource(images.subarray(0, 13 * stored * stored * 4), stored),
        { inputSize: size, resizeMode: 'crop' },
        { batchSize: batch, tta: [0, 5], stepRunner: accelTraining.stepRunner },
      );
      return { losses, weights, replayed, val, predicted, early, off, probe };
    } finally {
      model.dispose();
    }
  };
  let problem: string | null = null;
  let counts = { replayed: 0, steps: 0, off: null as string | null };
  try {
    const plain = await run(false);
    const replayed = await run(true);
    counts = { replayed: replayed.replayed, steps: replayed.losses.length, off: replayed.off };
    if (replayed.replayed < 2) problem = `only ${replayed.replayed} of ${replayed.losses.length} steps were replayed`;
    const badLoss = plain.losses.findIndex((l, i) => !Object.is(l, replayed.losses[i]));
    if (!problem && badLoss >= 0) problem = `step ${badLoss + 1}'s loss was ${replayed.losses[badLoss]} replayed, ${plain.losses[badLoss]} through tfjs`;
    const badWeight = plain.weights.findIndex((w, i) => w.some((v, j) => !Object.is(v, replayed.weights[i][j])));
    if (!problem && badWeight >= 0) problem = `weight ${badWeight} differed after training replayed`;
    for (const r of [plain, replayed]) {
      if (!problem && r.early.length && r.early.every((v, i) => Object.is(v, r.weights[r.probe][i])))
        problem = 'the first weight read after training equals its value read mid-run (a stale CPU copy of a weight written in place)';
    }
    const badPredict = plain.predicted.findIndex((v, i) => !Object.is(v, replayed.predicted[i]));
    if (!problem && badPredict >= 0)
      problem = `prediction value ${badPredict} was ${replayed.predicted[badPredict]} replayed, ${plain.predicted[badPredict]} through tfjs`;
    const badVal = plain.val.findIndex((v, i) => !Object.is(v, replayed.val[i]));
    if (!problem && (badVal >= 0 || plain.val.length !== replayed.val.length))
      problem = `validation value ${badVal} was ${replayed.val[badVal]} replayed, ${plain.val[badVal]} through tfjs`;
  } catch (e) {
    problem = `it failed: ${e instanceof Error ? e.message : String(e)}`;
  } finally {
    setAccelFlag(STEP_REPLAY_FLAG, flag);
  }
  return { problem, ...counts };
}
