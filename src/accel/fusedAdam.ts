/**
 * Adam with one kernel per weight instead of fourteen.
 *
 * tfjs's AdamOptimizer updates every weight with 14 separate ops (mul, mul, add for m; square,
 * mul, mul, add for v; two bias-correction divides; sqrt, add ε, divide, scale by −lr, add) plus
 * four on the β-power scalars. For GapNet-PL's 22 weights that is 312 of the 747 kernels of a
 * training step — more than the forward and backward pass together. On webgpu every kernel is a
 * dispatch JavaScript must encode (a uniform buffer, a bind group, a compute pass) and a full read
 * and write of the weight on the GPU; on wasm and cpu it is a call and a pass over memory.
 *
 * Here one kernel, ADAM_UPDATE, does the whole update of one weight and returns its new value and
 * moments. The maths is tfjs's, in its order:
 *   m' = β1·m + (1 − β1)·g
 *   v' = β2·v + (1 − β2)·g²
 *   w' = w − lr · (m' / c1) / (√(v' / c2) + ε)      c1 = 1 − β1^t, c2 = 1 − β2^t
 * with t the 1-based step. tfjs keeps β^t as float32 running products on the device; here the
 * same float32 products are kept in JavaScript from the step count and passed in (no read-back).
 *
 * The optimizer is tfjs's AdamOptimizer with only `applyGradients` replaced: the moment variables,
 * their names (`<weight>/m`, `<weight>/v`), getWeights/setWeights and the checkpoint format are
 * tfjs's own, so a checkpoint written by one resumes in the other.
 *
 * Kernels: cpu and wasm here (a JavaScript loop over the values: one pass instead of fourteen),
 * webgpu in ./webgpu/adamUpdate.ts (WGSL: one dispatch per weight rewriting w, m and v in place
 * where each owns its data, else three dispatches through tfjs's programs). Other backends (webgl) keep tfjs's Adam.
 * createAdam() picks the fused optimizer wherever the active backend has the kernel;
 * verifyFusedAdam() checks it against tfjs's Adam on the running backend and turns it off for
 * that backend on a mismatch.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { adamUpdateInPlace, adamUpdateWebGpu } from './webgpu/adamUpdate';
import { onStepReplay } from './webgpu/stepReplay';

/**
 * Kernel name. Inputs (all float32, the same size): w, g, m, v.
 * Attrs: AdamUpdateAttrs. Outputs: [w', m', v'] in w's shape.
 */
export const ADAM_UPDATE = 'HpaAdamUpdate';

export interface AdamUpdateAttrs {
  beta1: number;
  beta2: number;
  /** 1 − β1^t */
  c1: number;
  /** 1 − β2^t */
  c2: number;
  learningRate: number;
  epsilon: number;
}

/** The update of one weight, in place into wOut/mOut/vOut (which may be w/m/v themselves). */
export function adamUpdateValues(
  w: Float32Array,
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  a: AdamUpdateAttrs,
  wOut: Float32Array,
  mOut: Float32Array,
  vOut: Float32Array,
): void {
  // float32 constants, as tfjs's scalar ops see them
  const f = Math.fround;
  const b1 = f(a.beta1),
    b2 = f(a.beta2),
    ob1 = f(1 - a.beta1),
    ob2 = f(1 - a.beta2);
  const c1 = f(a.c1),
    c2 = f(a.c2),
    eps = f(a.epsilon),
    nlr = f(-a.learningRate);
  for (let i = 0; i < w.length; i++) {
    const gi = g[i];
    const mi = f(f(m[i] * b1) + f(gi * ob1));
    const vi = f(f(v[i] * b2) + f(f(gi * gi) * ob2));
    mOut[i] = mi;
    vOut[i] = vi;
    wOut[i] = f(f(f(mi / c1) / f(f(Math.sqrt(f(vi / c2))) + eps)) * nlr) + w[i];
  }
}

const size = (t: tf.TensorInfo) => t.shape.reduce((p, d) => p * d, 1);

