/**
 * Lets the wasm backend train convolutional networks: registers, through tfjs's public kernel
 * registry, the convolution gradient kernels tfjs 4.22 lacks for wasm (Conv2DBackpropFilter,
 * DepthwiseConv2dNativeBackpropFilter, DepthwiseConv2dNativeBackpropInput) and replaces its slow
 * Conv2DBackpropInput. Each is composed of wasm kernels that are fast (forward convolutions,
 * matMul, pad/reshape/4-D transpose/contiguous slice/concat); see convTaps.ts. It also replaces
 * tfjs's MaxPoolGrad, which is wrong for all-negative windows (maxPoolGrad.ts), and installs a
 * one-pass Selu gradient for wasm (seluGrad.ts; other backends keep tfjs's).
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
import { maxPoolGradConfig } from './maxPoolGrad';
import { seluGradientConfig, seluGradKernelConfig } from './seluGrad';

export const WASM_TRAINING_KERNELS: readonly tf.KernelConfig[] = [
  conv2dBackpropFilterConfig,
  conv2dBackpropInputConfig,
  depthwiseBackpropFilterConfig,
  depthwiseBackpropInputConfig,
  maxPoolGradConfig,
  seluGradKernelConfig,
];

/** The kernels tfjs itself had registered under these names, restored by unregister. */
const replaced = new Map<string, tf.KernelConfig>();
/** tfjs's Selu gradient and the one installed in its place. */
let originalSelu: tf.GradConfig | undefined;
let installedSelu: tf.GradConfig | undefined;

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
  const current = tf.getGradient(tf.Selu);
  if (current && current !== installedSelu) {
    originalSelu = current;
    installedSelu = seluGradientConfig(current);
    tf.registerGradient(installedSelu);
  }
  return WASM_TRAINING_KERNELS.map((k) => k.kernelName);
}

/** Removes the training kernels and puts back the ones tfjs had registered. */
export function unregisterWasmTrainingKernels(): void {
  for (const k of WASM_TRAINING_KERNELS) {
    if (tf.getKernel(k.kernelName, 'wasm') !== k) continue;
    tf.unregisterKernel(k.kernelName, 'wasm');
    const original = replaced.get(k.kernelName);
    if (original) tf.registerKernel(original);
  }
  replaced.clear();
  if (originalSelu && tf.getGradient(tf.Selu) === installedSelu) tf.registerGradient(originalSelu);
  originalSelu = installedSelu = undefined;
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
