/**
 * Turning a class activation map (a small h × w grid of non-negative numbers, gradCam.ts) into a
 * heat overlay: normalised by its maximum, bilinearly upsampled to the image, coloured with
 * matplotlib's inferno (perceptually uniform, dark for cold), alpha rising with the value so cold
 * areas leave the composite visible. Pure arithmetic: the page, the workers and the CLI share it.
 */

/** Scales a map to [0, 1] by its maximum; an all-zero (or empty) map stays zero. */
export function normaliseCam(map: Float32Array): Float32Array {
  let max = 0;
  for (const v of map) if (v > max) max = v;
  const out = new Float32Array(map.length);
  if (!(max > 0) || !Number.isFinite(max)) return out;
  for (let i = 0; i < map.length; i++) out[i] = Math.max(0, map[i]) / max;
  return out;
}

/** matplotlib's inferno at 17 evenly spaced points (0, 1/16, …, 1), 0..255. */
const INFERNO: readonly (readonly [number, number, number])[] = [
  [0, 0, 4],
  [11, 7, 36],
  [33, 12, 74],
  [61, 9, 101],
  [87, 16, 110],
  [113, 25, 110],
  [138, 34, 106],
  [163, 44, 97],
  [188, 55, 84],
  [210, 70, 68],
  [228, 90, 49],
  [241, 115, 29],
  [249, 142, 9],
  [252, 172, 17],
  [249, 203, 53],
  [242, 234, 105],
  [252, 255, 164],
];

/** The inferno colour of v ∈ [0, 1] (clamped; NaN counts as 0), linearly interpolated between the table's points. */
export function camColour(v: number): [number, number, number] {
  const t = Number.isNaN(v) ? 0 : Math.min(1, Math.max(0, v)) * (INFERNO.length - 1);
  const i = Math.min(INFERNO.length - 2, Math.floor(t));
  const f = t - i;
  const a = INFERNO[i];
  const b = INFERNO[i + 1];
  return [Math.round(a[0] + (b[0] - a[0]) * f), Math.round(a[1] + (b[1] - a[1]) * f), Math.round(a[2] + (b[2] - a[2]) * f)];
}

/**
 * A w × h map (row-major) bilinearly upsampled to size × size: output pixel centres mapped onto the
 * map's grid (x = (d + 0.5)·w/size − 0.5), clamped at the edges, as image resizers do.
 */
export function upsampleCam(map: Float32Array, w: number, h: number, size: number, out?: Float32Array): Float32Array {
  if (!(Number.isInteger(w) && Number.isInteger(h) && w > 0 && h > 0)) throw new Error(`upsampleCam: map size must be positive integers, got ${w} × ${h}`);
  if (map.length !== w * h) throw new Error(`upsampleCam: a ${w} × ${h} map has ${w * h} values, got ${map.length}`);
  if (!(Number.isInteger(size) && size > 0)) throw new Error(`upsampleCam: output size must be a positive integer, got ${size}`);
  const up = out ?? new Float32Array(size * size);
  if (up.length !== size * size) throw new Error(`upsampleCam: output has ${up.length} values, ${size} × ${size} needs ${size * size}`);
  // per output column / row: the two source indices and the weight of the second
  const axis = (n: number) => {
    const i0 = new Int32Array(size);
    const i1 = new Int32Array(size);
    const f = new Float32Array(size);
    for (let d = 0; d < size; d++) {
      const s = Math.min(n - 1, Math.max(0, ((d + 0.5) * n) / size - 0.5));
      i0[d] = Math.floor(s);
      i1[d] = Math.min(n - 1, i0[d] + 1);
      f[d] = s - i0[d];
    }
    return { i0, i1, f };
  };
  const X = axis(w);
  const Y = axis(h);
  for (let y = 0; y < size; y++) {
    const r0 = Y.i0[y] * w;
    const r1 = Y.i1[y] * w;
    const fy = Y.f[y];
    for (let x = 0; x < size; x++) {
      const fx = X.f[x];
      const top = map[r0 + X.i0[x]] * (1 - fx) + map[r0 + X.i1[x]] * fx;
      const bottom = map[r1 + X.i0[x]] * (1 - fx) + map[r1 + X.i1[x]] * fx;
      up[y * size + x] = top * (1 - fy) + bottom * fy;
    }
  }
  return up;
}

/** inferno as a 256-entry RGB table, built once. */
let lut: Uint8Array | null = null;
function colourTable(): Uint8Array {
  if (!lut) {
    lut = new Uint8Array(256 * 3);
    for (let k = 0; k < 256; k++) lut.set(camColour(k / 255), k * 3);
  }
  return lut;
}

