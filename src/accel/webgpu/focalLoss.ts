/**
 * The BCE and focal losses (src/core/losses.ts) in one webgpu kernel each way.
 *
 * As tfjs ops a [batch, 28] focal loss is about 36 dispatches a training step (clip, the p_t
 * arithmetic, log, pow, the α weights, the mean, and the tape's gradient of each) with a dozen
 * scalars uploaded; BCE about 26. On a GPU those tiny kernels cost JavaScript, not GPU time, and
 * the step was JavaScript-bound. Fused:
 *   forward   loss = scale · Σ α_t · e(y, clip(p)),  one workgroup of 256 threads: each sums a
 *             strided share of the elements, then a tree sum in workgroup memory
 *   backward  dL/dp = dy · scale · α_t · de/dp where lo ≤ p ≤ hi, else 0 (clipByValue's gradient)
 * with e = −[y ln p + (1−y) ln(1−p)] (BCE) or −(1 − p_t)^γ ln p_t, p_t = y p + (1−y)(1−p) (focal),
 *   de/dp (BCE)   = −y/p + (1−y)/(1−p)
 *   de/dp (focal) = (2y − 1) · [γ (1−p_t)^(γ−1) ln p_t − (1−p_t)^γ / p_t]   (the first term only if γ ≠ 0)
 * γ, α, the clip bounds and the scale are uniforms: one shader per form and weighting serves every
 * run and step. Only webgpu has the kernels; losses.ts uses them only where they are registered.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import {
  allowFusedLoss,
  EPSILON,
  FOCAL_LOSS,
  FOCAL_LOSS_GRAD,
  FOCAL_LOSS_WEIGHTED,
  bce,
  focal,
  lossOps,
  type ElementWeight,
  type FusedLossAttrs,
  type Reduction,
} from '../../core/losses';
import { intUniforms, namedProgram, scalarUniforms } from './elementwise';
import { accelFlag, FUSED_LOSS_FLAG } from '../flags';

const SUM_THREADS = 256;
const LO = Math.fround(EPSILON);
const HI = Math.fround(1 - EPSILON);

/** WGSL: α_t for label y of class c (reads flW where the weights are per class). */
function alphaT(on: FusedLossAttrs['on']): string {
  if (on === 'all') return 'return f32(flW[c]);';
  if (on === 'positive') return 'return y * f32(flW[c]) + (1.0 - y);';
  return 'return y * uniforms.aPos + (1.0 - y) * uniforms.aNeg;';
}

/**
 * WGSL helpers shared by both directions: the clip (NaN passes, as tfjs's clip lets it) and α_t.
 * Every input is read through f32(): tfjs declares a buffer by the dtype its data was made with,
 * and a cast without encoding loss (bool labels → float32) keeps the int32 buffer.
 */
function helpers(on: FusedLossAttrs['on']): string {
  return `
      fn clipP(p : f32) -> f32 {
        return select(clamp(p, uniforms.lo, uniforms.hi), p, isnan(p));
      }
      fn alphaT(y : f32, c : i32) -> f32 {
        ${alphaT(on)}
      }`;
}

const UNIFORMS = 'n : i32, classes : i32, gamma : f32, aPos : f32, aNeg : f32, lo : f32, hi : f32, scale : f32,';
const uniformData = (n: number, classes: number, a: FusedLossAttrs) => [
  ...intUniforms(n, classes),
  ...scalarUniforms(a.gamma, a.aPos, a.aNeg, LO, HI, a.scale),
];

