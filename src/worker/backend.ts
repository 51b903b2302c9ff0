/**
 * Backend selection inside a worker: tries webgpu → webgl → wasm → cpu (or only the forced one)
 * and records, for each, why it was or was not used. Runs where `navigator` is the worker's.
 *
 * wasm: the .wasm binaries are bundled by Vite (`?url` imports: same origin, nothing fetched
 * from elsewhere); src/core/wasm adds the kernels it needs to train. It runs on ONE thread even on
 * a cross-origin-isolated page: tfjs-backend-wasm 4.22's threaded build cannot start from a
 * bundled worker (it rebuilds its Emscripten factory for the pthread workers from
 * Function.prototype.toString(), which loses the bundle's renamed outer variables: every pthread
 * worker throws "ReferenceError: e is not defined" and tf.setBackend('wasm') never resolves; the
 * same with minification off).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { registerWasmTrainingKernels } from '../core/wasm/registerWasmTrainingKernels';
import { TRAINING_BACKENDS, type AdapterInfo, type BackendAttempt, type BackendChoice, type BackendReport, type TrainingBackend } from './protocol';

let wasmConfigured = false;

/** Points tfjs-backend-wasm at the bundled binaries, single-threaded (see above); once per worker. */
function configureWasm(): void {
  if (wasmConfigured) return;
  wasmConfigured = true;
  setWasmPaths({
    'tfjs-backend-wasm.wasm': wasmPlainUrl,
    'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
    'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimdUrl,
  });
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  setThreadsCount(1);
}

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
    if (name === 'wasm') {
      configureWasm();
      registerWasmTrainingKernels(); // before the first wasm kernel runs; they are ours from the start
    }
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
    let reason = requested === 'auto' ? `first available in the order ${TRAINING_BACKENDS.join(' → ')}` : 'forced in settings';
    if (name === 'webgpu' && adapter?.fallback) reason += '; software fallback adapter (SwiftShader): works, but slowly';
    if (name === 'wasm') reason += getThreadsCount() > 1 ? `; ${getThreadsCount()} threads` : "; one thread (tfjs-backend-wasm's threaded build fails in a bundled worker)";
    if (name === 'cpu') reason += '; plain JavaScript, very slow for training';
    attempts.push({ backend: name, used: true, reason });
  }
  const report: BackendReport = { requested, active, attempts, adapter, tfjsVersion: tf.version.tfjs };
  if (active === 'wasm') report.wasmThreads = getThreadsCount();
  return report;
}