/**
 * A map of w × h (row-major) as size × size RGBA: normalised, bilinearly upsampled (upsampleCam),
 * coloured, alpha = 255·v. Writes into `out` when given.
 */
export function camToRgba(map: Float32Array, w: number, h: number, size: number, out?: Uint8ClampedArray): Uint8ClampedArray {
  if (map.length !== w * h) throw new Error(`camToRgba: a ${w} × ${h} map has ${w * h} values, got ${map.length}`);
  const rgba = out ?? new Uint8ClampedArray(size * size * 4);
  if (rgba.length !== size * size * 4) throw new Error(`camToRgba: output has ${rgba.length} bytes, ${size} × ${size} RGBA needs ${size * size * 4}`);
  const v = upsampleCam(normaliseCam(map), w, h, size);
  const table = colourTable();
  for (let p = 0; p < v.length; p++) {
    const k = Math.round(v[p] * 255);
    const o = p * 4;
    rgba[o] = table[k * 3];
    rgba[o + 1] = table[k * 3 + 1];
    rgba[o + 2] = table[k * 3 + 2];
    rgba[o + 3] = k;
  }
  return rgba;
}

/**
 * The composite (RGBA) with the CAM overlay (camToRgba's output, same size) drawn over it at
 * `opacity` ∈ [0, 1]: per pixel weight a = opacity · overlay alpha / 255, result = (1 − a)·composite + a·overlay,
 * alpha 255. Writes into `out` when given (which may be `composite` itself).
 */
export function blendCam(composite: Uint8ClampedArray, camRgba: Uint8ClampedArray, opacity: number, out?: Uint8ClampedArray): Uint8ClampedArray {
  if (composite.length !== camRgba.length) throw new Error(`blendCam: composite has ${composite.length} bytes, overlay ${camRgba.length}`);
  if (!(opacity >= 0 && opacity <= 1)) throw new Error(`blendCam: opacity must be in [0, 1], got ${opacity}`);
  const o = out ?? new Uint8ClampedArray(composite.length);
  if (o.length !== composite.length) throw new Error(`blendCam: output has ${o.length} bytes, composite ${composite.length}`);
  for (let i = 0; i < composite.length; i += 4) {
    const a = (opacity * camRgba[i + 3]) / 255;
    o[i] = composite[i] + (camRgba[i] - composite[i]) * a;
    o[i + 1] = composite[i + 1] + (camRgba[i + 1] - composite[i + 1]) * a;
    o[i + 2] = composite[i + 2] + (camRgba[i + 2] - composite[i + 2]) * a;
    o[i + 3] = 255;
  }
  return o;
}

/**
 * The composite (RGBA) as grey: each pixel its luminance (Rec. 709: 0.2126 R + 0.7152 G + 0.0722 B),
 * alpha kept. Under a heat map the stain's own reds, greens and yellows would read as heat; grey
 * keeps where the signal is and leaves colour to the map. Writes into `out` when given (which may be `rgba` itself).
 */
export function greyComposite(rgba: Uint8ClampedArray, out?: Uint8ClampedArray): Uint8ClampedArray {
  const o = out ?? new Uint8ClampedArray(rgba.length);
  if (o.length !== rgba.length) throw new Error(`greyComposite: output has ${o.length} bytes, input ${rgba.length}`);
  for (let i = 0; i < rgba.length; i += 4) {
    const y = Math.round(0.2126 * rgba[i] + 0.7152 * rgba[i + 1] + 0.0722 * rgba[i + 2]);
    o[i] = y;
    o[i + 1] = y;
    o[i + 2] = y;
    o[i + 3] = rgba[i + 3];
  }
  return o;
}

/** An RGBA image of size × size enlarged `scale` times by pixel repetition (nearest neighbour: the stored pixels stay sharp squares). */
export function upscaleNearest(rgba: Uint8ClampedArray, size: number, scale: number): Uint8ClampedArray {
  if (!(Number.isInteger(scale) && scale >= 1)) throw new Error(`upscaleNearest: scale must be a positive integer, got ${scale}`);
  if (rgba.length !== size * size * 4) throw new Error(`upscaleNearest: a ${size} × ${size} RGBA image has ${size * size * 4} bytes, got ${rgba.length}`);
  if (scale === 1) return rgba.slice();
  const side = size * scale;
  const out = new Uint8ClampedArray(side * side * 4);
  const src = new Uint32Array(rgba.buffer, rgba.byteOffset, size * size);
  const dst = new Uint32Array(out.buffer);
  for (let y = 0; y < side; y++) {
    const row = Math.floor(y / scale) * size;
    for (let x = 0; x < side; x++) dst[y * side + x] = src[row + Math.floor(x / scale)];
  }
  return out;
}
