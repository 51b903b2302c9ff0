/**
 * The wasm backend for the Node CLI, set up to train: loads the .wasm binaries from
 * node_modules/@tensorflow/tfjs-backend-wasm/dist by file path, then registers src/accel's
 * speed-ups for wasm (its convolution gradient kernels among them).
 *
 * Threads: tfjs-backend-wasm 4.22 never uses its threaded build in Node (its
 * WASM_HAS_MULTITHREAD_SUPPORT flag returns false when IS_NODE; tfjs issue 3830), so Node runs
 * the single-threaded SIMD binary whatever `threads` says; `threads` is passed on to
 * setThreadsCount for the day that changes and reported back as what actually ran.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerAccel } from '../accel/registry';
import { registerWasmTrainingKernels } from '../accel/wasm/registerWasmTrainingKernels';

export interface WasmBackendInfo {
  /** threads XNNPACK really uses (1 in Node with tfjs 4.22) */
  threads: number;
  simd: boolean;
  kernels: string[];
}

let pathsSet = false;

/** The folder holding tfjs-backend-wasm's .wasm files, with a trailing slash. */
export function wasmBinaryDir(): string {
  const require = createRequire(import.meta.url);
  // the package's "main" lies in dist/; resolve it rather than assume where node_modules is
  return join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '/');
}

/** Makes wasm the active tfjs backend, ready to train convolutions. Throws if wasm cannot start. */
export async function useWasmBackend(opts: { threads?: number } = {}): Promise<WasmBackendInfo> {
  if (!pathsSet && tf.findBackend('wasm') === null) {
    setWasmPaths(wasmBinaryDir());
    if (opts.threads !== undefined) setThreadsCount(opts.threads);
    pathsSet = true;
  }
  registerAccel('wasm'); // the flags, src/accel/wasm's kernels, the fused Adam and the studio's gradients
  const kernels = registerWasmTrainingKernels(); // registered already: their names
  if (!(await tf.setBackend('wasm'))) throw new Error(`the wasm backend did not start (binaries looked for in ${wasmBinaryDir()})`);
  await tf.ready();
  return { threads: getThreadsCount(), simd: (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) as boolean, kernels };
}
