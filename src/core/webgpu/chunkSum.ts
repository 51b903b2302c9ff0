/**
 * The second pass of the studio's split reductions (the conv filter gradient, the column
 * reduction): pass 1 leaves `chunks` partial results of `size` values each, laid out
 * [chunk, value]; here each value's partials are added in chunk order (deterministic: the same
 * sum on every run) and scaled. Where a value count is a multiple of 4 the caller may add them as
 * vec4 (`comp` 4: a quarter of the threads).
 */
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import type { TensorInfo } from '@tensorflow/tfjs';
import { intUniforms, namedProgram } from './elementwise';

function chunkSumProgram(name: string, size: number, comp: number): WebGPUProgram {
  const type = comp === 4 ? 'vec4<f32>' : 'f32';
  return namedProgram(name, {
    variableNames: ['partials'],
    outputShape: [size],
    shaderKey: `hpaChunkSum${comp}`,
    dispatchLayout: { x: [0] },
    dispatch: [Math.ceil(size / comp / 64), 1, 1],
    workgroupSize: [64, 1, 1],
    outputComponent: comp,
    variableComponents: [comp],
    size: true,
    uniforms: 'chunks : i32, scale : f32,',
    getUserCode: () => `
      fn main(index : i32) {
        if (index < uniforms.size) {
          var acc = ${type}(0.0);
          for (var c = 0; c < uniforms.chunks; c++) {
            acc = acc + partials[c * uniforms.size + index];
          }
          setOutputAtIndex(index, acc * uniforms.scale);
        }
      }
    `,
  });
}

/**
 * The `size` values summed over `chunks` partials [chunks, size] and scaled; `partials` is
 * consumed (disposed). `name` labels the program in per-kernel GPU times.
 */
export function sumChunks(be: WebGPUBackend, partials: TensorInfo, o: { name: string; size: number; chunks: number; comp?: number; scale?: number }): TensorInfo {
  const comp = o.comp ?? 1;
  const out = be.runWebGPUProgram(chunkSumProgram(o.name, o.size, comp), [partials], 'float32', [...intUniforms(o.chunks), { type: 'float32', data: [o.scale ?? 1] }]);
  be.disposeData(partials.dataId);
  return out;
}
