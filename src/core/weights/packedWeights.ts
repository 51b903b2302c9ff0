/**
 * NamedWeight[] as one ArrayBuffer of float32 values plus a small index, the form the weights store
 * keeps: a stored file is parsed once (HDF5 or TF.js) and every later run reads flat floats, with
 * tensors as views into the one buffer (no copy, no re-parse).
 */
import { countValues, type NamedWeight } from './namedWeight';

export interface PackedWeights {
  /** per tensor, in the file's order: where its values start in `data`, in float32 elements */
  index: { layer: string; weight: string; shape: number[]; offset: number }[];
  data: ArrayBuffer;
}

export function packWeights(weights: readonly NamedWeight[]): PackedWeights {
  const total = weights.reduce((s, w) => s + w.data.length, 0);
  const data = new Float32Array(total);
  const index: PackedWeights['index'] = [];
  let offset = 0;
  for (const w of weights) {
    data.set(w.data, offset);
    index.push({ layer: w.layer, weight: w.weight, shape: [...w.shape], offset });
    offset += w.data.length;
  }
  return { index, data: data.buffer };
}

export function unpackWeights(p: PackedWeights): NamedWeight[] {
  return p.index.map(({ layer, weight, shape, offset }) => {
    const n = countValues(shape);
    if ((offset + n) * 4 > p.data.byteLength) throw new Error(`stored weights are damaged: ${layer}/${weight} reaches past the stored values`);
    return { layer, weight, shape: [...shape], data: new Float32Array(p.data, offset * 4, n) };
  });
}
