/**
 * Deterministic pseudo-random weights addressed by Keras names, reproducible bit for bit in other
 * languages (fixtures/transfer/parity.py computes the same values with numpy): a weight's element i
 * (in Keras's layout, e.g. HWIO kernels, flattened row-major) is
 *   u = fmix32(fnv1a(`${layer}/${weight}`) ^ imul(i, 0x9e3779b1)) / 2³²  ∈ [0, 1)
 * mapped to a range per weight kind and rounded to float32. Tests use it to give a backbone and an
 * independent implementation the same weights without committing weight files.
 */

/** FNV-1a over the string's char codes (layer and weight names are ASCII). */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** MurmurHash3's 32-bit finaliser of seed ^ i·golden. */
export function hash32(seed: number, i: number): number {
  let h = (seed ^ Math.imul(i, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** n values in [0, 1) for a key. */
export function hashUniform(key: string, n: number): Float64Array {
  const seed = fnv1a(key);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = hash32(seed, i) / 4294967296;
  return out;
}

/**
 * The value range of a weight by its Keras name: kernels U(±√(6/fan_in)) (He-uniform: fan_in is
 * the product of all dimensions but the last for kernels, kh·kw for depthwise kernels), biases and
 * β, moving means U(±0.1), γ and moving variances 1 + U(±0.25).
 */
export function hashWeightRange(weight: string, shape: number[]): { centre: number; halfWidth: number } {
  if (weight === 'kernel' || weight === 'depthwise_kernel') {
    const fanIn = weight === 'depthwise_kernel' ? shape[0] * shape[1] : shape.slice(0, -1).reduce((a, b) => a * b, 1);
    return { centre: 0, halfWidth: Math.sqrt(6 / fanIn) };
  }
  if (weight === 'gamma' || weight === 'moving_variance') return { centre: 1, halfWidth: 0.25 };
  return { centre: 0, halfWidth: 0.1 };
}

/** The hashed values of weight `weight` of layer `layer` with this shape (Keras layout), as float32. */
export function hashWeight(layer: string, weight: string, shape: number[]): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const u = hashUniform(`${layer}/${weight}`, n);
  const { centre, halfWidth } = hashWeightRange(weight, shape);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = centre + (2 * u[i] - 1) * halfWidth;
  return out;
}
