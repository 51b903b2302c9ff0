/**
 * One Node measurement in its own process (so a slow backend can be cut off by the parent's
 * timeout and one backend's state never leaks into the next). Usage:
 *   npx tsx bench/node/child.ts '<json: {kind: "train"|"predict"|"kernels", backend: "wasm"|"cpu", ...spec}>'
 * Prints one JSON line (the TrainTiming / predict timing, plus backend details).
 */
import * as tf from '@tensorflow/tfjs';
import { registerAccel } from '../../src/accel/registry';
import { useWasmBackend } from '../../src/cli/wasmBackend';
import { countStepKernels, timePredict, timeTraining, type KernelSet, type PredictSpec, type TrainSpec } from '../lib/trainSteps';

type Job = ({ kind: 'train' } & TrainSpec) | ({ kind: 'predict' } & PredictSpec) | { kind: 'kernels'; model: TrainSpec['model']; kernels: KernelSet };

const job = JSON.parse(process.argv[2]) as Job & { backend: 'wasm' | 'cpu' };
let detail: string;
if (job.backend === 'wasm') {
  const info = await useWasmBackend({ threads: 1 });
  detail = `SIMD ${info.simd}, ${info.threads} thread, ${info.kernels.length} training kernels registered`;
} else {
  await tf.setBackend('cpu');
  await tf.ready();
  registerAccel('cpu');
  detail = 'tfjs cpu (plain JS)';
}
const out = job.kind === 'train' ? await timeTraining(job) : job.kind === 'kernels' ? await countStepKernels(job.model, job.kernels) : await timePredict(job);
process.stdout.write(JSON.stringify({ ...out, detail, tfjs: tf.version.tfjs }) + '\n');
