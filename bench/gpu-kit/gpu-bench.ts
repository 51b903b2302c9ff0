/**
 * The GPU kit's benchmark (bundled by bench/gpu-kit/make-kit.sh into gpu-bench.mjs): GapNet
 * training steps on tfjs-backend-webgpu in Node through Dawn (the `webgpu` npm package, loaded
 * from node_modules/webgpu next to the bundle), the same step as bench/lib/trainSteps.ts.
 *   ./node gpu-bench.mjs [--model gapnet-pl] [--size 128] [--batch 32] [--warmup 3] [--steps 10] [--kernels studio|tfjs] [--pipeline] [--trainer] [--flag NAME=VALUE] [--gpu-time N] [--dawn backend=vulkan]
 * --kernels tfjs times tfjs's own Adam, SELU gradient and conv filter gradient (the studio before its own kernels), for a before/after pair.
 * --pipeline reads each loss one step late (step i+1 queued before step i's loss is awaited), as the studio's trainer does; without it every loss is awaited.
 * --trainer times the studio's own loop instead (src/core/train/trainer.ts: uint8 batches from memory, augmentation, each
 *   loss read one step late): the interval between two losses after the warm-ups. --augment none turns off its random crop
 *   position, flips and turns (the batch goes through as it is), to see what augmentation costs in the loop.
 *   --fresh-batches cuts every batch into a new buffer instead of reusing the one the trainer gave back (the before).
 * --flag NAME=VALUE sets a tfjs flag (e.g. WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE=30; repeatable).
 * --gpu-time N adds N steps timed kernel by kernel on the GPU (timestamp queries; pass
 *   --dawn enable-dawn-features=allow_unsafe_apis where Dawn hides the feature): GPU-busy ms per step and the costliest kernel types.
 * Prints one JSON line.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { verifyFusedAdam } from '../../src/accel/fusedAdam';
import { registerWebGpuConv2dFilterGrad, verifyConv2dFilterGrad } from '../../src/accel/webgpu/conv2dFilterGrad';
import { registerWebGpuSeluGrad, verifySeluGrad } from '../../src/accel/webgpu/seluGrad';
import { registerWebGpuAlphaDropout, verifyAlphaDropout } from '../../src/accel/webgpu/alphaDropout';
import { registerWebGpuFocalLoss, verifyFocalLoss } from '../../src/accel/webgpu/focalLoss';
import { adoptMatMulConvInputGrad } from '../../src/accel/webgpu/conv2dInputGrad';
import { registerWebGpuConvInputGradAsConv, verifyConvInputGradAsConv } from '../../src/accel/webgpu/convInputGradAsConv';
import { registerWebGpuColumnReduce, verifyColumnReduce } from '../../src/accel/webgpu/columnReduce';
import { useChunkSumLanes, verifyChunkSum } from '../../src/accel/webgpu/chunkSum';
import { isSoftwareAdapter } from '../../src/accel/webgpu/softwareAdapter';
import { registerWebGpuUint8Upload, verifyUint8Upload } from '../../src/accel/webgpu/uint8Upload';
import { installWriteBufferUpload, verifyWriteBufferUpload } from '../../src/accel/webgpu/writeBufferUpload';
import { makeLoss } from '../../src/core/losses';
import { createModel } from '../../src/core/models/registry';
import { memoryBatchSource } from '../../src/core/train/batchSource';
import { train } from '../../src/core/train/trainer';
import { verifyStepReplay } from '../../src/accel/webgpu/replayCheck';
import { CONV_INPUT_GRAD_AS_CONV_FLAG, NAIVE_CONV_INPUT_GRAD_FLAG, registerAccelFlags, STEP_REPLAY_FLAG } from '../../src/accel/flags';
import { timeStepKernels, timeTraining, type TrainTiming } from '../lib/trainSteps';

/**
 * The studio's own loop on warmup + steps batches of random bytes held in memory (the stored-image
 * path minus storage): img/s from the intervals between losses after the warm-ups.
 */
