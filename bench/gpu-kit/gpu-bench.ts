/**
 * The GPU kit's benchmark (bundled by bench/gpu-kit/make-kit.sh into gpu-bench.mjs): GapNet
 * training steps on tfjs-backend-webgpu in Node through Dawn (the `webgpu` npm package, loaded
 * from node_modules/webgpu next to the bundle), the same step as bench/lib/trainSteps.ts.
 *   ./node gpu-bench.mjs [--model gapnet-pl|gapnet-kaggle|mobilenetv2|resnet50] [--channels widen] [--head seed] [--size 128] [--batch 32] [--warmup 3] [--steps 10] [--kernels studio|tfjs] [--pipeline] [--trainer] [--flag NAME=VALUE] [--gpu-time N] [--dawn backend=vulkan]
 * --kernels tfjs times tfjs's own Adam, SELU gradient and conv filter gradient (the studio before its own kernels), for a before/after pair.
 * --pipeline reads each loss one step late (step i+1 queued before step i's loss is awaited), as the studio's trainer does; without it every loss is awaited.
 * --trainer times the studio's own loop instead (src/core/train/trainer.ts: uint8 batches from memory, augmentation, each
 *   loss read one step late): the interval between two losses after the warm-ups. --augment none turns off its random crop
 *   position, flips and turns (the batch goes through as it is), to see what augmentation costs in the loop.
 *   --fresh-batches cuts every batch into a new buffer instead of reusing the one the trainer gave back (the before).
 * --flag NAME=VALUE sets a tfjs flag (e.g. WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE=30; repeatable).
 * --gpu-time N adds N steps timed kernel by kernel on the GPU (timestamp queries; pass
 *   --dawn enable-dawn-features=allow_unsafe_apis where Dawn hides the feature): GPU-busy ms per step and the costliest kernel types.
 * --channels and --head (mobilenetv2 and resnet50 only): the four-channel option (widen, rgb, adapter) and the head (seed, gap);
 *   the studio's defaults (widen, seed) when absent, as torch_cuda_step.py's.
 * Prints one JSON line.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import type { AccelId } from '../../src/accel/entries';
import { CONV_INPUT_GRAD_AS_CONV_FLAG, NAIVE_CONV_INPUT_GRAD_FLAG, STEP_REPLAY_FLAG } from '../../src/accel/flags';
import { registerAccel, startChecksFor } from '../../src/accel/registry';
import { isSoftwareAdapter } from '../../src/accel/webgpu/softwareAdapter';
import { makeLoss } from '../../src/core/losses';
import { memoryBatchSource } from '../../src/core/train/batchSource';
import { train } from '../../src/core/train/trainer';
import { accelTraining } from '../../src/accel/training';
import { benchModel, forwardMacs, timeStepKernels, timeTraining, type BenchModel, type TransferSpec, type TrainTiming } from '../lib/trainSteps';

/**
 * The studio's own loop on warmup + steps batches of random bytes held in memory (the stored-image
 * path minus storage): img/s from the intervals between losses after the warm-ups.
 */
