/// <reference types="@webgpu/types" />
/**
 * Values made on the CPU reach the GPU through `queue.writeBuffer`, not through a new staging
 * buffer each.
 *
 * Every tensor made from JavaScript values (a batch, its labels, the index table of the
 * augmentation gather, a dropout mask, and each number an op turns into a scalar: `tf.sub(1, p)`,
 * `tf.mul(x, 255)`) is uploaded when a kernel first reads it. tfjs-backend-webgpu 4.22's
 * `uploadToGPU` takes a buffer from its pool, then creates a new mapped staging buffer, copies the
 * values into it, encodes a buffer-to-buffer copy and destroys the staging buffer after the next
 * submit: a `createBuffer` and a `destroy` per upload, and the copy ends the compute pass. A
 * GAPNet-PL training step made 26 such uploads (21 of them scalars); on an H200 host the step's
 * `uploadToGPU` took 12 ms of JavaScript out of 57 (bench/results/gpu-h200-summary.md).
 *
 * Here the pooled buffer is written by `queue.writeBuffer`: no new buffer, no copy command, the pass
 * goes on. Order: a write lands on the queue before the commands still being encoded (tfjs submits
 * them later), so it must not touch a buffer those commands use. A pooled buffer is never one of
 * them: tfjs defers the release of any tensor a pending command reads or writes until that command
 * is submitted (`commandQueueOwnedIds`), and the studio's direct dispatches mark theirs the same
 * way (./directDispatch.ts). The one path that writes a pooled buffer from the pending commands
 * is tfjs's own staged copy, whose tensor may be disposed before the submit; so when uploads
 * switch back from tfjs's path to this one (the HPA_UPLOAD_WRITE_BUFFER flag turned on again) the
 * pending commands are submitted first.
 *
 * `installWriteBufferUpload()` patches the active webgpu backend (an instance, made by
 * tf.setBackend); `verifyWriteBufferUpload()` checks it on this GPU and restores tfjs's path on a
 * mismatch. The flag HPA_UPLOAD_WRITE_BUFFER (default true) switches it per upload, for the
 * bench's before/after.
 */
import * as tf from '@tensorflow/tfjs';
import { accelFlag, setAccelFlag, WRITE_BUFFER_UPLOAD_FLAG } from '../flags';

interface TensorData {
  values: ArrayLike<number> | null;
  dtype: tf.DataType;
  shape: number[];
  resource: unknown;
}

/** The parts of tfjs-backend-webgpu 4.22's backend that its own uploadToGPU uses. */
interface UploadInternals {
  device: GPUDevice;
  commandEncoder: GPUCommandEncoder | null;
  tensorMap: { get(id: object): TensorData | undefined };
  bufferManager: { acquireBuffer(size: number, usage: number, mappedAtCreation?: boolean, reuse?: boolean): GPUBuffer };
  uploadToGPU(id: object): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
}

const PATCHED = Symbol('hpaWriteBufferUpload');
type Patched = UploadInternals & { [PATCHED]?: (id: object) => void };

let written = 0;
/** Uploads that went through queue.writeBuffer since the page or worker started (for the status line and the bench). */
export const writeBufferUploads = (): number => written;

/** The values as the typed array their GPU buffer holds: f32 for float32, i32 for int32 and bool. */
function asStored(d: TensorData, n: number): Float32Array | Int32Array | null {
  const v = d.values;
  if (v == null) return null;
  if (d.dtype === 'float32') return v instanceof Float32Array ? v.subarray(0, n) : Float32Array.from(v as ArrayLike<number>).subarray(0, n);
  if (d.dtype === 'int32' || d.dtype === 'bool') return v instanceof Int32Array ? v.subarray(0, n) : Int32Array.from(v as ArrayLike<number>).subarray(0, n);
  return null; // complex64 and string keep tfjs's path
}

function activeWebGpu(): Patched | null {
  if (tf.getBackend() !== 'webgpu') return null;
  const be = tf.backend() as unknown as Patched;
  const ok =
    typeof be.uploadToGPU === 'function' &&
    typeof be.endComputePassEncoder === 'function' &&
    typeof be.submitQueue === 'function' &&
    typeof be.bufferManager?.acquireBuffer === 'function' &&
    be.tensorMap !== undefined &&
    be.device?.queue !== undefined;
  return ok ? be : null;
}

/**
 * Patches the active webgpu backend's uploads (see the file's comment). Returns whether it is in
 * place: false on another backend, or where tfjs's internals are not what this was written for.
 */