function forwardProgram(a: FusedLossAttrs): WebGPUProgram {
  const element =
    a.form === 'bce'
      ? 'return -(y * log(p) + (1.0 - y) * log(1.0 - p));'
      : `let pt = y * p + (1.0 - y) * (1.0 - p);
        var e = -log(pt);
        if (uniforms.gamma != 0.0) {
          e = pow(1.0 - pt, uniforms.gamma) * e;
        }
        return e;`;
  return namedProgram('HpaFocalLoss', {
    variableNames: a.on === 'none' ? ['flY', 'flP'] : ['flY', 'flP', 'flW'],
    outputShape: [1],
    shaderKey: `hpaFocalLoss_${a.form}_${a.on}`,
    dispatchLayout: { x: [0] },
    dispatch: [1, 1, 1],
    workgroupSize: [SUM_THREADS, 1, 1],
    uniforms: UNIFORMS,
    getUserCode: () => `
      var<workgroup> partial : array<f32, ${SUM_THREADS}>;
      ${helpers(a.on)}
      fn element(y : f32, p : f32) -> f32 {
        ${element}
      }

      fn main(index : i32) {
        let t = i32(localIndex);
        var acc = 0.0;
        for (var i = t; i < uniforms.n; i = i + ${SUM_THREADS}) {
          let y = f32(flY[i]);
          acc = acc + alphaT(y, i % uniforms.classes) * element(y, clipP(f32(flP[i])));
        }
        partial[t] = acc;
        workgroupBarrier();
        for (var s = ${SUM_THREADS / 2}; s > 0; s = s >> 1u) {
          if (t < s) {
            partial[t] = partial[t] + partial[t + s];
          }
          workgroupBarrier();
        }
        if (t == 0) {
          setOutputAtIndex(0, partial[0] * uniforms.scale);
        }
      }
    `,
  });
}

function gradientProgram(a: FusedLossAttrs, n: number): WebGPUProgram {
  const slope =
    a.form === 'bce'
      ? 'return -y / p + (1.0 - y) / (1.0 - p);'
      : `let pt = y * p + (1.0 - y) * (1.0 - p);
        let q = 1.0 - pt;
        var d = -pow(q, uniforms.gamma) / pt;
        if (uniforms.gamma != 0.0) {
          d = d + uniforms.gamma * pow(q, uniforms.gamma - 1.0) * log(pt);
        }
        return (2.0 * y - 1.0) * d;`;
  return namedProgram('HpaFocalLossGrad', {
    variableNames: a.on === 'none' ? ['flDy', 'flY', 'flP'] : ['flDy', 'flY', 'flP', 'flW'],
    outputShape: [n],
    shaderKey: `hpaFocalLossGrad_${a.form}_${a.on}`,
    dispatchLayout: { x: [0] },
    dispatch: [Math.ceil(n / 64), 1, 1],
    workgroupSize: [64, 1, 1],
    uniforms: UNIFORMS,
    getUserCode: () => `
      ${helpers(a.on)}
      fn slope(y : f32, p : f32) -> f32 {
        ${slope}
      }

      fn main(index : i32) {
        if (index < uniforms.n) {
          let y = f32(flY[index]);
          let p = f32(flP[index]);
          var g = 0.0;
          if (p >= uniforms.lo && p <= uniforms.hi) {
            g = f32(flDy[0]) * uniforms.scale * alphaT(y, index % uniforms.classes) * slope(y, p);
          }
          setOutputAtIndex(index, g);
        }
      }
    `,
  });
}

interface LossInputs {
  yTrue: tf.TensorInfo;
  yPred: tf.TensorInfo;
  w?: tf.TensorInfo;
}

function checked(what: string, { yTrue, yPred, w }: LossInputs, a: FusedLossAttrs): [number, number] {
  const [batch, classes] = yPred.shape;
  const ok =
    yPred.shape.length === 2 &&
    yTrue.dtype === 'float32' &&
    yPred.dtype === 'float32' &&
    tf.util.arraysEqual(yTrue.shape, yPred.shape) &&
    (a.on === 'none') === !w &&
    (!w || (w.dtype === 'float32' && w.shape.length === 1 && w.shape[0] === classes));
  if (!ok)
    throw new RangeError(
      `${what} on webgpu: yTrue and yPred must be float32 [batch, classes] (and w float32 [classes] with class weights), got ${yTrue.dtype} [${yTrue.shape}], ${yPred.dtype} [${yPred.shape}]${w ? `, w ${w.dtype} [${w.shape}]` : ''}`,
    );
  return [batch * classes, classes];
}

