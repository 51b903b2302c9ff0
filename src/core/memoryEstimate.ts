/**
 * How much memory a training run will take, estimated before it starts, and whether that fits the
 * backend: refuse a run that cannot fit, and name a batch that would.
 *
 * What is counted (float32 throughout, as tfjs trains):
 *  - weights: every parameter, trainable or not (BatchNorm's moving statistics included);
 *  - gradients: one per trainable parameter, all alive together once the backward pass ends and
 *    before Adam applies them (tfjs's optimizer.minimize computes every gradient, then updates);
 *  - Adam's state: two moments per trainable parameter (m and v). Each phase makes a new Adam, so the
 *    phase with the most trainable parameters counts (a transfer run's fine-tune, not its warm-up);
 *  - activations kept for the backward pass: tfjs computes the gradients inside one tidy scope, so
 *    every tensor the forward pass made stays alive until the last gradient is taken — not only the
 *    layer outputs but each kernel's intermediates (a BatchNorm in training makes its batch mean,
 *    x − mean, its square and the normalised output; a conv its output, the bias added, the activation;
 *    tf.profile's kernel list of one step shows it). So the kept bytes are TAPE_FACTOR × the sum of the
 *    layer outputs for the batch, the factor measured on the cpu backend (below). A reshape or flatten
 *    shares its input's data and counts nothing; a dropout keeps its mask beside its output (×2);
 *  - the backward pass's working set: the gradient of the layer being differentiated and of its input
 *    exist beside the kept activations, so twice the largest layer output is added.
 * Not counted: a kernel's own temporaries (a convolution's im2col matrix on a backend that builds one),
 * tfjs's buffer pool keeping freed buffers for reuse, the images held for the data pipeline.
 * Calibrated against tf.profile's peak bytes of one training step on the cpu backend (memoryEstimate.test.ts
 * and the figures in its header).
 *
 * A backend's limits: on WebGPU a single tensor must fit one buffer and one storage binding
 * (the adapter's maxBufferSize and maxStorageBufferBindingSize, which tfjs-backend-webgpu asks the
 * device for), so the largest tensor decides; the GPU's total memory is not exposed to a page, so the
 * total is compared with a budget that only warns. On WebAssembly every tensor lives in the module's
 * heap, which tfjs-backend-wasm 4.22's build lets grow to 4 GiB − 64 KiB (getHeapMax() returns
 * 4294901760 in tf-backend-wasm.js, the threaded build's shared memory has maximum 4 GiB): a hard limit.
 */

/** A layer as describeModel (core/models/registry.ts) gives it. */
export interface LayerFootprint {
  name: string;
  /** tfjs class name, e.g. 'Conv2D', 'Flatten' */
  type: string;
  /** the layer's output shape(s) with the batch dimension as null */
  outputShape: (number | null)[] | (number | null)[][];
  params: number;
}

export interface MemoryEstimate {
  batchSize: number;
  weightsBytes: number;
  gradientBytes: number;
  adamBytes: number;
  /** activations kept for the backward pass, for the whole batch */
  activationBytes: number;
  /** the backward pass's working set (twice the largest layer output) */
  backwardBytes: number;
  totalBytes: number;
  /** the largest single tensor: the largest layer output for the batch, or the largest weight */
  largestTensorBytes: number;
  largestTensorName: string;
  /** bytes that grow with every image of the batch (activations and backward working set per image) */
  bytesPerImage: number;
  /** bytes that do not depend on the batch (weights, gradients, Adam) */
  fixedBytes: number;
}

export const BYTES_PER_FLOAT = 4;
/**
 * Bytes kept by tfjs's tape per byte of layer output (see the header), measured with tf.profile's peak
 * bytes of one Adam step on the cpu backend: memoryEstimate.test.ts holds the measurement.
 */
