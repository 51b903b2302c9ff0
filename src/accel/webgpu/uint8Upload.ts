/**
 * Image batches go to the GPU as bytes and become float32 there.
 *
 * Stored pixels are uint8, but tfjs has no uint8 dtype: `tf.tensor(uint8Array, shape, 'float32')`
 * first widens every value to a float in JavaScript (a new Float32Array, 4 bytes a pixel) and then
 * uploads that. At the stored 256 px a batch of 32 is 8.4 M values: 33.5 MB written by the main
 * loop of the worker and sent over the bus, for 8.4 MB of information.
 *
 * Here the bytes travel as they are: the Uint8Array is viewed (no copy) as an int32 tensor of a
 * quarter the length, uploaded, and one compute shader writes each byte out as a float:
 * out[4k + j] = f32((word[k] >> 8·j) & 255) — little-endian, as every WebGPU platform is.
 * Exact for every byte value (integers are exact in float32 up to 2^24).
 *
 * Only on webgpu: int32 tensors there are i32 storage buffers, so the bits arrive intact. On webgl
 * an int32 texture holds floats (a packed word above 2^24 would round) and on wasm/cpu there is no
 * upload to save, so those backends keep the plain path. batchTensor (augment.ts) takes this path
 * (uint8Tensor there) whenever the active backend has UINT8_TO_FLOAT32 registered.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { hasUint8Upload, UINT8_TO_FLOAT32, uint8Tensor } from '../../core/augment';
import { namedProgram } from './elementwise';

const WORKGROUP = 64;

/**
 * One thread per 4-byte word: it reads the word once and writes its four values (no division per
 * byte; on SwiftShader, where invocations run on the CPU, a quarter of the threads matters).
 */
function program(size: number): WebGPUProgram {
  const words = Math.ceil(size / 4);
  return namedProgram('HpaUint8ToFloat32', {
    variableNames: ['x'],
    outputShape: [size],
    shaderKey: 'hpaUint8ToFloat32Word',
    dispatchLayout: { x: [0] },
    // the backend splits a dispatch over its per-dimension limit (65,535 workgroups) itself
    dispatch: [Math.ceil(words / WORKGROUP), 1, 1],
    workgroupSize: [WORKGROUP, 1, 1],
    size: true,
    getUserCode: () => `
      fn main(index : i32) {
        let first = index * 4;
        if (first < uniforms.size) {
          let word = x[index];
          setOutputAtIndex(first, f32(word & 255));
          if (first + 1 < uniforms.size) { setOutputAtIndex(first + 1, f32((word >> 8u) & 255)); }
          if (first + 2 < uniforms.size) { setOutputAtIndex(first + 2, f32((word >> 16u) & 255)); }
          if (first + 3 < uniforms.size) { setOutputAtIndex(first + 3, f32((word >> 24u) & 255)); }
        }
      }
    `,
  });
}

export const uint8ToFloat32WebGpuConfig: tf.KernelConfig = {
  kernelName: UINT8_TO_FLOAT32,
  backendName: 'webgpu',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const x = inputs.x as tf.TensorInfo;
    const size = (attrs as { size: number }).size;
    if (x.dtype !== 'int32' || x.shape.length !== 1 || x.shape[0] * 4 < size || (x.shape[0] - 1) * 4 >= size) {
      throw new RangeError(`${UINT8_TO_FLOAT32}: expected int32 [${Math.ceil(size / 4)}] holding ${size} bytes, got ${x.dtype} [${x.shape}]`);
    }
    return (backend as WebGPUBackend).runWebGPUProgram(program(size), [x], 'float32');
  },
};

/** Registers the kernel for webgpu (idempotent); call before training on webgpu. */
export function registerWebGpuUint8Upload(): void {
  if (!tf.getKernel(UINT8_TO_FLOAT32, 'webgpu')) tf.registerKernel(uint8ToFloat32WebGpuConfig);
}

/**
 * Checks the byte upload on the active backend against tfjs's own float conversion: every byte value,
 * a length that is not a whole number of words, and a view at an odd offset. On a mismatch (a driver
 * that gets the shader wrong) the kernel is unregistered, so batches take the plain path.
 * Returns null when the byte path is on and checked, else why it is off.
 */
export async function verifyUint8Upload(): Promise<string | null> {
  const backend = tf.getBackend();
  if (!hasUint8Upload()) return `not available on ${backend}`;
  const base = new Uint8Array(3 + 256 * 3 + 2);
  for (let i = 0; i < base.length; i++) base[i] = (i * 167 + 13) & 255;
  for (let v = 0; v < 256; v++) base[3 + v] = v;
  const bytes = base.subarray(3, 3 + 256 * 3 + 1); // odd offset, 769 values
  const got = uint8Tensor(bytes, [bytes.length]);
  try {
    const values = await got.data();
    const bad = Array.from(bytes).findIndex((b, i) => values[i] !== b);
    if (bad < 0) return null;
    tf.unregisterKernel(UINT8_TO_FLOAT32, backend);
    return `self-check failed on ${backend} (byte ${bad}: ${bytes[bad]} came back as ${values[bad]}); batches upload as float32`;
  } finally {
    got.dispose();
  }
}
