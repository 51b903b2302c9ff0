/**
 * The tfjs backends of the Node CLI: what is available here, and which one is used. Training
 * uses wasm (SIMD, with src/accel/wasm's gradient kernels) and falls back to cpu when wasm
 * cannot start.
 */
import * as tf from '@tensorflow/tfjs';
import { registerAccel } from '../accel/registry';
import { measureTrainingSteps, median } from '../core/probe';
import { useWasmBackend } from './wasmBackend';

export interface NodeBackendReport {
  tfjsVersion: string;
  active: string;
  backends: { name: string; available: boolean; reason: string }[];
  check: { steps: number; losses: number[]; firstStepMs: number; stepMs: number };
}

export interface NodeTrainingBackend {
  /** the backend tfjs now runs on */
  active: 'wasm' | 'cpu';
  /** wasm's threads and SIMD, when wasm is active */
  wasm?: { threads: number; simd: boolean };
  /** why wasm is not active, when it is not */
  wasmProblem?: string;
}

/** Makes the best training backend active: wasm, else cpu. Never throws for a wasm failure. */
export async function useNodeTrainingBackend(preferred: 'wasm' | 'cpu' = 'wasm'): Promise<NodeTrainingBackend> {
  let wasmProblem: string | undefined = 'not requested';
  if (preferred === 'wasm') {
    try {
      const info = await useWasmBackend();
      return { active: 'wasm', wasm: { threads: info.threads, simd: info.simd } };
    } catch (e) {
      wasmProblem = e instanceof Error ? e.message : String(e);
    }
  }
  await tf.setBackend('cpu');
  await tf.ready();
  registerAccel('cpu');
  return { active: 'cpu', wasmProblem };
}

export async function nodeBackendReport(): Promise<NodeBackendReport> {
  const backends: NodeBackendReport['backends'] = [];
  const used = await useNodeTrainingBackend();
  backends.push(
    used.active === 'wasm'
      ? {
          name: 'wasm',
          available: true,
          reason: `WebAssembly${used.wasm!.simd ? ' SIMD' : ''}, ${used.wasm!.threads} thread${used.wasm!.threads > 1 ? 's' : ''}, with the convolution gradient kernels of src/accel/wasm; used for training`,
        }
      : { name: 'wasm', available: false, reason: `could not start: ${used.wasmProblem}` },
  );
  backends.push({
    name: 'cpu',
    available: true,
    reason: `plain JavaScript kernels; always present (slow for training)${used.active === 'cpu' ? '; used because wasm could not start' : '; the fallback'}`,
  });
  backends.push({ name: 'webgpu', available: false, reason: 'not offered yet: needs the optional `webgpu` (Dawn) package and a Vulkan driver' });
  const { losses, stepTimesMs } = await measureTrainingSteps(tf, { size: 16, batch: 4, steps: 3 });
  return {
    tfjsVersion: tf.version.tfjs,
    active: tf.getBackend(),
    backends,
    check: { steps: losses.length, losses, firstStepMs: stepTimesMs[0], stepMs: median(stepTimesMs.slice(1)) },
  };
}
