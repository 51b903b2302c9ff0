/**
 * One WGSL pass over same-sized float32 buffers, written element by element: the shape of the
 * studio's small webgpu kernels (the fused Adam's three passes, SeluGrad); and namedProgram, which
 * gives every studio program a name in tfjs's per-kernel GPU times.
 *
 * Inputs are read as flat arrays; a size that is a multiple of 4 is processed as vec4<f32> (a
 * quarter of the threads), and `body` is given the element type to write its constants in. Each
 * input is bound to a local of the same name without its buffer prefix (see `locals`). Extra
 * uniforms (scalars) are declared in `uniforms`, as tfjs's WebGPUProgram takes them, and passed
 * one entry per scalar (see `scalarUniforms`).
 */
import type { WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';

/** Threads per workgroup of the studio's elementwise kernels. */
export const WORKGROUP = 64;

export function elementwiseProgram(o: {
  /** shader cache key (the element width is appended) */
  key: string;
  /** buffer variable name → the local the body reads it as */
  locals: Record<string, string>;
  size: number;
  /** WGSL statements ending in setOutputAtIndex(index, …) */
  body: (type: string) => string;
  uniforms?: string;
}): WebGPUProgram {
  const comp = o.size % 4 === 0 ? 4 : 1;
  const type = comp === 4 ? 'vec4<f32>' : 'f32';
  const names = Object.keys(o.locals);
  return namedProgram(o.key, {
    variableNames: names,
    outputShape: [o.size],
    shaderKey: `${o.key}${comp}`,
    dispatchLayout: { x: [0] },
    // the backend splits a dispatch over its per-dimension limit (65,535 workgroups) itself
    dispatch: [Math.ceil(o.size / comp / WORKGROUP), 1, 1],
    workgroupSize: [WORKGROUP, 1, 1],
    outputComponent: comp,
    variableComponents: names.map(() => comp),
    size: true,
    ...(o.uniforms ? { uniforms: o.uniforms } : {}),
    getUserCode: () => `
      fn main(index : i32) {
        if (index < uniforms.size) {
          ${names.map((n) => `let ${o.locals[n]} : ${type} = ${n}[index];`).join('\n          ')}
          ${o.body(type)}
        }
      }
    `,
  });
}

const programClasses = new Map<string, new () => object>();

/**
 * `program` as an instance of a class called `name`: tfjs-backend-webgpu labels each program by its
 * constructor's name in tf.time's per-kernel GPU times, where an object literal shows as "Object".
 */
export function namedProgram(name: string, program: WebGPUProgram): WebGPUProgram {
  let cls = programClasses.get(name);
  if (!cls) programClasses.set(name, (cls = { [name]: class {} }[name]));
  return Object.assign(new cls(), program);
}

/**
 * Uniform data for f32 fields: one entry per scalar. An entry of several values is laid out as a
 * vector (vec2 alignment), which does not match separate f32 fields.
 */
export function scalarUniforms(...values: number[]): Array<{ type: string; data: number[] }> {
  return values.map((x) => ({ type: 'float32', data: [x] }));
}

/** Uniform data for i32 fields: one entry per integer. */
export function intUniforms(...values: number[]): Array<{ type: string; data: number[] }> {
  return values.map((x) => ({ type: 'int32', data: [x] }));
}
