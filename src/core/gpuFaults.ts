/**
 * The GPU's own faults as data and words: a lost device and a buffer the adapter cannot hold. Pure
 * (no tfjs, no DOM): the workers detect the faults (src/worker/backend.ts watches the device), this
 * file says what happened, where to go on, and which batch would fit. Also the fault-injection flag
 * the e2e tests provoke them with (docs/reliability.md).
 */
import { formatBytes, type MemoryEstimate, type MemoryLimits } from './memoryEstimate';

/** Why a WebGPU device was lost: GPUDeviceLostInfo's reason ('destroyed' or 'unknown') and message. */
export interface DeviceLost {
  reason: string;
  message: string;
}

/** Where a run was when its device was lost: the last step reported, 1-based. */
export interface RunPosition {
  epoch: number;
  step: number;
}

/** The order runs fall back in: the GPU backends first, then the CPU ones. */
export const FALLBACK_ORDER = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type FallbackBackend = (typeof FALLBACK_ORDER)[number];

/**
 * The backends to go on with after `lost` failed, in order: those after it in FALLBACK_ORDER, cpu
 * left out (wasm always starts and is faster). A backend not in the order gets wasm.
 */
export function backendsAfter(lost: string): FallbackBackend[] {
  const i = FALLBACK_ORDER.indexOf(lost as FallbackBackend);
  const after = i < 0 ? ['wasm' as const] : FALLBACK_ORDER.slice(i + 1).filter((b) => b !== 'cpu');
  return after.length ? after : ['wasm'];
}

/** What a run that lost its device offers: the same backend again (the driver may have recovered), then the next ones. */
export function resumeChoices(lost: string): FallbackBackend[] {
  const again = (FALLBACK_ORDER as readonly string[]).includes(lost) ? [lost as FallbackBackend] : [];
  return [...again, ...backendsAfter(lost)];
}

/** The run's message for a lost device: what happened, where, and what is kept. */
export function deviceLostMessage(lost: DeviceLost, at: RunPosition | null, checkpointEpoch: number): string {
  const where = at ? ` at epoch ${at.epoch}, step ${at.step}` : ' before the first step';
  const said = lost.message && lost.message !== lost.reason ? ` (the browser said: ${lost.message.replace(/\.$/, '')})` : '';
  const kept =
    checkpointEpoch > 0
      ? `The checkpoint of epoch ${checkpointEpoch} is kept; nothing after it was recorded. Resume from it on webgpu again or on another backend.`
      : 'No epoch had finished, so there is no checkpoint to resume from: start the run again (on another backend if it happens again).';
  return `The GPU device was lost (reason: ${lost.reason})${where}${said}. ${kept}`;
}

/** A prediction's note when its device was lost and it ran again on another backend. */
export function predictFallbackNote(lost: DeviceLost, from: string, to: string): string {
  return `the GPU device was lost (reason: ${lost.reason}) while predicting on ${from}: predicted again on ${to}`;
}

/** A GPU error that the device reported (uncapturederror or a popped error scope). */
export interface GpuError {
  /** 'out-of-memory', 'validation' or 'internal' (the GPU's), or 'limit' (a buffer over the device's limits, refused before the GPU saw it) */
  kind: string;
  message: string;
}

/** Whether a GPU error means a buffer the adapter could not hold (rather than a bug). */
export function isGpuMemoryError(e: GpuError): boolean {
  return (
    e.kind === 'out-of-memory' ||
    e.kind === 'limit' ||
    /exceeds the max(imum)? buffer size|maxBufferSize|maxStorageBufferBindingSize|out of memory|too large/i.test(e.message)
  );
}

/**
 * The largest power of two ≤ half the batch whose `bytesAt(b)` fits `limit`, or null when none
 * does (the input size must shrink instead).
 */
export function suggestBatch(batch: number, limit: number, bytesAt: (b: number) => number): number | null {
  for (let b = 2 ** Math.floor(Math.log2(Math.max(1, batch - 1))); b >= 1 && b < batch; b /= 2) if (bytesAt(b) <= limit) return b;
  return null;
}

/** Bytes in MiB, as the adapter's limits are powers of two: "1024 MiB", "1040 MiB". */
export const formatMiB = (n: number): string => `${Math.round(n / 2 ** 20)} MiB`;