export const TAPE_FACTOR = 7;
/** tfjs-backend-wasm 4.22's largest heap (getHeapMax in its Emscripten glue). */
export const WASM_HEAP_MAX_BYTES = 4_294_901_760;
/**
 * A WebGPU run above this total gets a warning, not a refusal: a page cannot read how much memory a
 * GPU has, and 4 GB is what many laptop GPUs (and integrated ones sharing system memory) can give a tab.
 */
export const WEBGPU_TOTAL_BUDGET_BYTES = 4e9;

function elements(shape: (number | null)[]): number {
  return shape.reduce<number>((n, d) => n * (d ?? 1), 1);
}

function outputs(l: LayerFootprint): (number | null)[][] {
  const s = l.outputShape;
  return Array.isArray(s[0]) ? (s as (number | null)[][]) : [s as (number | null)[]];
}

/** How many copies of its output a layer keeps for the backward pass (see the header). */
function keptCopies(type: string): number {
  if (type === 'Flatten' || type === 'Reshape') return 0;
  if (/Dropout/.test(type)) return 2;
  return 1;
}

/**
 * The estimate for one batch size. `trainableParams`: the most parameters any phase of the run
 * trains; `weightShapes`, if given, finds the largest single weight (a VGG16 dense kernel can be
 * larger than any activation).
 */
export function estimateTrainingMemory(
  layers: LayerFootprint[],
  o: { batchSize: number; trainableParams: number; largestWeight?: { name: string; elements: number } },
): MemoryEstimate {
  const params = layers.reduce((s, l) => s + l.params, 0);
  let perImage = 0;
  let largest = 0;
  let largestName = '';
  for (const l of layers) {
    for (const shape of outputs(l)) {
      const n = elements(shape.slice(1));
      perImage += keptCopies(l.type) * n * BYTES_PER_FLOAT;
      if (n > largest) [largest, largestName] = [n, l.name];
    }
  }
  const b = o.batchSize;
  const activationBytes = TAPE_FACTOR * perImage * b;
  const backwardBytes = 2 * largest * BYTES_PER_FLOAT * b;
  const weightsBytes = params * BYTES_PER_FLOAT;
  const gradientBytes = o.trainableParams * BYTES_PER_FLOAT;
  const adamBytes = 2 * o.trainableParams * BYTES_PER_FLOAT;
  const fixedBytes = weightsBytes + gradientBytes + adamBytes;
  let largestTensorBytes = largest * BYTES_PER_FLOAT * b;
  let largestTensorName = `${largestName}'s output`;
  if (o.largestWeight && o.largestWeight.elements * BYTES_PER_FLOAT > largestTensorBytes) {
    largestTensorBytes = o.largestWeight.elements * BYTES_PER_FLOAT;
    largestTensorName = `the weight ${o.largestWeight.name}`;
  }
  return {
    batchSize: b,
    weightsBytes,
    gradientBytes,
    adamBytes,
    activationBytes,
    backwardBytes,
    totalBytes: fixedBytes + activationBytes + backwardBytes,
    largestTensorBytes,
    largestTensorName,
    bytesPerImage: TAPE_FACTOR * perImage + 2 * largest * BYTES_PER_FLOAT,
    fixedBytes,
  };
}

/** What the backend can hold; absent fields are not checked. */
export interface MemoryLimits {
  backend: string;
  /** WebGPU: the adapter's maxBufferSize and maxStorageBufferBindingSize */
  maxBufferSize?: number;
  maxStorageBufferBindingSize?: number;
  /** every tensor of the run together, and whether exceeding it refuses the run (wasm heap) or warns (a GPU budget) */
  total?: { bytes: number; hard: boolean; what: string };
}

