/**
 * Backend selection inside a worker: tries webgpu → webgl → wasm → cpu (or only the forced one)
 * and records, for each, why it was or was not used. Runs where `navigator` is the worker's.
 *
 * wasm: the .wasm binaries are bundled by Vite (`?url` imports: same origin, nothing fetched
 * from elsewhere); src/accel/wasm adds the kernels it needs to train. Threads: tfjs-backend-wasm
 * 4.22's threaded build needs a cross-origin-isolated page (COOP/COEP, set by vite.config.ts) and
 * a build-time fix to start from a bundled worker (buildtools/tfjsWasmThreads.ts, applied by
 * `vite build`); with both it runs XNNPACK on half the logical cores, at most 8 (tfjs's cap; the
 * settings can ask for fewer, never more).
 * Otherwise (dev server, or a page that is not isolated) it runs on one thread and says why.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { WASM_THREADS_PATCHED } from '../../buildtools/tfjsWasmThreads';
import { registerAccel } from '../accel/registry';
import { isSoftwareAdapter } from '../accel/webgpu/softwareAdapter';
import { knownChecks, runStartChecks } from './startChecks';
import { backendLimits, type MemoryLimits } from '../core/memoryEstimate';
import { watchGpuDevice } from './gpuDevice';
import {
  TRAINING_BACKENDS,
  WASM_MAX_THREADS,
  type AdapterInfo,
  type BackendAttempt,
  type BackendChoice,
  type BackendReport,
  type TrainingBackend,
} from './protocol';

let wasmConfigured = false;
/** Threads asked for in the settings (0: tfjs's choice); read when wasm is first configured. */
let wasmThreadsWanted = 0;

/** The settings' wasm thread count, before the backend is selected (0 or absent: tfjs's choice). */
export function setWasmThreadsPreference(n: number | undefined): void {
  wasmThreadsWanted = n && n > 0 ? Math.min(Math.floor(n), WASM_MAX_THREADS) : 0;
}
/** The settings' wasm thread count (0: tfjs's choice), as the 'auto' choices are remembered by. */
export const wasmThreadsPreference = (): number => wasmThreadsWanted;
/** Why wasm runs on one thread, when it must (see above); null when the threaded build may start. */
let wasmSingleThreadReason: string | null = null;

/** Points tfjs-backend-wasm at the bundled binaries and decides about threads; once per worker. */
function configureWasm(): void {
  if (wasmConfigured) return;
  wasmConfigured = true;
  setWasmPaths({
    'tfjs-backend-wasm.wasm': wasmPlainUrl,
    'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
    'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimdUrl,
  });
  if (!(globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated)
    wasmSingleThreadReason = 'the page is not cross-origin isolated (COOP/COEP headers missing)';
  else if (!(globalThis as Record<string, unknown>)[WASM_THREADS_PATCHED])
    wasmSingleThreadReason = "the dev server does not patch tfjs's threaded build (use the production build: npm run build && npm run preview)";
  if (wasmSingleThreadReason) {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    setThreadsCount(1);
  } else if (wasmThreadsWanted > 0) setThreadsCount(wasmThreadsWanted);
}

/** The status line's words on wasm threads. */
function wasmThreadsNote(): string {
  if (wasmSingleThreadReason) return `; one thread: ${wasmSingleThreadReason}`;
  const n = getThreadsCount();
  const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
  const threads = `${n} thread${n > 1 ? 's' : ''}`;
  if (wasmThreadsWanted) return `; threaded build, ${threads} (settings)`;
  return `; threaded build, ${threads}: tfjs uses half the logical cores, at most ${WASM_MAX_THREADS}, and this machine has ${cores}`;
}

interface GpuAdapterLike {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean };
  isFallbackAdapter?: boolean;
}
interface GpuLike {
  requestAdapter(options?: { powerPreference?: string }): Promise<GpuAdapterLike | null>;
}

