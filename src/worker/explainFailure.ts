/**
 * A backend error as a sentence with what to do about it. Out of memory is told by the words the
 * backends throw: WebAssembly's heap growing past its maximum (Emscripten's "Cannot enlarge memory",
 * "OOM", WebAssembly.Memory.grow's RangeError), JavaScript's typed arrays on the cpu backend ("Array
 * buffer allocation failed", "Invalid typed array length"), a GPU's "out of memory". A WebGPU buffer
 * over the device's limits is not thrown by tfjs-backend-webgpu 4.22 (its validation error goes
 * to the console and the step computes garbage, or the device is lost): the check before the run
 * (core/train/memoryCheck.ts) is what refuses those.
 */
const OUT_OF_MEMORY =
  /out of memory|\bOOM\b|failed to allocate|allocation failed|exceeds the max|too large|Cannot enlarge memory|Maximum memory size exceeded|Memory\.grow|Invalid typed array length|Invalid array buffer length|larger than the maximum binding size/i;

export function explainFailure(e: unknown, batchSize: number, inputSize: number, backend?: string): string {
  const msg = e instanceof Error ? e.message : String(e);
  if (OUT_OF_MEMORY.test(msg)) {
    const what = backend === 'wasm' ? 'The WebAssembly heap' : backend === 'cpu' ? "The page's memory" : 'The GPU';
    return `${what} ran out of memory (${msg}). Try a smaller batch (now ${batchSize}) or input size (now ${inputSize} px); the last checkpoint is kept and the run can resume.`;
  }
  if (/device (was |is )?lost|GPUDevice.*lost|context lost|CONTEXT_LOST/i.test(msg)) {
    return `The GPU device was lost (${msg}). Choose another backend in the status bar and resume from the last checkpoint.`;
  }
  return msg;
}