async function timeTrainer(
  model: 'gapnet-pl' | 'gapnet-kaggle',
  size: number,
  batch: number,
  warmup: number,
  steps: number,
  augment: boolean,
  freshBatches: boolean,
): Promise<TrainTiming> {
  const C = 28;
  const n = batch * (warmup + steps);
  const images = new Uint8Array(n * size * size * 4);
  let r = 12345;
  for (let i = 0; i < images.length; i++) images[i] = (r = (r * 1103515245 + 12345) >>> 0) >>> 24;
  const labels = new Uint8Array(n * C);
  for (let i = 0; i < n; i++) labels[i * C + (i % C)] = 1;
  const pooled = memoryBatchSource(
    { images, imageSize: size, channels: 4, labels, numClasses: C },
    { trainRows: Array.from({ length: n }, (_, i) => i), valRows: [0] },
  );
  // --fresh-batches: every batch cut into a new buffer, as before the trainer gave used ones back (src/core/bufferPool.ts)
  const source = freshBatches ? { ...pooled, release: undefined } : pooled;
  const m = createModel(model, { inputSize: size, seed: 1 });
  const at: number[] = [];
  const loss: number[] = [];
  let replayed = 0;
  let replayOff: string | null = null;
  const t0 = performance.now();
  await train(m, source, {
    phases: [{ name: 'bce', epochs: 1, loss: makeLoss({ kind: 'bce' }), lr: 1e-3 }],
    batchSize: batch,
    seed: 1,
    augment: { size, mode: 'crop', flips: augment, rotate90: augment },
    callbacks: [
      { onBatchEnd: (_c, logs) => void (at.push(performance.now()), loss.push(logs.loss), (replayed = logs.stepsReplayed), (replayOff = logs.replayOff)) },
    ],
  });
  const params = m.countParams();
  m.dispose();
  const steady = at.slice(Math.max(0, warmup - 1));
  return {
    backend: tf.getBackend(),
    params,
    firstStepMs: at[0] - t0,
    stepMs: steady.slice(1).map((t, i) => t - steady[i]),
    warmups: warmup,
    loss,
    encodeMs: [],
    kernels: 'studio',
    replay: { replayed, off: replayOff },
  };
}

const { values: o } = parseArgs({
  options: {
    model: { type: 'string', default: 'gapnet-pl' },
    size: { type: 'string', default: '128' },
    batch: { type: 'string', default: '32' },
    warmup: { type: 'string', default: '3' },
    steps: { type: 'string', default: '10' },
    kernels: { type: 'string', default: 'studio' },
    pipeline: { type: 'boolean', default: false },
    trainer: { type: 'boolean', default: false },
    augment: { type: 'string', default: 'crop' },
    'fresh-batches': { type: 'boolean', default: false },
    dawn: { type: 'string', multiple: true, default: [] },
    flag: { type: 'string', multiple: true, default: [] },
    'gpu-time': { type: 'string', default: '0' },
  },
});

// Dawn's globals (GPUBufferUsage...) and navigator.gpu must exist before tfjs-backend-webgpu loads:
// it registers the 'webgpu' backend only when navigator.gpu is there.
const dawnModule = 'webgpu';
const { create, globals } = (await import(dawnModule)) as { create(flags: string[]): unknown; globals: Record<string, unknown> };
Object.assign(globalThis, globals);
const gpu = create(o.dawn!) as { requestAdapter(): Promise<{ info?: Record<string, string> } | null> };
Object.defineProperty(globalThis, 'navigator', { value: { ...(globalThis.navigator ?? {}), gpu }, configurable: true, writable: true });
await import('@tensorflow/tfjs-backend-webgpu');
const adapter = await gpu.requestAdapter();
if (!adapter) throw new Error('no WebGPU adapter: is the NVIDIA Vulkan driver installed (vulkaninfo)? see bench/README.md');
if (!(await tf.setBackend('webgpu'))) throw new Error('tfjs webgpu backend did not start');
await tf.ready();
registerAccelFlags();
const flags: Record<string, number | boolean> = {};
for (const f of o.flag!) {
  const [name, value] = f.split('=');
  if (!name || value === undefined) throw new Error(`--flag ${f}: expected NAME=VALUE`);
  flags[name] = value === 'true' ? true : value === 'false' ? false : Number(value);
  if (typeof flags[name] === 'number' && !Number.isFinite(flags[name])) throw new Error(`--flag ${f}: the value is not a number or true/false`);
}
tf.env().setFlags(flags);
const model = o.model === 'gapnet-kaggle' ? 'gapnet-kaggle' : 'gapnet-pl';
const size = Number(o.size),
  batch = Number(o.batch);