/** The limits the studio assumes for a backend, given what the device reports. */
export function backendLimits(backend: string, device: { maxBufferSize?: number; maxStorageBufferBindingSize?: number } = {}): MemoryLimits {
  if (backend === 'wasm') return { backend, total: { bytes: WASM_HEAP_MAX_BYTES, hard: true, what: 'the WebAssembly heap holds at most' } };
  if (backend === 'webgpu')
    return {
      backend,
      maxBufferSize: device.maxBufferSize,
      maxStorageBufferBindingSize: device.maxStorageBufferBindingSize,
      total: { bytes: WEBGPU_TOTAL_BUDGET_BYTES, hard: false, what: 'many GPUs give a page no more than' },
    };
  return { backend };
}

export interface MemoryVerdict {
  /** 'refuse': the run cannot fit; 'warn': it may not (a budget, not a limit); 'ok' */
  verdict: 'ok' | 'warn' | 'refuse';
  estimate: MemoryEstimate;
  /** the largest power-of-two batch (≤ the asked one) that fits, or null when even batch 1 does not */
  suggestedBatch: number | null;
  /** a sentence naming the numbers, or null when 'ok' */
  message: string | null;
}

/** "9.8 GB", "512 MB" */
export function formatBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} GB`;
  if (n >= 1e6) return `${Math.round(n / 1e6)} MB`;
  return `${Math.max(1, Math.round(n / 1e3))} kB`;
}

/**
 * Compares a run's estimate with the backend's limits. `estimateFor(batch)` gives the estimate at
 * another batch size (to find the suggestion). `what` names the run: "MobileNetV2 at 224 px".
 */
export function checkMemory(estimateFor: (batchSize: number) => MemoryEstimate, batchSize: number, limits: MemoryLimits, what: string): MemoryVerdict {
  const singleLimit = [limits.maxBufferSize, limits.maxStorageBufferBindingSize].filter((x): x is number => typeof x === 'number' && x > 0);
  const tensorCap = singleLimit.length ? Math.min(...singleLimit) : Infinity;
  const tensorLimitName =
    limits.maxStorageBufferBindingSize !== undefined && tensorCap === limits.maxStorageBufferBindingSize
      ? "the adapter's maxStorageBufferBindingSize"
      : "the adapter's maxBufferSize";
  const breaks = (e: MemoryEstimate, hardOnly: boolean) =>
    e.largestTensorBytes > tensorCap || (limits.total !== undefined && (limits.total.hard || !hardOnly) && e.totalBytes > limits.total.bytes);
  const estimate = estimateFor(batchSize);
  const hard = breaks(estimate, true);
  const soft = !hard && breaks(estimate, false);
  if (!hard && !soft) return { verdict: 'ok', estimate, suggestedBatch: batchSize, message: null };
  let suggestedBatch: number | null = null;
  for (let b = 2 ** Math.floor(Math.log2(Math.max(1, batchSize - 1))); b >= 1 && b < batchSize; b /= 2) {
    if (!breaks(estimateFor(b), false)) {
      suggestedBatch = b;
      break;
    }
  }
  const run = `${what}, batch ${batchSize}`;
  let why: string;
  if (estimate.largestTensorBytes > tensorCap) {
    why = `${run} makes a single tensor of about ${formatBytes(estimate.largestTensorBytes)} (${estimate.largestTensorName}); ${tensorLimitName} is ${formatBytes(tensorCap)}`;
  } else {
    const t = limits.total!;
    why = `${run} needs about ${formatBytes(estimate.totalBytes)} (activations ${formatBytes(estimate.activationBytes + estimate.backwardBytes)}, weights, gradients and Adam ${formatBytes(estimate.fixedBytes)}); ${t.what} ${formatBytes(t.bytes)}`;
  }
  const advice =
    suggestedBatch !== null
      ? `try batch ${suggestedBatch}`
      : batchSize === 1
        ? 'try a smaller input size'
        : `even batch 1 ${estimateFor(1).largestTensorBytes > tensorCap ? 'makes too large a tensor' : 'does not fit'}: try a smaller input size`;
  return { verdict: hard ? 'refuse' : 'warn', estimate, suggestedBatch, message: `${why}: ${advice}.` };
}
