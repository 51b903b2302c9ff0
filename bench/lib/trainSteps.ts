/**
 * The training-step loop every bench backend runs (Node wasm/cpu, and the browser bench worker):
 * createModel from the studio's registry, a fixed random batch, Adam 1e-3 (the studio's fused
 * Adam, or tfjs's own for the before/after rows), BCE on the sigmoid outputs,
 * `optimizer.minimize` per step, awaiting the loss so the step's work is really done.
 * The same step as bench/torch_ref.py's reference. Pure tfjs: runs in Node and in a Worker.
 */
import * as tf from '@tensorflow/tfjs';
import { createModel, type ModelOptions } from '../../src/core/models/registry';
import { createAdam } from '../../src/accel/fusedAdam';
import { installStudioGradients, restoreStudioGradients } from '../../src/accel/gradients/studioGradients';
import { SELU_GRAD } from '../../src/accel/wasm/selu';
import { ALPHA_DROPOUT } from '../../src/core/models/layers/seededDropout';
import { bce } from '../../src/core/losses';
import { CONV_INPUT_GRAD_AS_CONV_FLAG, FUSED_LOSS_FLAG, NAIVE_CONV_INPUT_GRAD_FLAG, STEP_REPLAY_FLAG } from '../../src/accel/flags';
import { accelTraining } from '../../src/accel/training';
import { StepReplayer } from '../../src/accel/webgpu/stepReplay';
import type { StepResult } from '../../src/core/train/stepRunner';
import { hasWebGpuColumnReduce, registerWebGpuColumnReduce, restoreTfjsColumnReduce } from '../../src/accel/webgpu/columnReduce';
import { hasWebGpuConv2dFilterGrad, registerWebGpuConv2dFilterGrad, restoreTfjsConv2dFilterGrad } from '../../src/accel/webgpu/conv2dFilterGrad';
import { predict, ttaTransforms, type TtaPreset } from '../../src/core/predict';

/** The models the bench trains: the GAPNets, and the transfer backbones of bench/transfer.ts. */
export type BenchModel = 'gapnet-pl' | 'gapnet-kaggle' | 'mobilenetv2' | 'resnet50';

/** Transfer models only (createModel's fourChannels and head; the studio's defaults when absent). */
export interface TransferSpec {
  channels?: 'rgb' | 'widen' | 'adapter';
  head?: 'seed' | 'gap';
}

export interface TrainSpec extends TransferSpec {
  model: BenchModel;
  size: number;
  batch: number;
  warmup: number;
  steps: number;
  /** stop timing after this many ms (first step included); fewer steps are then reported */
  budgetMs: number;
  /**
   * 'studio' (default): the studio's kernels. 'tfjs': the studio before issue #9's own kernels,
   * for the before/after rows — tfjs's Adam (not src/accel/fusedAdam.ts) and, on webgpu,
   * tfjs's SELU gradient and conv filter gradient (not src/accel/webgpu/seluGrad.ts and
   * conv2dFilterGrad.ts), AlphaDropout as tfjs ops (not src/accel/webgpu/alphaDropout.ts), tfjs's
   * Sum and Mean (not src/accel/webgpu/columnReduce.ts), BCE as tfjs ops (not src/accel/webgpu/focalLoss.ts), tfjs's naive
   * conv input gradient (not the matrix-multiply one, src/accel/webgpu/conv2dInputGrad.ts), and everywhere tfjs's Mean/Sum gradients (not
   * src/accel/gradients/reduceGradients.ts).
   * Uploads are the backend's in both sets (src/accel/webgpu/writeBufferUpload.ts patches the
   * backend, not a kernel): the flag HPA_UPLOAD_WRITE_BUFFER=false is their before.
   */
  kernels?: KernelSet;
  /**
   * Await each step's loss only after the next step is queued (as src/core/train/trainer.ts does),
   * so that on a GPU step i+1 is encoded while step i runs. The read itself starts right after
   * step i (before step i+1 is queued): a WebGPU read-back waits for all work submitted before it,
   * so one started later would wait for step i+1 as well. A step's time is then the interval
   * between two losses arriving. false (the default) awaits every loss, for the before/after pair.
   */
  pipeline?: boolean;
  /** tfjs flags set for this run and restored after it (e.g. HPA_ADAM_IN_PLACE: false for the in-place Adam's before) */
  flags?: Record<string, boolean | number>;
}

