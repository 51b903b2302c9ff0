/**
 * Backend selection inside a worker: tries webgpu → webgl → cpu (or only the forced one) and
 * records, for each, why it was or was not used. Runs where `navigator` is the worker's.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { TRAINING_BACKENDS, type AdapterInfo, type BackendAttempt, type BackendChoice, type BackendReport, type TrainingBackend } from './protocol';

interface GpuAdapterLike {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean };
  isFallbackAdapter?: boolean;
}
interface GpuLike {
  requestAdapter(options?: { powerPreference?: string }): Promise<GpuAdapterLike | null>;
}

export async function probeWebGpuAdapter(): Promise<{ adapter: AdapterInfo | null; problem: string | null }> {
  const gpu = (globalThis.navigator as unknown as { gpu?: GpuLike }).gpu;
  if (!gpu) return { adapter: null, problem: 'no navigator.gpu: this browser or context has no WebGPU' };
  let raw: GpuAdapterLike | null;
  try {
    raw = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (e) {
    return { adapter: null, problem: `requestAdapter failed: ${String(e)}` };
  }
  if (!raw) return { adapter: null, problem: 'adapter null: WebGPU is present but no GPU adapter is available (disabled, blocklisted or headless without --enable-unsafe-webgpu)' };
  const info = raw.info ?? {};
  const fallback = Boolean(info.isFallbackAdapter ?? raw.isFallbackAdapter ?? /swiftshader/i.test(`${info.vendor} ${info.architecture} ${info.description}`));
  return {
    adapter: {
      vendor: info.vendor ?? '',
      architecture: info.architecture ?? '',
      device: info.device ?? '',
      description: info.description ?? '',
      fallback,
    },
    problem: null,
  };
}

async function trySetBackend(name: TrainingBackend): Promise<string | null> {
  try {
    const ok = await tf.setBackend(name);
    await tf.ready();
    if (!ok || tf.getBackend() !== name) return `init error: tfjs could not initialise ${name}`;
    return null;
  } catch (e) {
    return `init error: ${e instanceof Error ? e.message : String(e)}`;
  }
}

export async function selectBackend(requested: BackendChoice): Promise<BackendReport> {
  const attempts: BackendAttempt[] = [];
  const order: TrainingBackend[] = requested === 'auto' ? [...TRAINING_BACKENDS] : [requested];
  const { adapter, problem } = await probeWebGpuAdapter();
  let active: TrainingBackend | null = null;
  for (const name of order) {
    if (active) {
      attempts.push({ backend: name, used: false, reason: `not needed: ${active} is running` });
      continue;
    }
    if (name === 'webgpu' && problem) {
      attempts.push({ backend: name, used: false, reason: problem });
      continue;
    }
    const error = await trySetBackend(name);
    if (error) {
      attempts.push({ backend: name, used: false, reason: error });
      continue;
    }
    active = name;
    let reason = requested === 'auto' ? 'first available in the order webgpu → webgl → cpu' : 'forced in settings';
    if (name === 'webgpu' && adapter?.fallback) reason += '; software fallback adapter (SwiftShader): works, but slowly';
    if (name === 'cpu') reason += '; plain JavaScript, very slow for training';
    attempts.push({ backend: name, used: true, reason });
  }
  return { requested, active, attempts, adapter, tfjsVersion: tf.version.tfjs };
}