function checkInputs(name: string, inputs: tf.NamedTensorInfoMap): [tf.TensorInfo, tf.TensorInfo, tf.TensorInfo, tf.TensorInfo] {
  const { w, g, m, v } = inputs as Record<string, tf.TensorInfo>;
  for (const [k, t] of Object.entries({ w, g, m, v })) {
    if (t.dtype !== 'float32' || size(t) !== size(w)) {
      throw new RangeError(`${ADAM_UPDATE} on ${name}: input ${k} must be float32 with w's ${size(w)} values, got ${t.dtype} [${t.shape}]`);
    }
  }
  return [w, g, m, v];
}

export const adamUpdateWasmConfig: tf.KernelConfig = {
  kernelName: ADAM_UPDATE,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const [w, g, m, v] = checkInputs('wasm', inputs);
    const be = backend as unknown as BackendWasm;
    const outs = [be.makeOutput(w.shape, 'float32'), be.makeOutput(w.shape, 'float32'), be.makeOutput(w.shape, 'float32')];
    // makeOutput may grow the heap and detach earlier views: take them all after it
    const view = (t: tf.TensorInfo) => be.typedArrayFromHeap(t) as Float32Array;
    adamUpdateValues(view(w), view(g), view(m), view(v), attrs as unknown as AdamUpdateAttrs, view(outs[0]), view(outs[1]), view(outs[2]));
    return outs;
  },
};

interface CpuBackendLike {
  data: { get(id: tf.DataId): { values: Float32Array } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}

export const adamUpdateCpuConfig: tf.KernelConfig = {
  kernelName: ADAM_UPDATE,
  backendName: 'cpu',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const [w, g, m, v] = checkInputs('cpu', inputs);
    const be = backend as unknown as CpuBackendLike;
    const n = size(w);
    const outs = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
    const val = (t: tf.TensorInfo) => be.data.get(t.dataId).values;
    adamUpdateValues(val(w), val(g), val(m), val(v), attrs as unknown as AdamUpdateAttrs, outs[0], outs[1], outs[2]);
    return outs.map((o) => be.makeTensorInfo([...w.shape], 'float32', o));
  },
};

export const adamUpdateWebGpuConfig: tf.KernelConfig = {
  kernelName: ADAM_UPDATE,
  backendName: 'webgpu',
  kernelFunc: (args) => {
    checkInputs('webgpu', args.inputs);
    return adamUpdateWebGpu(args);
  },
};

const CONFIGS: readonly tf.KernelConfig[] = [adamUpdateCpuConfig, adamUpdateWasmConfig, adamUpdateWebGpuConfig];
/** Backends whose kernel failed verifyFusedAdam: never registered again in this context. */
const failed = new Set<string>();

/** Registers the kernel for cpu, wasm and webgpu (idempotent; not where a check failed). */
export function registerFusedAdam(): void {
  for (const k of CONFIGS) if (!failed.has(k.backendName) && !tf.getKernel(k.kernelName, k.backendName)) tf.registerKernel(k);
}

/** Whether the active backend runs Adam as one fused kernel per weight. */
export function hasFusedAdam(): boolean {
  return tf.getKernel(ADAM_UPDATE, tf.getBackend()) !== undefined;
}

type NamedVariable = { originalName: string; variable: tf.Variable };

/**
 * β^t as tfjs's Adam holds it: a float32 variable that starts at β and is multiplied by β (in
 * float32) after every step. Rounded the same way here, so the bias corrections, and with them
 * the updates, agree with tfjs's on cpu (exact β^t differs by up to 2e-7 relative, which 8 steps
 * of GapNet-PL amplified to 4e-5 in the loss). Incremental: each step costs one multiply.
 */
class BetaPower {
  private t = 1;
  private value: number;
  constructor(private readonly beta: number) {
    this.value = Math.fround(beta);
  }
  at(t: number): number {
    if (t < this.t) {
      this.t = 1;
      this.value = Math.fround(this.beta);
    }
    for (; this.t < t; this.t++) this.value = Math.fround(this.value * Math.fround(this.beta));
    return this.value;
  }
}