export type KernelSet = 'studio' | 'tfjs';
const adam = (kernels: KernelSet | undefined, lr: number) => (kernels === 'tfjs' ? tf.train.adam(lr) : createAdam(lr));

/** A tfjs flag's value, or undefined where it is not registered (a webgpu flag without the webgpu backend loaded). */
function flagValue(name: string): boolean | number | undefined {
  try {
    return tf.env().get(name) as boolean | number;
  } catch {
    return undefined;
  }
}

/**
 * Runs `f` with the studio's gradients: on webgpu its kernels (SeluGrad, the split conv filter
 * gradient) and on every backend its Mean/Sum and BatchNorm gradients; with tfjs's own when `kernels` is 'tfjs'.
 */
async function withKernels<T>(kernels: KernelSet | undefined, f: () => Promise<T>): Promise<T> {
  const own = kernels === 'tfjs' ? tf.getKernel(SELU_GRAD, 'webgpu') : undefined;
  if (own) tf.unregisterKernel(SELU_GRAD, 'webgpu');
  // the fused AlphaDropout (forward only: without it the layer runs tfjs ops, whose gradients are tfjs's)
  const ownDrop = kernels === 'tfjs' ? tf.getKernel(ALPHA_DROPOUT, 'webgpu') : undefined;
  if (ownDrop) tf.unregisterKernel(ALPHA_DROPOUT, 'webgpu');
  // by their flags: the loss as tfjs ops (src/accel/webgpu/focalLoss.ts), tfjs's default, naive conv input
  // gradient (the studio adopts the matrix-multiply one: src/accel/webgpu/conv2dInputGrad.ts, and in front of it
  // forward convolutions: convInputGradAsConv.ts) and every
  // step built by tfjs (no replay: src/accel/webgpu/stepReplay.ts); a flag
  // that is not registered (the webgpu one without that backend loaded) is left alone
  const flags =
    kernels === 'tfjs'
      ? ([
          [FUSED_LOSS_FLAG, false],
          [NAIVE_CONV_INPUT_GRAD_FLAG, true],
          [CONV_INPUT_GRAD_AS_CONV_FLAG, false],
          [STEP_REPLAY_FLAG, false],
        ] as const)
      : [];
  const flagsBefore = flags.flatMap(([k, v]) => {
    const was = flagValue(k);
    if (was === undefined) return [];
    tf.env().set(k, v);
    return [[k, was] as const];
  });
  const ownConv = kernels === 'tfjs' && hasWebGpuConv2dFilterGrad();
  if (ownConv) restoreTfjsConv2dFilterGrad();
  const ownReduce = kernels === 'tfjs' && hasWebGpuColumnReduce();
  if (ownReduce) restoreTfjsColumnReduce();
  // the studio's Mean/Sum and BatchNorm gradients (src/accel/gradients/reduceGradients.ts, batchNormGradient.ts), installed as a backend start does
  if (kernels === 'tfjs') restoreStudioGradients();
  else installStudioGradients();
  try {
    return await f();
  } finally {
    if (own) tf.registerKernel(own);
    if (ownDrop) tf.registerKernel(ownDrop);
    for (const [k, was] of flagsBefore) tf.env().set(k, was);
    if (ownConv) registerWebGpuConv2dFilterGrad();
    if (ownReduce) registerWebGpuColumnReduce();
    installStudioGradients();
  }
}

export interface TrainTiming {
  backend: string;
  params: number;
  firstStepMs: number;
  /** timed steps after the warm-ups */
  stepMs: number[];
  warmups: number;
  loss: number[];
  /** per timed step: ms until the step returned (`minimize` through tfjs, or a replay), i.e. JavaScript building and encoding the step (on webgpu the GPU runs on after it) */
  encodeMs: number[];
  /** webgpu: compute dispatches per timed step (counted at GPUComputePassEncoder.dispatchWorkgroups, tfjs's programs and the studio's direct ones alike) */
  dispatchesPerStep?: number;
  kernels: KernelSet;
  /** forward multiply-adds per image of the model's convolutions and dense layers (forwardMacs) */
  macs?: number;
  /** steps replayed from a recording (src/accel/webgpu/stepReplay.ts), and why not where none or not all were */
  replay?: { replayed: number; off: string | null };
}

