/**
 * 'Auto' backend for a run: a short measured probe of *this* model (its input size and batch)
 * on every backend that starts here, then the fastest. On small CNNs WebGL can beat WebGPU
 * (tfjs issue 8156) and on a machine without a usable GPU wasm beats both: only a measurement
 * on the user's machine decides it.
 */
import * as tf from '@tensorflow/tfjs';
import { makeLoss } from '../core/losses';
import { createModel } from '../core/models/registry';
import { accelTraining } from '../accel/training';
import type { RunConfig } from '../core/runConfig';
import { selectBackend } from './backend';
import type { BackendProbeFigure, BackendReport, TrainingBackend } from './protocol';

const CANDIDATES: TrainingBackend[] = ['webgpu', 'webgl', 'wasm'];

async function timeSteps(config: RunConfig, steps: number): Promise<number> {
  const model = createModel(config.model, { inputSize: config.inputSize, seed: config.seed });
  // the optimizer training will use; selectBackend installed the gradients it will use (src/accel)
  const optimizer = accelTraining.optimizer(config.lr);
  const loss = makeLoss({ kind: 'bce' });
  const b = config.batchSize;
  const x = tf.randomUniform([b, config.inputSize, config.inputSize, 4], 0, 255, 'float32', 1);
  const y = tf.tidy(() => tf.cast(tf.greater(tf.randomUniform([b, 28], 0, 1, 'float32', 2), 0.8), 'float32'));
  const step = async () => {
    const l = optimizer.minimize(() => loss(y, model.apply(x, { training: true }) as tf.Tensor), true) as tf.Scalar;
    await l.data();
    l.dispose();
  };
  try {
    await step(); // warm-up: shader compilation, kernel set-up
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) await step();
    return (steps * b * 1000) / (performance.now() - t0);
  } finally {
    tf.dispose([x, y]);
    optimizer.dispose();
    model.dispose();
  }
}

export async function chooseFastestBackend(
  config: RunConfig,
  onProgress?: (msg: string) => void,
): Promise<{ report: BackendReport; figures: BackendProbeFigure[] }> {
  const figures: BackendProbeFigure[] = [];
  for (const name of CANDIDATES) {
    const report = await selectBackend(name);
    if (report.active !== name) {
      figures.push({ backend: name, imagesPerSecond: null, note: report.attempts[0]?.reason ?? 'did not start' });
      continue;
    }
    onProgress?.(`measuring ${config.model} on ${name}…`);
    try {
      figures.push({
        backend: name,
        imagesPerSecond: await timeSteps(config, 2),
        note: report.adapter?.fallback && name === 'webgpu' ? 'software adapter' : '',
      });
    } catch (e) {
      figures.push({ backend: name, imagesPerSecond: null, note: e instanceof Error ? e.message : String(e) });
    }
  }
  const measured = figures.filter((f) => f.imagesPerSecond !== null);
  const best = measured.sort((a, b) => b.imagesPerSecond! - a.imagesPerSecond!)[0];
  const report = await selectBackend(best ? best.backend : 'auto');
  const summary = figures.map((f) => `${f.backend} ${f.imagesPerSecond === null ? `n/a (${f.note})` : `${f.imagesPerSecond.toFixed(1)} img/s`}`).join(', ');
  const used = report.attempts.find((a) => a.used);
  if (used)
    used.reason = best
      ? `auto: fastest for ${config.model} at ${config.inputSize} px, batch ${config.batchSize} (${summary})`
      : `auto: no backend could be measured (${summary})`;
  report.requested = 'auto';
  return { report, figures };
}