/** The bytes a GPU error message names: Dawn's "Buffer size (N) exceeds the max buffer size limit (M)". */
export function bytesInGpuError(message: string): { requested: number | null; limit: number | null } {
  const requested = /size \((\d+)\)/i.exec(message);
  const limit = /limit \((\d+)\)/i.exec(message);
  return { requested: requested ? Number(requested[1]) : null, limit: limit ? Number(limit[1]) : null };
}

/**
 * The run's message when the GPU refused a buffer: what it needed (the buffer the GPU refused, else
 * the estimate's largest tensor, and the estimate's total), the adapter's limit, the GPU's own words
 * and a batch at which that buffer fits (a batch's buffers grow with the batch).
 */
export function gpuMemoryMessage(o: {
  error: GpuError;
  batchSize: number;
  inputSize: number;
  estimate: Pick<MemoryEstimate, 'largestTensorBytes' | 'largestTensorName' | 'totalBytes'>;
  limits: Pick<MemoryLimits, 'maxBufferSize' | 'maxStorageBufferBindingSize'>;
}): string {
  const named = bytesInGpuError(o.error.message);
  const adapter = [
    { name: 'maxBufferSize', bytes: o.limits.maxBufferSize },
    { name: 'maxStorageBufferBindingSize', bytes: o.limits.maxStorageBufferBindingSize },
  ].filter((l): l is { name: string; bytes: number } => typeof l.bytes === 'number' && l.bytes > 0);
  const smallest = adapter.sort((a, b) => a.bytes - b.bytes)[0];
  const limit = named.limit ?? smallest?.bytes ?? null;
  const limitName = named.limit !== null ? (adapter.find((l) => l.bytes === named.limit)?.name ?? 'limit') : (smallest?.name ?? 'limit');
  const buffer = named.requested ?? o.estimate.largestTensorBytes;
  const what =
    named.requested !== null ? `a single buffer of ${formatMiB(buffer)}` : `a single tensor of about ${formatMiB(buffer)} (${o.estimate.largestTensorName})`;
  const need = `batch ${o.batchSize} at ${o.inputSize} px asked the GPU for ${what}, about ${formatBytes(o.estimate.totalBytes)} in all by the estimate`;
  const suggested = limit !== null ? suggestBatch(o.batchSize, limit, (b) => (buffer * b) / o.batchSize) : null;
  const limitWords = limit !== null ? `; the adapter's ${limitName} is ${formatMiB(limit)}` : '';
  const advice = suggested !== null ? `Try batch ${suggested}` : 'Even batch 1 does not fit: try a smaller input size';
  const words = o.error.message.split('\n')[0].replace(/\.$/, '');
  const said = o.error.kind === 'limit' ? `The worker said: ${words}` : `The GPU said: ${o.error.kind}: ${words}`;
  return `Out of GPU memory: ${need}${limitWords}. ${advice}. ${said}. Nothing after the error was recorded; the training worker was restarted.`;
}

/**
 * A fault the e2e tests (or a person checking the handling) ask the studio to provoke.
 * 'gpu-device-lost': GPUDevice.destroy() in a training run after the given step of the given epoch
 * (1-based), or in a prediction once its first model is loaded.
 * 'gpu-memory-check-off': a training run skips the memory check before it (core/train/memoryCheck.ts),
 * so a batch the estimate refuses reaches the GPU, which refuses its buffer for real.
 */
export type FaultPlan = { kind: 'gpu-device-lost'; job: 'train' | 'predict'; epoch: number; step: number } | { kind: 'gpu-memory-check-off' };

/**
 * Reads the page's `fault` query parameter: `gpu-device-lost:train:<epoch>:<step>`,
 * `gpu-device-lost:predict` or `gpu-memory-check-off`. Anything else is no fault (the studio never
 * provokes one unasked).
 */
export function parseFaultFlag(search: string): FaultPlan | null {
  const value = new URLSearchParams(search).get('fault');
  if (value === 'gpu-memory-check-off') return { kind: 'gpu-memory-check-off' };
  const m = value ? /^gpu-device-lost:(?:train:(\d+):(\d+)|(predict))$/.exec(value) : null;
  if (!m) return null;
  if (m[3]) return { kind: 'gpu-device-lost', job: 'predict', epoch: 0, step: 0 };
  return { kind: 'gpu-device-lost', job: 'train', epoch: Number(m[1]), step: Number(m[2]) };
}