export async function timeTraining(s: TrainSpec): Promise<TrainTiming> {
  const flags = Object.entries(s.flags ?? {});
  const before = flags.map(([k]) => [k, tf.env().get(k)] as const);
  for (const [k, v] of flags) tf.env().set(k, v);
  try {
    return await withKernels(s.kernels, () => timeSteps(s));
  } finally {
    for (const [k, v] of before) tf.env().set(k, v);
  }
}

/** The bench's model: the registry's, seeded; a transfer model with the spec's channels and head (else the studio's defaults). */
export async function benchModel(model: BenchModel, size: number, t: TransferSpec = {}): Promise<tf.LayersModel> {
  const options: ModelOptions = { inputSize: size, seed: 1 };
  if (t.channels) options.fourChannels = t.channels;
  if (t.head) options.head = t.head;
  // Building a widened transfer model reads its first convolution's kernel back synchronously
  // (src/core/models/transfer.ts); tfjs-webgpu reads synchronously through an OffscreenCanvas, which
  // Node (the GPU kit, on Dawn) lacks. There the model is built on the cpu backend (same seeded
  // weights), and tfjs moves each weight to webgpu at its first use.
  const noSyncRead = tf.getBackend() === 'webgpu' && typeof (globalThis as { OffscreenCanvas?: unknown }).OffscreenCanvas === 'undefined';
  if (!noSyncRead) return createModel(model, options);
  await tf.setBackend('cpu');
  try {
    return createModel(model, options);
  } finally {
    await tf.setBackend('webgpu');
  }
}

/**
 * Forward multiply-adds per image of a model's convolutions (depthwise included) and dense layers:
 * each kernel's size times its output's spatial positions (kernels are the weights of rank ≥ 2;
 * biases and BatchNorm's are vectors). What the two sides of a row compute, printed beside
 * PyTorch's count of the same (bench/torch_ref.py forward_macs).
 */
export function forwardMacs(model: tf.LayersModel): number {
  let macs = 0;
  const visit = (layers: tf.layers.Layer[]) => {
    for (const layer of layers) {
      const inner = (layer as unknown as { layers?: tf.layers.Layer[] }).layers;
      if (inner) {
        visit(inner);
        continue;
      }
      const out = layer.outputShape as (number | null)[];
      const positions = out.length === 4 ? (out[1] ?? 1) * (out[2] ?? 1) : 1;
      for (const w of layer.weights) if (w.shape.length >= 2) macs += w.shape.reduce((a: number, b) => a * (b ?? 1), 1) * positions;
    }
  };
  visit(model.layers);
  return macs;
}

/** One training step of the bench (the studio's model, a fixed random batch, Adam 1e-3, the studio's BCE) and what it holds. */
async function buildStep(model: BenchModel, size: number, batch: number, kernels: KernelSet | undefined, t: TransferSpec = {}) {
  const m = await benchModel(model, size, t);
  const optimizer = adam(kernels, 1e-3);
  const x = tf.randomUniform([batch, size, size, 4], 0, 255, 'float32', 11);
  const y = tf.cast(tf.greater(tf.randomUniform([batch, 28], 0, 1, 'float32', 12), 0.8), 'float32');
  // through the trainer's replayer: recorded through tfjs, then replayed (src/accel/webgpu/stepReplay.ts;
  // off for the 'tfjs' set and with HPA_STEP_REPLAY=false). The batch is the same every step, so
  // there are no per-step bytes to feed.
  const replayer = new StepReplayer();
  const step = () => optimizer.minimize(() => bce(y, m.apply(x, { training: true }) as tf.Tensor), true)!;
  const run = () =>
    replayer.run(
      'bench',
      () => ({}),
      () => tf.tidy(step),
    );
  const params = m.countParams();
  const macs = forwardMacs(m);
  const dispose = () => {
    replayer.dispose();
    tf.dispose([x, y]);
    optimizer.dispose();
    m.dispose();
  };
  return { step, run, params, macs, dispose, replayer };
}

