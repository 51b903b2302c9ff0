/**
 * The step replay's self-check (../webgpu/stepReplay.ts): a small network trained by the studio's
 * trainer twice from the same weights, once through tfjs step by step and once with its steps
 * replayed, must give the same losses and the same weights, bit for bit.
 *
 * The network has what a replay has to get right: a convolution, BatchNorm (moving averages in a
 * reassigned variable: carried from step to step), seeded AlphaDropout (fresh noise each step),
 * SELU, the fused Adam (per-step constants), the studio's focal loss, byte batches with random crops
 * and turns (per-step bytes and tables), and an epoch whose short last batch runs through tfjs
 * between replays.
 */
import * as tf from '@tensorflow/tfjs';
import { makeLoss } from '../losses';
import { AlphaDropout } from '../models/layers/seededDropout';
import { replayedSteps, STEP_REPLAY_FLAG } from '../webgpu/stepReplay';
import { memoryBatchSource } from './batchSource';
import { train } from './trainer';

function checkModel(size: number): tf.LayersModel {
  const input = tf.input({ shape: [size, size, 4] });
  let x = tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization().apply(x) as tf.SymbolicTensor;
  x = tf.layers.activation({ activation: 'selu' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  x = new AlphaDropout({ rate: 0.25, seed: 5 }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 28, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

/**
 * Runs the check on the active backend (webgpu; elsewhere there is nothing to replay). Null when
 * the replayed run matched; otherwise why not, and replay is turned off in this context
 * (STEP_REPLAY_FLAG false).
 */
export async function verifyStepReplay(): Promise<string | null> {
  if (tf.getBackend() !== 'webgpu') return `not available on ${tf.getBackend()}`;
  if (!tf.env().getBool(STEP_REPLAY_FLAG)) return `${STEP_REPLAY_FLAG} is false`;
  const [size, stored, batch, C] = [12, 16, 4, 28];
  const rows = batch * 6 + 2; // six full batches and a short one
  const images = new Uint8Array(rows * stored * stored * 4).map((_, i) => (i * 2654435761) >>> 24);
  const labels = new Uint8Array(rows * C).map((_, i) => ((i * 7) % 11 === 0 ? 1 : 0));
  const source = memoryBatchSource({ images, imageSize: stored, channels: 4, labels, numClasses: C }, { trainRows: Array.from({ length: rows }, (_, i) => i), valRows: [0, 1] });
  const run = async (replay: boolean) => {
    tf.env().set(STEP_REPLAY_FLAG, replay);
    const model = checkModel(size);
    const losses: number[] = [];
    const before = replayedSteps();
    try {
      await train(model, source, {
        phases: [{ name: 'check', epochs: 2, loss: makeLoss({ kind: 'focal' }), lr: 3e-3 }],
        batchSize: batch,
        seed: 7,
        augment: { size, mode: 'crop', flips: true, rotate90: true },
        callbacks: [{ onBatchEnd: (_ctx, logs) => void losses.push(logs.loss) }],
      });
      const weights = await Promise.all(model.getWeights().map((w) => w.data()));
      return { losses, weights, replayed: replayedSteps() - before };
    } finally {
      model.dispose();
    }
  };
  let problem: string | null = null;
  try {
    const plain = await run(false);
    const replayed = await run(true);
    if (replayed.replayed < 4) problem = `only ${replayed.replayed} of ${replayed.losses.length} steps were replayed`;
    const badLoss = plain.losses.findIndex((l, i) => !Object.is(l, replayed.losses[i]));
    if (!problem && badLoss >= 0) problem = `step ${badLoss + 1}'s loss was ${replayed.losses[badLoss]} replayed, ${plain.losses[badLoss]} through tfjs`;
    const badWeight = plain.weights.findIndex((w, i) => w.some((v, j) => !Object.is(v, replayed.weights[i][j])));
    if (!problem && badWeight >= 0) problem = `weight ${badWeight} differed after training replayed`;
  } catch (e) {
    problem = `it failed: ${e instanceof Error ? e.message : String(e)}`;
  }
  tf.env().set(STEP_REPLAY_FLAG, problem === null);
  return problem === null ? null : `self-check failed on webgpu (${problem}); every step runs through tfjs`;
}
