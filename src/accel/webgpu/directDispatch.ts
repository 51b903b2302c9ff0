/// <reference types="@webgpu/types" />
/**
 * A studio compute pass encoded straight into tfjs-backend-webgpu's command stream, writing
 * existing tensors in place.
 *
 * A tfjs webgpu program has one output and allocates it: an update of three arrays (Adam's w, m
 * and v) is three dispatches and three new tensors, which JavaScript must then assign and dispose.
 * A direct dispatch binds the tensors' own GPU buffers read-write and runs one shader over them.
 * It joins tfjs's stream exactly as tfjs's own programs do (backend_webgpu.js `recordAndSubmit`,
 * tfjs 4.22): the same command encoder and compute pass, so the GPU runs it after everything
 * queued before it and before everything queued after it; the tensors it touches are marked as
 * owned by the queue, so a dispose before the next submit is deferred as for tfjs's own; and it
 * counts towards WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE.
 *
 * Writing in place is only safe for a tensor whose data nothing else shares: `exclusive()` says
 * so (reference count 1). Callers fall back to their tfjs program otherwise, and while tf.profile
 * or tf.time is timing kernels (those time tfjs programs one by one).
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';

/** The parts of tfjs-backend-webgpu 4.22's backend that tfjs's own recordAndSubmit uses. */
interface BackendInternals {
  device: GPUDevice;
  commandEncoder: GPUCommandEncoder | null;
  computePassEncoder: GPUComputePassEncoder | null;
  dispatchCountInPass: number;
  commandQueueOwnedIds: WeakSet<object>;
  activeTimers: unknown[] | null;
  tensorMap: { get(id: object): { resource: unknown; refCount: number; values?: unknown } | undefined };
  uploadToGPU(id: object): void;
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
  makeUniforms(u: Array<{ type: string; data: number[] }>): { offset: number; size: number; buffer: GPUBuffer };
}

const internals = (be: WebGPUBackend) => be as unknown as BackendInternals;

/** The active backend as webgpu with what a direct dispatch needs, or null (another backend, or timing kernels). */
export function directBackend(): WebGPUBackend | null {
  if (tf.getBackend() !== 'webgpu') return null;
  const be = internals(tf.backend() as WebGPUBackend);
  const ok =
    typeof be.ensureCommandEncoderReady === 'function' &&
    typeof be.endComputePassEncoder === 'function' &&
    typeof be.submitQueue === 'function' &&
    typeof be.makeUniforms === 'function' &&
    typeof be.uploadToGPU === 'function' &&
    be.commandQueueOwnedIds instanceof WeakSet &&
    be.tensorMap !== undefined &&
    be.device !== undefined;
  return ok && be.activeTimers == null ? (be as unknown as WebGPUBackend) : null;
}

/** Whether `t`'s data belongs to `t` alone, so that writing it in place changes nothing else. */
export function exclusive(be: WebGPUBackend, t: tf.TensorInfo): boolean {
  return internals(be).tensorMap.get(t.dataId)?.refCount === 1;
}

/**
 * Drops the CPU copies of tensors about to be written in place. tfjs keeps a tensor's values once
 * read back (tensor.data()) and answers later reads from them; after an in-place write those would
 * be the old values (a checkpoint reading last epoch's weights). Tensors without a GPU buffer keep
 * theirs (there the values are the data).
 */
export function dropCpuValues(be: WebGPUBackend, ts: tf.TensorInfo[]): void {
  for (const t of ts) {
    const d = internals(be).tensorMap.get(t.dataId);
    if (d?.resource) d.values = null;
  }
}

/** `t`'s GPU buffer (uploaded first if its values are still on the CPU). */
export function bufferOf(be: WebGPUBackend, t: tf.TensorInfo): GPUBuffer {
  const b = internals(be);
  b.uploadToGPU(t.dataId);
  const resource = b.tensorMap.get(t.dataId)?.resource;
  if (!(resource instanceof GPUBuffer)) throw new Error(`tensor [${t.shape}] ${t.dtype} is not held in a GPU buffer`);
  return resource;
}

/**
 * A uniform buffer holding `data` (float32 fields), released by tfjs after the next submit, as
 * tfjs's own: so bind it to one dispatch only (a later dispatch may land after that submit, when
 * the buffer is back in tfjs's pool and may be rewritten).
 */
export function uniformsOf(be: WebGPUBackend, data: number[]): GPUBufferBinding {
  const u = internals(be).makeUniforms(data.map((x) => ({ type: 'float32', data: [x] })));
  return { buffer: u.buffer, offset: u.offset, size: u.size };
}

const pipelines = new WeakMap<GPUDevice, Map<string, GPUComputePipeline>>();

/** A compute pipeline for `code` (entry point `main`), compiled once per device and key. */
export function directPipeline(be: WebGPUBackend, key: string, code: () => string): GPUComputePipeline {
  const device = internals(be).device;
  let cache = pipelines.get(device);
  if (!cache) pipelines.set(device, (cache = new Map()));
  let p = cache.get(key);
  if (!p)
    cache.set(
      key,
      (p = device.createComputePipeline({
        label: key,
        layout: 'auto',
        compute: { module: device.createShaderModule({ label: key, code: code() }), entryPoint: 'main' },
      })),
    );
  return p;
}

/** The per-dimension workgroup limit WebGPU guarantees. */
const MAX_GROUPS = 65535;

/**
 * Workgroups for `threads` threads of `workgroup` each: [x, y] with x ≤ 65,535. A shader indexes
 * thread i as `id.x + id.y * nwg.x * workgroup` (nwg: the num_workgroups builtin) and returns
 * when i is past the end.
 */
export function groupsFor(threads: number, workgroup: number): [number, number] {
  const groups = Math.ceil(threads / workgroup);
  if (groups <= MAX_GROUPS) return [Math.max(1, groups), 1];
  const y = Math.ceil(groups / MAX_GROUPS);
  return [Math.ceil(groups / y), y];
}

/**
 * Encodes one dispatch of `pipeline` with `entries` (binding i → entries[i]) into tfjs's stream.
 * `touches`: the tensors it reads or writes, marked as owned by the queue until the next submit.
 */
export function dispatchDirect(
  be: WebGPUBackend,
  pipeline: GPUComputePipeline,
  entries: GPUBindingResource[],
  groups: [number, number],
  touches: tf.TensorInfo[],
): void {
  const b = internals(be);
  const bindGroup = b.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: entries.map((resource, binding) => ({ binding, resource })) });
  for (const t of touches) b.commandQueueOwnedIds.add(t.dataId);
  dropCpuValues(be, touches);
  b.ensureCommandEncoderReady();
  if (!b.computePassEncoder) b.computePassEncoder = b.commandEncoder!.beginComputePass({});
  const pass = b.computePassEncoder;
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  pass.dispatchWorkgroups(groups[0], groups[1], 1);
  b.dispatchCountInPass++;
  if (b.dispatchCountInPass >= (tf.env().get('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE') as number)) {
    b.endComputePassEncoder();
    b.submitQueue();
  }
}