const flat = (t: tf.TensorInfo) => ({ ...t, shape: [t.shape.reduce((p, d) => p * d, 1)] });

function forwardKernel(kernelName: string): tf.KernelConfig {
  return {
    kernelName,
    backendName: 'webgpu',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const a = attrs as unknown as FusedLossAttrs;
      const ins = inputs as unknown as LossInputs;
      const [n, classes] = checked('Fused loss', ins, a);
      const tensors = [ins.yTrue, ins.yPred, ...(ins.w ? [ins.w] : [])].map(flat);
      const out = (backend as WebGPUBackend).runWebGPUProgram(forwardProgram(a), tensors, 'float32', uniformData(n, classes, a));
      return { ...out, shape: [] };
    },
  };
}

export const focalLossGradWebGpuConfig: tf.KernelConfig = {
  kernelName: FOCAL_LOSS_GRAD,
  backendName: 'webgpu',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const a = attrs as unknown as FusedLossAttrs;
    const ins = inputs as unknown as LossInputs & { dy: tf.TensorInfo };
    const [n, classes] = checked('Fused loss gradient', ins, a);
    if (ins.dy.shape.length !== 0 || ins.dy.dtype !== 'float32')
      throw new RangeError(`Fused loss gradient on webgpu: dy must be a float32 scalar, got ${ins.dy.dtype} [${ins.dy.shape}]`);
    const tensors = [ins.dy, ins.yTrue, ins.yPred, ...(ins.w ? [ins.w] : [])].map(flat);
    const out = (backend as WebGPUBackend).runWebGPUProgram(gradientProgram(a, n), tensors, 'float32', uniformData(n, classes, a));
    return { ...out, shape: [...ins.yPred.shape] };
  },
};

export const focalLossWebGpuConfig = forwardKernel(FOCAL_LOSS);
export const focalLossWeightedWebGpuConfig = forwardKernel(FOCAL_LOSS_WEIGHTED);

function gradConfig(kernelName: string, weighted: boolean): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: weighted ? ['yTrue', 'yPred', 'w'] : ['yTrue', 'yPred'],
    gradFunc: (dy, saved, attrs) => {
      const [yTrue, yPred, w] = saved;
      const inputs: tf.NamedTensorMap = { dy: dy as tf.Tensor, yTrue, yPred, ...(weighted ? { w } : {}) };
      return {
        yPred: () => tf.engine().runKernel(FOCAL_LOSS_GRAD, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor,
        // labels and class weights are data, not learned: nothing flows back into them
        yTrue: () => tf.zerosLike(yTrue),
        ...(weighted ? { w: () => tf.zerosLike(w) } : {}),
      };
    },
  };
}

/**
 * Registers the fused losses for webgpu and their gradients (idempotent), and lets bce() and focal()
 * use them while HPA_FUSED_LOSS is on.
 */
export function registerWebGpuFocalLoss(): void {
  allowFusedLoss(() => accelFlag(FUSED_LOSS_FLAG));
  for (const k of [focalLossWebGpuConfig, focalLossWeightedWebGpuConfig, focalLossGradWebGpuConfig])
    if (!tf.getKernel(k.kernelName, 'webgpu')) tf.registerKernel(k);
  if (!tf.getGradient(FOCAL_LOSS)) tf.registerGradient(gradConfig(FOCAL_LOSS, false));
  if (!tf.getGradient(FOCAL_LOSS_WEIGHTED)) tf.registerGradient(gradConfig(FOCAL_LOSS_WEIGHTED, true));
}

