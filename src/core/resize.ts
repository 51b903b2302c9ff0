/**
 * Downscales an 8-bit single-channel image by area averaging (every source pixel contributes
 * in proportion to its overlap with the target pixel). Exact box filter for integer factors
 * such as 512 → 256. Never upscales: callers store min(requested, source) resolution.
 */
export function resizeArea(src: Uint8Array, sw: number, sh: number, dw: number, dh: number): Uint8Array {
  if (dw > sw || dh > sh) throw new Error(`resizeArea only downscales (${sw}×${sh} → ${dw}×${dh})`);
  if (dw === sw && dh === sh) return src.slice();
  const out = new Uint8Array(dw * dh);
  if (sw % dw === 0 && sh % dh === 0) {
    const fx = sw / dw;
    const fy = sh / dh;
    const area = fx * fy;
    const half = area >> 1;
    // row sums accumulated block row by block row: each source byte is read once, in order
    // (512 → 256 ran ~5× faster than a loop over each target pixel's block)
    const acc = new Uint32Array(dw);
    for (let y = 0; y < dh; y++) {
      acc.fill(0);
      for (let j = 0; j < fy; j++) {
        const row = (y * fy + j) * sw;
        if (fx === 2) for (let x = 0, i = row; x < dw; x++, i += 2) acc[x] += src[i] + src[i + 1];
        else
          for (let x = 0, i = row; x < dw; x++) {
            let s = 0;
            for (const e = i + fx; i < e; i++) s += src[i];
            acc[x] += s;
          }
      }
      const o = y * dw;
      for (let x = 0; x < dw; x++) out[o + x] = ((acc[x] + half) / area) | 0;
    }
    return out;
  }
  // General factors: separable area weights, horizontal pass into floats then vertical.
  const tmp = new Float32Array(dw * sh);
  const wx = areaWeights(sw, dw);
  const wy = areaWeights(sh, dh);
  for (let y = 0; y < sh; y++) {
    for (let x = 0; x < dw; x++) {
      let s = 0;
      for (const [i, w] of wx[x]) s += src[y * sw + i] * w;
      tmp[y * dw + x] = s;
    }
  }
  for (let y = 0; y < dh; y++) {
    for (let x = 0; x < dw; x++) {
      let s = 0;
      for (const [j, w] of wy[y]) s += tmp[j * dw + x] * w;
      out[y * dw + x] = Math.min(255, Math.round(s));
    }
  }
  return out;
}

function areaWeights(n: number, m: number): [number, number][][] {
  const scale = n / m;
  return Array.from({ length: m }, (_, k) => {
    const a = k * scale;
    const b = a + scale;
    const ws: [number, number][] = [];
    for (let i = Math.floor(a); i < Math.ceil(b); i++) {
      const overlap = Math.min(b, i + 1) - Math.max(a, i);
      if (overlap > 0) ws.push([i, overlap / scale]);
    }
    return ws;
  });
}

/** Interleaves four planes (R, G, B, Y) into one H×W×4 buffer. */
export function interleave(planes: readonly Uint8Array[], pixels: number): Uint8Array {
  const out = new Uint8Array(pixels * 4);
  const [r, g, b, y] = planes;
  for (let i = 0, o = 0; i < pixels; i++, o += 4) {
    out[o] = r[i];
    out[o + 1] = g[i];
    out[o + 2] = b[i];
    out[o + 3] = y[i];
  }
  return out;
}