/**
 * tfjs's AdamOptimizer with the per-weight update done by ADAM_UPDATE; on a backend without the
 * kernel (webgl, or one whose self-check failed) each step is tfjs's own.
 */
export class FusedAdamOptimizer extends tf.AdamOptimizer {
  constructor(learningRate: number, beta1 = 0.9, beta2 = 0.999, epsilon?: number) {
    super(learningRate, beta1, beta2, epsilon);
    registerFusedAdam();
    this.power1 = new BetaPower(beta1);
    this.power2 = new BetaPower(beta2);
  }

  private readonly power1: BetaPower;
  private readonly power2: BetaPower;

  /** The update's constants for step t (1-based) at the current learning rate. */
  private attrsAt(t: number): AdamUpdateAttrs {
    const self = this as unknown as { learningRate: number; beta1: number; beta2: number; epsilon: number };
    return {
      beta1: self.beta1,
      beta2: self.beta2,
      c1: Math.fround(1 - this.power1.at(t)),
      c2: Math.fround(1 - this.power2.at(t)),
      learningRate: self.learningRate,
      epsilon: self.epsilon,
    };
  }

  /** Whether tfjs's β-power scalars lag the step count (the fused path does not keep them). */
  private betaPowersBehind = false;

  applyGradients(variableGradients: tf.NamedTensorMap | Array<{ name: string; tensor: tf.Tensor }>): void {
    const acc = this as unknown as { accBeta1: tf.Variable; accBeta2: tf.Variable; beta1: number; beta2: number };
    if (!hasFusedAdam()) {
      if (this.betaPowersBehind) {
        // tfjs's own step reads β^t from its scalars: bring them to this step first
        const t = this.iterations + 1;
        tf.tidy(() => {
          acc.accBeta1.assign(tf.scalar(this.power1.at(t)));
          acc.accBeta2.assign(tf.scalar(this.power2.at(t)));
        });
        this.betaPowersBehind = false;
      }
      return super.applyGradients(variableGradients as Parameters<tf.AdamOptimizer['applyGradients']>[0]);
    }
    const names = Array.isArray(variableGradients) ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
    const self = this as unknown as { accumulatedFirstMoment: NamedVariable[]; accumulatedSecondMoment: NamedVariable[] };
    const attrs = this.attrsAt(this.iterations + 1);
    const registered = tf.engine().registeredVariables;
    // webgpu: one dispatch per weight writing w, m and v in their own buffers (./webgpu/adamUpdate.ts).
    // A replay of this step (./webgpu/stepReplay.ts) advances the step count and takes each
    // weight's constants from `next`.
    let next = attrs;
    onStepReplay(() => {
      next = this.attrsAt(this.iterations + 1);
      (this as unknown as { incrementIterations(): void }).incrementIterations();
    });
    const inPlace = tf.getBackend() === 'webgpu' ? adamUpdateInPlace(attrs, () => next) : null;
    tf.tidy(() => {
      names.forEach((name, i) => {
        const value = registered[name];
        self.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        self.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        const gradient = Array.isArray(variableGradients) ? variableGradients[i].tensor : variableGradients[name];
        if (gradient == null) return;
        const m = self.accumulatedFirstMoment[i].variable;
        const v = self.accumulatedSecondMoment[i].variable;
        if (inPlace?.update(value, gradient, m, v)) return;
        const [w2, m2, v2] = tf.engine().runKernel(ADAM_UPDATE, { w: value, g: gradient, m, v }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
        m.assign(m2);
        v.assign(v2);
        value.assign(w2);
      });
    });
    // tfjs's β-power scalars (accBeta1/2) are not updated here: only tfjs's own step reads them,
    // and it brings them up to date first (above). Updating them would be two kernels a step and
    // a reassigned tensor, which a step replay cannot repeat.
    this.betaPowersBehind = true;
    (this as unknown as { incrementIterations(): void }).incrementIterations();
  }
}

/**
 * The studio's Adam: fused where the active backend has the kernel (cpu, wasm, webgpu), tfjs's
 * steps elsewhere. β1 0.9, β2 0.999, ε the backend's (tf.train.adam's defaults).
 */
export function createAdam(learningRate: number): tf.AdamOptimizer {
  return new FusedAdamOptimizer(learningRate);
}

/**
 * Runs three steps of the fused optimizer and of tfjs's Adam side by side on the active backend
 * (weights of 1,027 and 1,028 values: not a multiple of the GPU's word or workgroup size, and one
 * that is, with zero, tiny and large gradients; on webgpu both the in-place and the kernel path)
 * and compares weights and moments. On a mismatch the kernel is
 * unregistered for this backend, so training uses tfjs's Adam. Returns null when the fused
 * Adam is on and agrees, else why it is off.
 */
export async function verifyFusedAdam(): Promise<string | null> {
  registerFusedAdam();
  const backend = tf.getBackend();
  if (!hasFusedAdam()) return `not available on ${backend}`;
  // 1,027 values (scalar shader) and 1,028 (vec4 on webgpu). The first weight's initial tensor
  // stays alive, sharing its data: on webgpu its first step must take the kernel path (and leave
  // that tensor as it was), its later steps run in place; the second runs in place from the start.
  const shapes: Array<[number, number]> = [
    [13, 79],
    [4, 257],
  ];
  const init = shapes.map(([r, c]) => Float32Array.from({ length: r * c }, (_, i) => Math.sin(i * 0.37 + r) * 0.5));
  const grads = [0, 1, 2].map((s) =>
    shapes.map(([r, c]) =>
      Float32Array.from({ length: r * c }, (_, i) => (i % 97 === 0 ? 0 : Math.cos(i * 0.11 + s + r) * (i % 3 === 0 ? 1e-4 : i % 3 === 1 ? 1 : 30))),
    ),
  );
  const run = async (opt: tf.Optimizer) => {
    const initial = shapes.map((shape, k) => tf.tensor2d(init[k], shape));
    const ws = initial.map((t) => tf.variable(t, true, `hpaAdamCheck${Math.random()}`));
    initial[1].dispose();
    for (const g of grads) tf.tidy(() => opt.applyGradients(Object.fromEntries(ws.map((w, k) => [w.name, tf.tensor2d(g[k], shapes[k])]))));
    const state = await opt.getWeights();
    const kept = (await initial[0].data()) as Float32Array;
    const out = [...(await Promise.all(ws.map((w) => w.data()))), ...(await Promise.all(state.slice(1).map((s) => s.tensor.data())))] as Float32Array[];
    const names = [...ws.map((_, k) => `weight ${k}`), ...state.slice(1).map((_s, k) => `${k < shapes.length ? 'm' : 'v'} ${k % shapes.length}`)];
    state[0].tensor.dispose(); // the step count, a fresh scalar; the moments are the optimizer's
    tf.dispose([initial[0], ...ws]);
    opt.dispose();
    return { out, names, kept };
  };
  const fused = await run(new FusedAdamOptimizer(1e-3, 0.9, 0.999));
  const stock = await run(tf.train.adam(1e-3, 0.9, 0.999));
  let worst = 0;
  let where = fused.kept.every((x, i) => x === init[0][i]) ? '' : "a tensor sharing a weight's data changed with the weight";
  if (where) worst = Infinity;
  fused.out.forEach((a, k) => {
    const b = stock.out[k];
    for (let i = 0; i < b.length; i++) {
      const err = Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), 1e-6);
      if (!(err <= worst)) {
        worst = Number.isNaN(err) ? Infinity : err;
        where = `${fused.names[k]}[${i}]: ${a[i]} vs tfjs ${b[i]}`;
      }
    }
  });
  if (worst <= 1e-4) return null;
  tf.unregisterKernel(ADAM_UPDATE, backend);
  failed.add(backend);
  return `self-check failed on ${backend} (${where}); training uses tfjs's Adam`;
}