async function timeSteps(s: TrainSpec): Promise<TrainTiming> {
  const { run, params, macs, dispose, replayer } = await buildStep(s.model, s.size, s.batch, s.kernels, s);
  const times: number[] = [];
  const encode: number[] = [];
  const loss: number[] = [];
  const t0 = performance.now();
  let warmups = 0;
  type Pending = { l: StepResult; ts: number };
  let pending: Pending | null = null;
  let lastDone = t0;
  const settle = async (p: Pending) => {
    loss.push((await p.l.read)[0]);
    p.l.dispose();
    const now = performance.now();
    times.push(s.pipeline ? now - lastDone : now - p.ts);
    lastDone = now;
  };
  // every compute dispatch of the timed steps, whoever encodes it
  const pass = (globalThis as { GPUComputePassEncoder?: { prototype: { dispatchWorkgroups(...a: number[]): void } } }).GPUComputePassEncoder?.prototype;
  const dispatch = pass?.dispatchWorkgroups;
  let dispatches = 0;
  let counting = false;
  if (pass && dispatch && tf.getBackend() === 'webgpu') {
    pass.dispatchWorkgroups = function (this: unknown, ...a: number[]) {
      if (counting) dispatches++;
      return dispatch.apply(this, a);
    };
  }
  let counted = 0;
  for (let i = 0; i < s.warmup + s.steps; i++) {
    counting = i >= s.warmup;
    if (counting) counted++;
    const ts = performance.now();
    const l = run();
    encode.push(performance.now() - ts);
    if (!s.pipeline) await settle({ l, ts });
    else {
      if (pending) await settle(pending);
      pending = { l, ts };
    }
    if (i === 0 || i < s.warmup) warmups = i + 1;
    const spent = performance.now() - t0;
    // over budget: stop, keeping at least one timed step after the first if one fits
    if (spent > s.budgetMs && times.length >= Math.min(2, s.warmup + s.steps)) break;
  }
  if (pending) {
    await settle(pending);
    // the drain: no step queued behind it, so its interval is not a steady step
    if (times.length > 1) times.pop();
  }
  if (pass && dispatch) pass.dispatchWorkgroups = dispatch;
  const replay = { replayed: replayer.status.replayed, off: replayer.status.off ?? (replayer.status.replayed ? null : replayer.lastFailure) };
  dispose();
  // when the budget cut the warm-ups short, the steps after the first are all we have
  const first = times.length > s.warmup ? s.warmup : 1;
  const timed = times.slice(first);
  return {
    backend: tf.getBackend(),
    params,
    firstStepMs: times[0],
    stepMs: timed,
    encodeMs: encode.slice(first),
    warmups: Math.min(warmups, first),
    loss,
    kernels: s.kernels ?? 'studio',
    macs,
    ...(dispatches ? { dispatchesPerStep: dispatches / counted } : {}),
    replay,
  };
}

/** Kernels (and those that compute) run by one training step of `model` on the active backend, counted by tf.profile. */
export function countStepKernels(
  model: TrainSpec['model'],
  kernels: KernelSet,
): Promise<{ all: number; compute: number; adamUpdates: number; seluGrads: number }> {
  return withKernels(kernels, () => countKernels(model, kernels));
}

async function countKernels(model: TrainSpec['model'], kernels: KernelSet) {
  const { step, dispose } = await buildStep(model, 32, 2, kernels);
  step().dispose(); // the first step also creates Adam's moments
  const info = await tf.profile(() => step());
  dispose();
  // moving no data: Reshape and Identity share the input's buffer, and the *__op entries are
  // tfjs's op wrappers around kernels listed separately (a Cast may be free too, but is counted)
  const free = (name: string) => name === 'Reshape' || name === 'Identity' || name.endsWith('__op');
  return {
    all: info.kernels.length,
    compute: info.kernels.filter((k) => !free(k.name)).length,
    adamUpdates: info.kernels.filter((k) => k.name === 'HpaAdamUpdate').length,
    seluGrads: info.kernels.filter((k) => k.name === SELU_GRAD).length,
  };
}