const kernels = o.kernels === 'tfjs' ? 'tfjs' : 'studio';
// uploads by queue.writeBuffer, not a staging buffer each (src/worker/backend.ts installs the same; HPA_UPLOAD_WRITE_BUFFER=false: tfjs's)
const writeUploadCheck = installWriteBufferUpload() ? ((await verifyWriteBufferUpload()) ?? 'passed') : 'not installed';
// the fused Adam's WGSL against tfjs's Adam on this GPU; on a mismatch it is off and tfjs's Adam runs
const adamCheck = (await verifyFusedAdam()) ?? 'passed';
// the studio's other webgpu kernels (src/worker/backend.ts registers the same)
registerWebGpuUint8Upload();
const uint8Check = (await verifyUint8Upload()) ?? 'passed';
registerWebGpuSeluGrad();
const seluGradCheck = (await verifySeluGrad()) ?? 'passed';
registerWebGpuAlphaDropout();
const alphaDropoutCheck = (await verifyAlphaDropout()) ?? 'passed';
registerWebGpuFocalLoss();
const focalLossCheck = (await verifyFocalLoss()) ?? 'passed';
// the split reductions' second pass, in lanes and one thread per value; then lanes on a GPU, one thread per value on a
// software adapter (SwiftShader: the kit's self-check here), as the studio's start check decides (src/worker/startChecks.ts)
const chunkSumCheck = (await verifyChunkSum()) ?? 'passed';
if (chunkSumCheck === 'passed') useChunkSumLanes(!isSoftwareAdapter(adapter.info ?? {}));
registerWebGpuColumnReduce();
const columnReduceCheck = (await verifyColumnReduce()) ?? 'passed';
registerWebGpuConv2dFilterGrad();
const convFilterGradCheck = (await verifyConv2dFilterGrad()) ?? 'passed';
// tfjs's matrix-multiply conv input gradient, checked against its naive one (flags: WEBGPU_USE_NAIVE_CONV2D_TRANSPOSE=true is the before)
const convInputGradCheck = NAIVE_CONV_INPUT_GRAD_FLAG in flags ? 'left as --flag set it' : ((await adoptMatMulConvInputGrad()) ?? 'passed');
// conv input gradients as forward convolutions (stride 2: one per parity of dx), against tfjs's kernel (HPA_CONV_INPUT_GRAD_AS_CONV=false is the before)
registerWebGpuConvInputGradAsConv();
const convInputAsConvCheck = flags[CONV_INPUT_GRAD_AS_CONV_FLAG] === false ? 'off' : ((await verifyConvInputGradAsConv()) ?? 'passed');
// the step replay against steps built by tfjs, bit for bit (src/accel/webgpu/replayCheck.ts); HPA_STEP_REPLAY=false is the before
const replayCheck = kernels === 'tfjs' || flags[STEP_REPLAY_FLAG] === false ? 'off' : ((await verifyStepReplay()) ?? 'passed');
if (o.augment !== 'crop' && o.augment !== 'none') throw new Error(`--augment ${o.augment}: expected crop or none`);
const t = o.trainer
  ? await timeTrainer(model, size, batch, Number(o.warmup), Number(o.steps), o.augment === 'crop', o['fresh-batches'])
  : await timeTraining({ model, size, batch, warmup: Number(o.warmup), steps: Number(o.steps), budgetMs: 600_000, kernels, pipeline: o.pipeline });
const gpuSteps = Number(o['gpu-time']);
const gpuTime = gpuSteps > 0 ? await timeStepKernels({ model, size, batch, kernels }, gpuSteps) : undefined;
const enc = [...t.encodeMs].sort((a, b) => a - b);
const s = [...t.stepMs].sort((a, b) => a - b);
const median = s[s.length >> 1];
process.stdout.write(
  JSON.stringify({
    backend: tf.getBackend(),
    tfjs: tf.version.tfjs,
    adapter: Object.fromEntries(['vendor', 'architecture', 'device', 'description'].map((k) => [k, adapter.info?.[k] ?? ''])),
    model,
    size,
    batch,
    kernels,
    pipeline: o.pipeline,
    flags,
    timestampQuery: (adapter as { features?: Set<string> }).features?.has('timestamp-query') ?? false,
    adamCheck,
    writeUploadCheck,
    seluGradCheck,
    alphaDropoutCheck,
    focalLossCheck,
    chunkSumCheck,
    columnReduceCheck,
    convFilterGradCheck,
    convInputGradCheck,
    convInputAsConvCheck,
    replayCheck,
    uint8Check,
    replay: t.replay,
    params: t.params,
    firstStepMs: t.firstStepMs,
    stepMs: t.stepMs,
    medianMs: median,
    encodeMedianMs: enc.length ? enc[enc.length >> 1] : undefined,
    trainer: o.trainer,
    augment: o.trainer ? o.augment : undefined,
    imgPerS: (batch * 1000) / median,
    gpuTime,
  }) + '\n',
);