/** The cases the self-check compares: each form, every weighting, both reductions, γ = 0, 1.5, 2. */
const CASES: { form: 'bce' | 'focal'; gamma: number; weight: ElementWeight; reduction: Reduction }[] = [
  { form: 'bce', gamma: 0, weight: null, reduction: 'mean' },
  { form: 'focal', gamma: 2, weight: null, reduction: 'mean' },
  { form: 'focal', gamma: 0, weight: null, reduction: 'sum-classes' },
  { form: 'focal', gamma: 2, weight: { kind: 'scalar', alpha: 0.25 }, reduction: 'sum-classes' },
  { form: 'focal', gamma: 1.5, weight: { kind: 'class', weights: Array.from({ length: 28 }, (_, c) => 0.2 + (c % 7) * 0.4), on: 'all' }, reduction: 'mean' },
  { form: 'bce', gamma: 0, weight: { kind: 'class', weights: Array.from({ length: 28 }, (_, c) => 0.5 + (c % 5) * 0.75), on: 'positive' }, reduction: 'mean' },
];

/**
 * Checks the fused losses on the active backend against the ops (lossOps), value and gradient, on
 * [5, 28] and [37, 28] (more elements than the forward kernel's 256 threads; labels cast from bool), probabilities that
 * include 0, 1, the clip bounds themselves and values just inside and outside them. Null when they
 * agree (to 1e-5 relative: log, pow and the summation order may round differently); otherwise
 * what differed, and the kernels are unregistered so the losses run as ops.
 */
export async function verifyFocalLoss(): Promise<string | null> {
  const backend = tf.getBackend();
  if (!tf.getKernel(FOCAL_LOSS, backend)) return `not available on ${backend}`;
  const special = [0, 1, LO, HI, 1e-8, 0.5, 1 - 1e-9, 2e-7];
  for (const batch of [5, 37]) {
    const n = batch * 28;
    const ps = Float32Array.from({ length: n }, (_, i) => (i < special.length * 2 ? special[i % special.length] : 0.5 + 0.499 * Math.sin(i * 0.713)));
    const ys = Float32Array.from({ length: n }, (_, i) => ((i * 7) % 11 < 3 || i % 16 === 1 ? 1 : 0));
    // the [37, 28] labels come from a bool tensor, as a thresholded mask does: on webgpu such a cast keeps the int32 buffer
    const y = batch === 5 ? tf.tensor2d(ys, [batch, 28]) : tf.tidy(() => tf.cast(tf.tensor2d(ys, [batch, 28], 'bool'), 'float32'));
    const p = tf.tensor2d(ps, [batch, 28]);
    try {
      for (const c of CASES) {
        const fused = (q: tf.Tensor) => (c.form === 'bce' ? bce(y, q, c.weight, c.reduction) : focal(y, q, c.gamma, c.weight, c.reduction));
        const ops = (q: tf.Tensor) => lossOps(c.form, y, q, c.gamma, c.weight, c.reduction);
        const results = [fused(p), ops(p), tf.grad(fused)(p), tf.grad(ops)(p)];
        const [lf, lo, gf, go] = await Promise.all(results.map((t) => t.data()));
        tf.dispose(results);
        for (const [what, got, want] of [
          ['loss', lf, lo],
          ['gradient', gf, go],
        ] as const) {
          for (let i = 0; i < want.length; i++) {
            if (!(Math.abs(got[i] - want[i]) <= 1e-5 * Math.max(1e-3, Math.abs(want[i])))) {
              for (const k of [FOCAL_LOSS, FOCAL_LOSS_WEIGHTED, FOCAL_LOSS_GRAD]) if (tf.getKernel(k, backend)) tf.unregisterKernel(k, backend);
              const label = `${c.form}${c.form === 'focal' ? ` γ=${c.gamma}` : ''}, ${c.weight ? (c.weight.kind === 'scalar' ? `α=${c.weight.alpha}` : `class weights on ${c.weight.on}`) : 'no α'}, ${c.reduction}`;
              return `self-check failed on ${backend} (${label}, [${batch}, 28], ${what}${what === 'gradient' ? ` element ${i} (p=${ps[i]}, y=${ys[i]})` : ''}: ${got[i]} vs ${want[i]}); the loss runs as tfjs ops`;
            }
          }
        }
      }
    } finally {
      tf.dispose([p, y]);
    }
  }
  return null;
}
