/** The tfjs backends of the Node CLI: what is available here, and which one is used. */
import * as tf from '@tensorflow/tfjs';
import { measureTrainingSteps, median } from '../core/probe';

export interface NodeBackendReport {
  tfjsVersion: string;
  active: string;
  backends: { name: string; available: boolean; reason: string }[];
  check: { steps: number; losses: number[]; firstStepMs: number; stepMs: number };
}

export async function nodeBackendReport(): Promise<NodeBackendReport> {
  const backends: NodeBackendReport['backends'] = [];
  await tf.setBackend('cpu');
  await tf.ready();
  backends.push({ name: 'cpu', available: true, reason: 'plain JavaScript kernels; always present (slow for training)' });
  backends.push({ name: 'wasm', available: false, reason: 'not offered for training yet: tfjs registers no Conv2DBackpropFilter for wasm' });
  backends.push({ name: 'webgpu', available: false, reason: 'not offered yet: needs the optional `webgpu` (Dawn) package and a Vulkan driver' });
  const { losses, stepTimesMs } = await measureTrainingSteps(tf, { size: 16, batch: 4, steps: 3 });
  return {
    tfjsVersion: tf.version.tfjs,
    active: tf.getBackend(),
    backends,
    check: { steps: losses.length, losses, firstStepMs: stepTimesMs[0], stepMs: median(stepTimesMs.slice(1)) },
  };
}
