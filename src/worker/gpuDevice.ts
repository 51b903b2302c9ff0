/**
 * The webgpu backend's device as the worker watches it: its loss and its errors that no error scope
 * caught. Apart from backend.ts (which starts the watch when it selects webgpu) so that the jobs
 * that read it (runTraining.ts, predictRun.ts, faultInjection.ts) do not load every backend.
 */
import * as tf from '@tensorflow/tfjs';
import { isGpuMemoryError, type DeviceLost, type GpuError } from '../core/gpuFaults';

interface GpuBufferDescriptorLike {
  size: number;
  usage: number;
}

interface GpuDeviceLike {
  lost: Promise<{ reason: string; message: string }>;
  limits: { maxBufferSize: number; maxStorageBufferBindingSize: number };
  createBuffer(descriptor: GpuBufferDescriptorLike): unknown;
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

/** GPUBufferUsage.STORAGE: a buffer tfjs binds whole to a shader, so the binding limit holds for it too. */
const STORAGE_USAGE = 0x0080;

/** Thrown where tfjs asks for a buffer the device's limits refuse: the step stops there, before any of it reaches the GPU. */
export class GpuBufferRefused extends Error {}

/**
 * Refuses, in the worker, a buffer over the device's limits. The GPU would refuse it too, but only
 * as an uncaptured validation error after tfjs had queued the rest of the step (minutes of work on a
 * software adapter that the GPU process still drains for the next worker's device). Thrown here, the
 * step ends at that op and nothing else is queued.
 */
function refuseBuffersOverLimits(device: GpuDeviceLike): void {
  const create = device.createBuffer.bind(device);
  const { maxBufferSize, maxStorageBufferBindingSize } = device.limits;
  device.createBuffer = (descriptor) => {
    const storage = (descriptor.usage & STORAGE_USAGE) !== 0 && descriptor.size > maxStorageBufferBindingSize;
    if (descriptor.size > maxBufferSize || storage) {
      const [name, limit] = descriptor.size > maxBufferSize ? ['maxBufferSize', maxBufferSize] : ['maxStorageBufferBindingSize', maxStorageBufferBindingSize];
      const message = `buffer size (${descriptor.size}) exceeds the device's ${name} limit (${limit}); refused before it reached the GPU`;
      deviceError ??= { kind: 'limit', message };
      throw new GpuBufferRefused(`GPU buffer refused: ${message}`);
    }
    return create(descriptor);
  };
}

/** Starts watching the running webgpu backend's device (once per device). */
export function watchGpuDevice(): void {
  const device = gpuDevice();
  if (!device || watched.has(device)) return;
  watched.add(device);
  refuseBuffersOverLimits(device);
  void device.lost.then((info) => {
    deviceLost = { reason: info.reason || 'unknown', message: info.message || '' };
  });
  device.addEventListener('uncapturederror', (e) => {
    const kind =
      e.error.constructor.name === 'GPUOutOfMemoryError' ? 'out-of-memory' : e.error.constructor.name === 'GPUInternalError' ? 'internal' : 'validation';
    deviceError ??= { kind, message: e.error.message };
    // Out of memory (a buffer within the limits that the GPU still could not place): the step goes
    // on computing garbage. The worker gives its device up at once so that no more is queued; the
    // run ends with the memory error and the page replaces the worker.
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