let adapterProbe: Promise<{ adapter: AdapterInfo | null; problem: string | null }> | null = null;

/**
 * The WebGPU adapter, asked for once per worker: requestAdapter waits for the GPU process, which
 * the 'auto' probe may have left busy with a stopped step for many seconds (26 s for a switch to
 * wasm on SwiftShader, measured).
 */
export function probeWebGpuAdapter(): Promise<{ adapter: AdapterInfo | null; problem: string | null }> {
  adapterProbe ??= requestWebGpuAdapter();
  return adapterProbe;
}

async function requestWebGpuAdapter(): Promise<{ adapter: AdapterInfo | null; problem: string | null }> {
  const gpu = (globalThis.navigator as unknown as { gpu?: GpuLike }).gpu;
  if (!gpu) return { adapter: null, problem: 'no navigator.gpu: this browser or context has no WebGPU' };
  let raw: GpuAdapterLike | null;
  try {
    raw = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (e) {
    return { adapter: null, problem: `requestAdapter failed: ${String(e)}` };
  }
  if (!raw)
    return {
      adapter: null,
      problem: 'adapter null: WebGPU is present but no GPU adapter is available (disabled, blocklisted or headless without --enable-unsafe-webgpu)',
    };
  const info = raw.info ?? {};
  const fallback = isSoftwareAdapter(info, raw.isFallbackAdapter);
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
    if (name === 'wasm') configureWasm();
    // the flags, and the speed-ups of src/accel for this backend, before its first kernel runs
    registerAccel(name);
    const ok = await tf.setBackend(name);
    await tf.ready();
    if (!ok || tf.getBackend() !== name) return `init error: tfjs could not initialise ${name}`;
    return null;
  } catch (e) {
    return `init error: ${e instanceof Error ? e.message : String(e)}`;
  }
}

/**
 * What the running backend can hold (core/memoryEstimate.ts): on webgpu the device's limits, which
 * tfjs-backend-webgpu 4.22 requested at the adapter's maxBufferSize and maxStorageBufferBindingSize.
 */
export function memoryLimits(): MemoryLimits {
  const name = tf.getBackend();
  const device =
    name === 'webgpu'
      ? (tf.backend() as unknown as { device?: { limits?: { maxBufferSize?: number; maxStorageBufferBindingSize?: number } } }).device
      : undefined;
  return backendLimits(name, { maxBufferSize: device?.limits?.maxBufferSize, maxStorageBufferBindingSize: device?.limits?.maxStorageBufferBindingSize });
}

/**
 * `o.startChecks: false` starts the backend on tfjs's own kernels only (the Auto probe's candidates
 * on a software adapter, where the checks alone take tens of seconds and the candidate is measured
 * only to be compared; the chosen backend is selected again, with its checks).
 */
export async function selectBackend(requested: BackendChoice, o: { checkStepReplay?: boolean; startChecks?: boolean } = {}): Promise<BackendReport> {
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
    if (name === 'webgpu') watchGpuDevice();
    let reason = requested === 'auto' ? `first available in the order ${TRAINING_BACKENDS.join(' → ')}` : 'forced in settings';
    if (name === 'webgpu' && adapter?.fallback) reason += '; software fallback adapter (SwiftShader): works, but slowly';
    if (name === 'wasm') reason += wasmThreadsNote();
    if (name === 'cpu') reason += '; plain JavaScript, very slow for training';
    const checks =
      o.startChecks === false
        ? { words: '; start checks not run (measured for the Auto choice only)', checks: 0, reused: 0 }
        : await runStartChecks(name, adapter, o);
    attempts.push({ backend: name, used: true, reason: reason + checks.words, checks: { count: checks.checks, reused: checks.reused } });
  }
  const report: BackendReport = { requested, active, attempts, adapter, tfjsVersion: tf.version.tfjs, checks: knownChecks() };
  if (active === 'wasm') report.wasmThreads = getThreadsCount();
  return report;
}
