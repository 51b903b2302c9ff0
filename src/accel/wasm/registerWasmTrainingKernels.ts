/**
 * Lets the wasm backend train convolutional networks: registers, through tfjs's public kernel
 * registry, the convolution gradient kernels tfjs 4.22 lacks for wasm (Conv2DBackpropFilter,
 * DepthwiseConv2dNativeBackpropFilter, DepthwiseConv2dNativeBackpropInput) and replaces its slow
 * Conv2DBackpropInput. Each is composed of wasm kernels that are fast (forward convolutions,
 * matMul, pad/reshape/4-D transpose/contiguous slice/concat); see convTaps.ts. It also replaces
 * tfjs's MaxPoolGrad, which is wrong for all-negative windows (maxPoolGrad.ts), and installs a
 * SELU forward kernel (ELU-based: faster and more accurate than tfjs's) and a one-pass Selu
 * gradient for wasm (selu.ts; other backends keep tfjs's). The filter gradient's im2col, the
 * per-image input normalisation, bias-gradient sums and padding are JavaScript loops on the wasm
 * heap (im2col.ts, perImageStandardize.ts, leadingSum.ts, constantPad.ts): in tfjs's own kernels
 * they cost more than the convolutions they surround.
 *
 * Browser worker: `await tf.setBackend('wasm'); registerWasmTrainingKernels();` (or
 * `await setupWasmTraining(tf)`). Registration may also come before the backend starts.
 */
import * as tf from '@tensorflow/tfjs';
import type * as tfType from '@tensorflow/tfjs';
import { conv2dBackpropFilterConfig } from './conv2dBackpropFilter';
import { conv2dBackpropInputConfig } from './conv2dBackpropInput';
import { depthwiseBackpropFilterConfig } from './depthwiseBackpropFilter';
import { depthwiseBackpropInputConfig } from './depthwiseBackpropInput';
import { constantPadConfig } from './constantPad';
import { im2colTConfig } from './im2col';
import { leadingSumConfig } from './leadingSum';
import { maxPoolGradConfig } from './maxPoolGrad';
import { perImageStandardizeConfig } from './perImageStandardize';
import { installSeluGradient, restoreSeluGradient, seluGradKernelConfig, seluKernelConfig } from './selu';

export const WASM_TRAINING_KERNELS: readonly tf.KernelConfig[] = [
  im2colTConfig,
  conv2dBackpropFilterConfig,
  conv2dBackpropInputConfig,
  depthwiseBackpropFilterConfig,
  depthwiseBackpropInputConfig,
  maxPoolGradConfig,
  seluKernelConfig,
  seluGradKernelConfig,
  perImageStandardizeConfig,
];

/**
 * Kernels that take over the cases training hits from tfjs's own and hand every other case back
 * to it: Sum over leading axes (bias gradients, leadingSum.ts) and float32 constant padding
 * (constantPad.ts). Installed only where tfjs-backend-wasm has registered its own.
 */
const WRAPPERS: ReadonlyArray<readonly [string, (own: tf.KernelConfig) => tf.KernelConfig]> = [
  [tf.Sum, leadingSumConfig],
  [tf.PadV2, constantPadConfig],
];
/** The wrappers installed, by kernel name. */
const wrapped = new Map<string, tf.KernelConfig>();

/** The kernels tfjs itself had registered under these names, restored by unregister. */
const replaced = new Map<string, tf.KernelConfig>();

/** Registers (or re-registers) the training kernels for 'wasm'. Returns their names. Idempotent. */
export function registerWasmTrainingKernels(): string[] {
  for (const k of WASM_TRAINING_KERNELS) {
    const existing = tf.getKernel(k.kernelName, 'wasm');
    if (existing === k) continue;
    if (existing) {
      if (!replaced.has(k.kernelName)) replaced.set(k.kernelName, existing);
      tf.unregisterKernel(k.kernelName, 'wasm');
    }
    tf.registerKernel(k);
  }
  for (const [name, wrap] of WRAPPERS) {
    const existing = tf.getKernel(name, 'wasm');
    if (!existing || existing === wrapped.get(name)) continue;
    if (!replaced.has(name)) replaced.set(name, existing);
    tf.unregisterKernel(name, 'wasm');
    const w = wrap(replaced.get(name)!);
    wrapped.set(name, w);
    tf.registerKernel(w);
  }
  installSeluGradient();
  return [...WASM_TRAINING_KERNELS.map((k) => k.kernelName), ...wrapped.keys()];
}

/** Removes the training kernels and puts back the ones tfjs had registered. */
export function unregisterWasmTrainingKernels(): void {
  for (const k of WASM_TRAINING_KERNELS) {
    if (tf.getKernel(k.kernelName, 'wasm') !== k) continue;
    tf.unregisterKernel(k.kernelName, 'wasm');
    const original = replaced.get(k.kernelName);
    if (original) tf.registerKernel(original);
  }
  for (const [name, w] of wrapped) {
    if (tf.getKernel(name, 'wasm') !== w) continue;
    tf.unregisterKernel(name, 'wasm');
    const original = replaced.get(name);
    if (original) tf.registerKernel(original);
  }
  wrapped.clear();
  replaced.clear();
  restoreSeluGradient();
}

/**
 * Switches `tf` to the wasm backend and registers the training kernels. Resolves to false (and
 * leaves the backend unchanged) when wasm cannot start, e.g. the .wasm files are not served.
 * Call setWasmPaths/setThreadsCount from @tensorflow/tfjs-backend-wasm before this.
 */
export async function setupWasmTraining(tfInstance: typeof tfType): Promise<boolean> {
  registerWasmTrainingKernels();
  const ok = await tfInstance.setBackend('wasm');
  if (ok) await tfInstance.ready();
  return ok && tfInstance.getBackend() === 'wasm';
}
