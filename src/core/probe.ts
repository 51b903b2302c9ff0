import type * as tfType from '@tensorflow/tfjs';

export interface ProbeOptions {
  size: number;
  batch: number;
  steps: number;
  seed?: number;
}

export interface ProbeMeasurement {
  losses: number[];
  stepTimesMs: number[];
}

/**
 * Trains a small four-channel convolutional network for a few steps on random data on the
 * current tfjs backend and reports each step's loss and wall time. It proves the backend can
 * train (forward, gradients, optimizer update) and measures how fast it does so.
 * tfjs is passed in so that the same code serves the browser worker and Node.
 */
export async function measureTrainingSteps(tf: typeof tfType, opts: ProbeOptions): Promise<ProbeMeasurement> {
  const { size, batch, steps } = opts;
  const seed = opts.seed ?? 1;
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [size, size, 4],
        filters: 8,
        kernelSize: 3,
        strides: 2,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed }),
      }),
      tf.layers.conv2d({
        filters: 16,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }),
      }),
      tf.layers.globalAveragePooling2d({}),
      tf.layers.dense({ units: 28, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 2 }) }),
    ],
  });
  const optimizer = tf.train.adam(1e-2);
  const x = tf.randomUniform([batch, size, size, 4], 0, 1, 'float32', seed);
  const y = tf.tidy(() => tf.cast(tf.greater(tf.randomUniform([batch, 28], 0, 1, 'float32', seed + 3), 0.8), 'float32'));
  const losses: number[] = [];
  const stepTimesMs: number[] = [];
  try {
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      const loss = optimizer.minimize(() => tf.losses.sigmoidCrossEntropy(y, model.apply(x) as tfType.Tensor) as tfType.Scalar, true) as tfType.Scalar;
      const value = (await loss.data())[0];
      loss.dispose();
      stepTimesMs.push(performance.now() - t0);
      losses.push(value);
    }
  } finally {
    x.dispose();
    y.dispose();
    optimizer.dispose();
    model.dispose();
  }
  return { losses, stepTimesMs };
}

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