/**
 * GPU time of one training step, from the backend's timestamp queries (`tf.time`'s kernelMs: each
 * kernel in its own timed pass, summed), beside tf.time's wall time and the kernel types that took
 * the most GPU time, for `steps` steps after two warm-ups. Where the backend cannot time kernels
 * (no 'timestamp-query', or not webgpu), `kernelMs` is null and `note` says why.
 */
export async function timeStepKernels(
  s: Pick<TrainSpec, 'model' | 'size' | 'batch' | 'kernels' | 'channels' | 'head'>,
  steps: number,
): Promise<{ kernelMs: number[] | null; wallMs: number[]; top: { name: string; ms: number; count: number }[]; note: string }> {
  return withKernels(s.kernels, async () => {
    const { step, dispose } = await buildStep(s.model, s.size, s.batch, s.kernels, s);
    for (let i = 0; i < 2; i++) {
      const l = step();
      await l.data();
      l.dispose();
    }
    const kernelMs: number[] = [];
    const wallMs: number[] = [];
    const byName = new Map<string, { ms: number; count: number }>();
    let note = '';
    for (let i = 0; i < steps; i++) {
      const info = await tf.time(() => step().dispose());
      wallMs.push(info.wallMs);
      const k = info.kernelMs as number | { error: string } | null;
      if (typeof k !== 'number' || k === 0) {
        note = typeof k === 'object' && k ? k.error : `the ${tf.getBackend()} backend reported no kernel times (no timestamp-query feature?)`;
        continue;
      }
      kernelMs.push(k);
      // "Name: ms, Name: ms, ..." (tfjs-backend-webgpu's per-program list)
      for (const part of (info as { getExtraProfileInfo?: () => string }).getExtraProfileInfo?.().split(', ') ?? []) {
        const at = part.lastIndexOf(': ');
        const name = part.slice(0, at),
          ms = Number(part.slice(at + 2));
        const e = byName.get(name) ?? { ms: 0, count: 0 };
        e.ms += ms / steps;
        e.count += 1 / steps;
        byName.set(name, e);
      }
    }
    dispose();
    const top = [...byName]
      .map(([name, e]) => ({ name, ms: e.ms, count: Math.round(e.count) }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 12);
    return { kernelMs: note ? null : kernelMs, wallMs, top, note };
  });
}

export interface PredictSpec {
  model: BenchModel;
  size: number;
  batch: number;
  /** images per timed run */
  images: number;
  tta: TtaPreset;
  warmup: number;
  runs: number;
  budgetMs: number;
}

/** Times src/core/predict.ts's predict() over `images` random images; ms per run. */
export async function timePredict(s: PredictSpec): Promise<{ backend: string; runMs: number[]; views: number }> {
  const model = createModel(s.model, { inputSize: s.size, seed: 1 });
  const pixels = s.size * s.size * 4;
  const images = new Uint8Array(s.images * pixels);
  for (let i = 0; i < images.length; i++) images[i] = (i * 2654435761) >>> 24;
  const source = {
    numRows: s.images,
    imageSize: s.size,
    channels: 4,
    async *batches(batchSize: number) {
      for (let r = 0; r < s.images; r += batchSize) yield { x: images.subarray(r * pixels, Math.min(s.images, r + batchSize) * pixels) };
    },
  };
  const tta = ttaTransforms(s.tta);
  const runMs: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < s.warmup + s.runs; i++) {
    const ts = performance.now();
    await predict(model, source, { inputSize: s.size, resizeMode: 'resize' }, { batchSize: s.batch, tta, stepRunner: accelTraining.stepRunner });
    if (i >= s.warmup) runMs.push(performance.now() - ts);
    if (performance.now() - t0 > s.budgetMs && runMs.length >= 2) break;
  }
  model.dispose();
  return { backend: tf.getBackend(), runMs, views: tta.length };
}