async function timeTrainer(
  model: BenchModel,
  transfer: TransferSpec,
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
  const m = await benchModel(model, size, transfer);
  const macs = forwardMacs(m);
  const at: number[] = [];
  const loss: number[] = [];
  let replayed = 0;
  let replayOff: string | null = null;
  const t0 = performance.now();
  await train(m, source, {
    ...accelTraining,
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
    macs,
    replay: { replayed, off: replayOff },
  };
}

const { values: o } = parseArgs({
  options: {
    model: { type: 'string', default: 'gapnet-pl' },
    channels: { type: 'string' },
    head: { type: 'string' },
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
registerAccel('webgpu'); // the flags and the speed-ups, as a worker's backend start registers them
const flags: Record<string, number | boolean> = {};
for (const f of o.flag!) {
  const [name, value] = f.split('=');
  if (!name || value === undefined) throw new Error(`--flag ${f}: expected NAME=VALUE`);
  flags[name] = value === 'true' ? true : value === 'false' ? false : Number(value);
  if (typeof flags[name] === 'number' && !Number.isFinite(flags[name])) throw new Error(`--flag ${f}: the value is not a number or true/false`);
}
tf.env().setFlags(flags);
const MODELS: BenchModel[] = ['gapnet-pl', 'gapnet-kaggle', 'mobilenetv2', 'resnet50'];
if (!MODELS.includes(o.model as BenchModel)) throw new Error(`--model ${o.model}: expected one of ${MODELS.join(', ')}`);
const model = o.model as BenchModel;
const transfer: TransferSpec = {};
if (o.channels !== undefined) {
  if (!['widen', 'rgb', 'adapter'].includes(o.channels)) throw new Error(`--channels ${o.channels}: expected widen, rgb or adapter`);
  transfer.channels = o.channels as TransferSpec['channels'];
}
if (o.head !== undefined) {
  if (!['seed', 'gap'].includes(o.head)) throw new Error(`--head ${o.head}: expected seed or gap`);
  transfer.head = o.head as TransferSpec['head'];
}
const size = Number(o.size),
  batch = Number(o.batch);
const kernels = o.kernels === 'tfjs' ? 'tfjs' : 'studio';
// every start check of src/accel for webgpu, in the registry's order, as a worker's backend start runs
// them (src/worker/startChecks.ts): 'passed', or why the speed-up is off. Left out where --flag or
// --kernels asks for the before: the step replay (HPA_STEP_REPLAY=false, --kernels tfjs), conv input
// gradients as forward convolutions (HPA_CONV_INPUT_GRAD_AS_CONV=false), and tfjs's matrix-multiply
// input gradient when --flag sets tfjs's naive one. Lanes in the split sums' second pass on a GPU,
// one thread per value on a software adapter (SwiftShader: the kit's self-check).
const leftOut = (id: AccelId): string | null => {
  if (id === 'step replay') return kernels === 'tfjs' || flags[STEP_REPLAY_FLAG] === false ? 'off' : null;
  if (id === 'conv input gradient as a convolution') return flags[CONV_INPUT_GRAD_AS_CONV_FLAG] === false ? 'off' : null;
  if (id === 'conv input gradient') return NAIVE_CONV_INPUT_GRAD_FLAG in flags ? 'left as --flag set it' : null;
  return null;
};
const checks: Partial<Record<AccelId, string>> = {};
for (const c of startChecksFor({ backend: 'webgpu', softwareAdapter: isSoftwareAdapter(adapter.info ?? {}) }))
  checks[c.id] = leftOut(c.id) ?? (await c.run()) ?? 'passed';
// the names earlier runs of the kit gave the checks in its JSON line (run.sh and device-run.sh print them)
const CHECK_KEYS: Partial<Record<AccelId, string>> = {
  'fused Adam': 'adamCheck',
  'writeBuffer upload': 'writeUploadCheck',
  'SELU gradient': 'seluGradCheck',
  AlphaDropout: 'alphaDropoutCheck',
  'fused loss': 'focalLossCheck',
  'chunk sum': 'chunkSumCheck',
  'column reduce': 'columnReduceCheck',
  'conv filter gradient': 'convFilterGradCheck',
  'conv input gradient': 'convInputGradCheck',
  'conv input gradient as a convolution': 'convInputAsConvCheck',
  'step replay': 'replayCheck',
  'byte upload': 'uint8Check',
};
const namedChecks = Object.fromEntries(Object.entries(checks).flatMap(([id, r]) => (CHECK_KEYS[id as AccelId] ? [[CHECK_KEYS[id as AccelId], r]] : [])));
if (o.augment !== 'crop' && o.augment !== 'none') throw new Error(`--augment ${o.augment}: expected crop or none`);
const t = o.trainer
  ? await timeTrainer(model, transfer, size, batch, Number(o.warmup), Number(o.steps), o.augment === 'crop', o['fresh-batches'])
  : await timeTraining({ model, ...transfer, size, batch, warmup: Number(o.warmup), steps: Number(o.steps), budgetMs: 600_000, kernels, pipeline: o.pipeline });
const gpuSteps = Number(o['gpu-time']);
const gpuTime = gpuSteps > 0 ? await timeStepKernels({ model, ...transfer, size, batch, kernels }, gpuSteps) : undefined;
const enc = [...t.encodeMs].sort((a, b) => a - b);
const s = [...t.stepMs].sort((a, b) => a - b);
const median = s[s.length >> 1];
process.stdout.write(
  JSON.stringify({
    backend: tf.getBackend(),
    tfjs: tf.version.tfjs,
    adapter: Object.fromEntries(['vendor', 'architecture', 'device', 'description'].map((k) => [k, adapter.info?.[k] ?? ''])),
    model,
    ...transfer,
    size,
    batch,
    kernels,
    pipeline: o.pipeline,
    flags,
    timestampQuery: (adapter as { features?: Set<string> }).features?.has('timestamp-query') ?? false,
    ...namedChecks,
    checks,
    replay: t.replay,
    params: t.params,
    macs: t.macs,
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