export function installWriteBufferUpload(): boolean {
  const be = activeWebGpu();
  if (!be) return false;
  if (be[PATCHED]) return true;
  const original = be.uploadToGPU;
  let lastWasTfjs = false;
  be[PATCHED] = original;
  be.uploadToGPU = function (this: Patched, dataId: object) {
    const d = this.tensorMap.get(dataId);
    if (!d || d.resource != null) return original.call(this, dataId);
    const n = d.shape.reduce((a, b) => a * b, 1);
    const values = n > 0 && accelFlag(WRITE_BUFFER_UPLOAD_FLAG) ? asStored(d, n) : null;
    if (!values) {
      if (d.values != null) lastWasTfjs = true;
      return original.call(this, dataId);
    }
    if (lastWasTfjs && this.commandEncoder) {
      // a staged copy of tfjs's may still be pending into a buffer now back in the pool
      this.endComputePassEncoder();
      this.submitQueue();
    }
    lastWasTfjs = false;
    const buffer = this.bufferManager.acquireBuffer(values.byteLength, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST);
    this.device.queue.writeBuffer(buffer, 0, values as unknown as BufferSource);
    d.values = null; // as tfjs: once uploaded, the values are not kept on the CPU
    d.resource = buffer;
    written++;
  };
  return true;
}

/** Puts tfjs's own upload back on the active webgpu backend. */
export function uninstallWriteBufferUpload(): void {
  const be = activeWebGpu();
  const original = be?.[PATCHED];
  if (!be || !original) return;
  be.uploadToGPU = original;
  delete be[PATCHED];
}

/** Whether the active backend's uploads go through queue.writeBuffer. */
export const hasWriteBufferUpload = (): boolean => activeWebGpu()?.[PATCHED] !== undefined;

/**
 * Checks the patched upload on this GPU: float32 (a view at an offset into a larger array), int32,
 * bool, a scalar, and a buffer reused from tfjs's pool right after a pending kernel read its last
 * owner, each read back through a kernel. Returns null when every value came back, else what went
 * wrong (and tfjs's own upload is back). Not on webgpu, or not installed: null, nothing to check.
 */
export async function verifyWriteBufferUpload(): Promise<string | null> {
  if (!hasWriteBufferUpload()) return null;
  const before = written;
  let problem: string | null = null;
  const flag = accelFlag(WRITE_BUFFER_UPLOAD_FLAG);
  setAccelFlag(WRITE_BUFFER_UPLOAD_FLAG, true); // the check is of the patched path, whatever the flag says
  try {
    const big = new Float32Array(1030).map((_, i) => i * 0.5 - 100);
    const view = big.subarray(3, 1027); // 1,024 values from an offset of 12 bytes
    const ints = new Int32Array(1024).map((_, i) => (i * 7919) ^ 0x5a5a5a);
    const bools = new Uint8Array(1024).map((_, i) => (i % 3 === 0 ? 1 : 0));
    const checks: Array<[string, () => tf.Tensor, ArrayLike<number>]> = [
      ['float32 view', () => tf.add(tf.tensor1d(view), 0), view],
      ['int32', () => tf.add(tf.tensor1d(ints, 'int32'), tf.scalar(0, 'int32')), ints],
      ['bool', () => tf.cast(tf.tensor1d(bools, 'bool'), 'int32'), bools],
      ['scalar', () => tf.mul(tf.scalar(3.25), tf.scalar(-2)), [-6.5]],
    ];
    for (const [name, make, want] of checks) {
      const t = tf.tidy(make);
      const got = await t.data();
      t.dispose();
      const bad = Array.from(want).findIndex((w, i) => got[i] !== w);
      if (got.length !== want.length || bad >= 0) {
        problem = `${name}: value ${bad} came back as ${got[bad]}, expected ${want[bad]}`;
        break;
      }
    }
    if (!problem) {
      // a buffer back in the pool from a tensor a pending kernel read, then written at once
      const a = tf.tensor1d(new Float32Array(1024).fill(1));
      const r1 = tf.mul(a, 2);
      a.dispose(); // deferred by tfjs until r1's kernel is submitted
      const b = tf.tensor1d(new Float32Array(1024).fill(5));
      const r2 = tf.mul(b, 2);
      const [g1, g2] = await Promise.all([r1.data(), r2.data()]);
      tf.dispose([b, r1, r2]);
      if (g1.some((x) => x !== 2) || g2.some((x) => x !== 10)) problem = `pooled buffer: read ${g1[0]} and ${g2[0]}, expected 2 and 10`;
    }
    if (!problem && written === before) problem = 'no upload went through queue.writeBuffer';
  } catch (e) {
    problem = e instanceof Error ? e.message : String(e);
  } finally {
    setAccelFlag(WRITE_BUFFER_UPLOAD_FLAG, flag);
  }
  if (problem) uninstallWriteBufferUpload();
  return problem;
}
