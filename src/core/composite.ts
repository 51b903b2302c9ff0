/**
 * Turning stored RGBY pixels (size² × 4 bytes, interleaved R,G,B,Y, row-major) into displayable RGBA:
 * the HPA composite convention red → R, green → G, blue → B, yellow → R + G, each channel
 * toggleable and contrast-stretched through its own [low, high] window, sums clamped to 255.
 */

export const CHANNELS = ['Red', 'Green', 'Blue', 'Yellow'] as const;
export type ChannelName = (typeof CHANNELS)[number];

/** Per channel (R, G, B, Y): shown or hidden. */
export type ChannelFlags = readonly [boolean, boolean, boolean, boolean];
/** A contrast window: input `low` maps to 0 and `high` to 255, linearly, clamped. */
export type ContrastWindow = readonly [low: number, high: number];

export const ALL_CHANNELS: ChannelFlags = [true, true, true, true];
export const FULL_WINDOW: ContrastWindow = [0, 255];
export const FULL_WINDOWS: readonly ContrastWindow[] = [FULL_WINDOW, FULL_WINDOW, FULL_WINDOW, FULL_WINDOW];

/** 256-entry lookup table of a window (all zeros for a hidden channel). */
function windowTable(win: ContrastWindow, visible: boolean): Uint8Array {
  const lut = new Uint8Array(256);
  if (!visible) return lut;
  const lo = Math.min(win[0], win[1]);
  const hi = Math.max(win[0], win[1]);
  for (let v = 0; v < 256; v++) {
    lut[v] = hi === lo ? (v >= hi ? 255 : 0) : Math.round(Math.min(255, Math.max(0, ((v - lo) * 255) / (hi - lo))));
  }
  return lut;
}

/**
 * Writes the composite of `rgby` (n pixels × 4) into `out` (n pixels × 4 RGBA, alpha 255).
 * Returns `out`.
 */
export function compositeRGBY(
  rgby: Uint8Array,
  out: Uint8ClampedArray,
  visible: ChannelFlags = ALL_CHANNELS,
  windows: readonly ContrastWindow[] = FULL_WINDOWS,
): Uint8ClampedArray {
  if (out.length !== rgby.length) throw new Error(`composite: output has ${out.length} bytes, input ${rgby.length}`);
  const [lr, lg, lb, ly] = [0, 1, 2, 3].map((c) => windowTable(windows[c] ?? FULL_WINDOW, visible[c]));
  for (let i = 0; i < rgby.length; i += 4) {
    const y = ly[rgby[i + 3]];
    out[i] = lr[rgby[i]] + y; // Uint8ClampedArray clamps the sums to 255
    out[i + 1] = lg[rgby[i + 1]] + y;
    out[i + 2] = lb[rgby[i + 2]];
    out[i + 3] = 255;
  }
  return out;
}

/** Box-filter downscale of a size² RGBY image to target² (target ≤ size; each output pixel averages its source block). */
export function downscaleRGBY(rgby: Uint8Array, size: number, target: number): Uint8Array {
  if (rgby.length !== size * size * 4) throw new Error(`downscale: expected ${size * size * 4} bytes, got ${rgby.length}`);
  if (target >= size) return rgby;
  const out = new Uint8Array(target * target * 4);
  const x0 = new Int32Array(target + 1);
  for (let t = 0; t <= target; t++) x0[t] = Math.floor((t * size) / target);
  const acc = new Float64Array(4);
  for (let oy = 0; oy < target; oy++) {
    for (let ox = 0; ox < target; ox++) {
      acc.fill(0);
      for (let sy = x0[oy]; sy < x0[oy + 1]; sy++) {
        let p = (sy * size + x0[ox]) * 4;
        for (let sx = x0[ox]; sx < x0[ox + 1]; sx++, p += 4) {
          acc[0] += rgby[p];
          acc[1] += rgby[p + 1];
          acc[2] += rgby[p + 2];
          acc[3] += rgby[p + 3];
        }
      }
      const n = (x0[oy + 1] - x0[oy]) * (x0[ox + 1] - x0[ox]);
      const o = (oy * target + ox) * 4;
      for (let c = 0; c < 4; c++) out[o + c] = Math.round(acc[c] / n);
    }
  }
  return out;
}

/** A window from the channel's percentiles (default 0.5 % and 99.5 %): an automatic contrast stretch. */
export function autoWindow(rgby: Uint8Array, channel: number, lowFrac = 0.005, highFrac = 0.995): ContrastWindow {
  const hist = new Uint32Array(256);
  for (let i = channel; i < rgby.length; i += 4) hist[rgby[i]]++;
  const n = rgby.length / 4;
  const at = (frac: number) => {
    const want = frac * n;
    let seen = 0;
    for (let v = 0; v < 256; v++) {
      seen += hist[v];
      if (seen >= want && seen > 0) return v;
    }
    return 255;
  };
  const lo = at(lowFrac);
  const hi = Math.max(at(highFrac), lo + 1);
  return [Math.min(lo, 254), Math.min(hi, 255)];
}
