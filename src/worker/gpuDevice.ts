/**
 * The webgpu backend's device as the worker watches it: its loss and its errors that no error scope
 * caught. Apart from backend.ts (which starts the watch when it selects webgpu) so that the jobs
 * that read it (runTraining.ts, predictRun.ts, faultInjection.ts) do not load every backend.
 */
import * as tf from '@tensorflow/tfjs';
import { isGpuMemoryError, type DeviceLost, type GpuError } from '../core/gpuFaults';

interface GpuDeviceLike {
  lost: Promise<{ reason: string; message: string }>;
  addEventListener(type: 'uncapturederror', listener: (e: { error: { constructor: { name: string }; message: string } }) => void): void;
  destroy(): void;
}

/** The webgpu backend's device, or null on another backend. */
export function gpuDevice(): GpuDeviceLike | null {
  if (tf.getBackend() !== 'webgpu') return null;
  return (tf.backend() as unknown as { device?: GpuDeviceLike }).device ?? null;
}

/**
 * What the worker's GPU device has reported: its loss (device.lost resolves: a driver reset,
 * another tab's crash, destroy()) and its first error outside any error scope (a buffer over the
 * adapter's limits is a validation error that tfjs-backend-webgpu 4.22 neither scopes nor throws:
 * the step computes garbage). A run reads these after each step and before it records anything.
 */
let deviceLost: DeviceLost | null = null;
let deviceError: GpuError | null = null;
const watched = new WeakSet<object>();

/** Starts watching the running webgpu backend's device (once per device). */
export function watchGpuDevice(): void {
  const device = gpuDevice();
  if (!device || watched.has(device)) return;
  watched.add(device);
  void device.lost.then((info) => {
    deviceLost = { reason: info.reason || 'unknown', message: info.message || '' };
  });
  device.addEventListener('uncapturederror', (e) => {
    const kind =
      e.error.constructor.name === 'GPUOutOfMemoryError' ? 'out-of-memory' : e.error.constructor.name === 'GPUInternalError' ? 'internal' : 'validation';
    deviceError ??= { kind, message: e.error.message };
    // A step with a buffer the GPU refused goes on computing garbage, as long as a real step takes
    // (minutes on a software adapter): the worker gives its device up at once, which drops that
    // work; the run ends with the memory error and the page replaces the worker.
    if (isGpuMemoryError(deviceError)) device.destroy();
  });
}

/** The loss of this worker's GPU device, once it happened. */
export const gpuDeviceLost = (): DeviceLost | null => deviceLost;
/** The first GPU error nobody scoped since the last call, or null (a run takes it at its start to begin clean). */
export function takeGpuDeviceError(): GpuError | null {
  const e = deviceError;
  deviceError = null;
  return e;
}
/** The first GPU error nobody scoped, or null. */
export const gpuDeviceError = (): GpuError | null => deviceError;
