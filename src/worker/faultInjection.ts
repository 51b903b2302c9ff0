/**
 * The one way in for provoked faults (docs/reliability.md). Inert unless the page was opened with a
 * `fault` query parameter (src/core/gpuFaults.ts parseFaultFlag): the page then sends the plan in an
 * 'inject-fault' message to each training and predict worker it starts, and the worker provokes the
 * fault for real at the planned point — GPUDevice.destroy() on the webgpu backend's device, which
 * the browser reports exactly as a device lost to a driver reset (device.lost resolves, work is
 * dropped, reads fail). On another backend there is no device and nothing happens. Or, asked for,
 * it lets a training run skip its memory check, so that the GPU refuses a too-large batch itself.
 */
import type { FaultPlan } from '../core/gpuFaults';
import { gpuDevice } from './gpuDevice';

let plan: FaultPlan | null = null;

export function armFault(p: FaultPlan): void {
  plan = p;
}

/** Whether the page asked runs to skip the memory check before them (so the GPU itself refuses a batch). */
export const memoryCheckOff = (): boolean => plan?.kind === 'gpu-memory-check-off';

/** Destroys the GPU device if the plan says so at this point; once per worker. */
export function faultPoint(job: 'train' | 'predict', at: { epoch: number; step: number } = { epoch: 0, step: 0 }): void {
  if (!plan || plan.kind !== 'gpu-device-lost' || plan.job !== job) return;
  if (job === 'train' && (at.epoch !== plan.epoch || at.step !== plan.step)) return;
  const device = gpuDevice();
  if (!device) return;
  plan = null;
  device.destroy();
}
