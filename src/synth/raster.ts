/**
 * Drawing primitives on float image layers (Float32Array, row-major, n × n): mass-conserving point
 * deposits, gaussian spots, polylines, separable gaussian blur and smooth value noise.
 * Everything is in pixel units of the layer.
 */
import type { Random } from './random';

export type Layer = Float32Array;

/** Adds `mass` at (x, y) split bilinearly over the four nearest pixel centres. */
export function deposit(layer: Layer, n: number, x: number, y: number, mass: number): void {
  const fx = x - 0.5;
  const fy = y - 0.5;
  const x0 = Math.floor(fx);
  const y0 = Math.floor(fy);
  const tx = fx - x0;
  const ty = fy - y0;
  if (x0 >= 0 && x0 < n) {
    if (y0 >= 0 && y0 < n) layer[y0 * n + x0] += mass * (1 - tx) * (1 - ty);
    if (y0 + 1 >= 0 && y0 + 1 < n) layer[(y0 + 1) * n + x0] += mass * (1 - tx) * ty;
  }
  if (x0 + 1 >= 0 && x0 + 1 < n) {
    if (y0 >= 0 && y0 < n) layer[y0 * n + x0 + 1] += mass * tx * (1 - ty);
    if (y0 + 1 >= 0 && y0 + 1 < n) layer[(y0 + 1) * n + x0 + 1] += mass * tx * ty;
  }
}

/**
 * A gaussian spot of standard deviation `sigma` px and peak `peak`. Spots narrower than a pixel are
 * deposited as their mass (peak · 2πσ²), so small images keep the same total signal as large ones.
 */
export function spot(layer: Layer, n: number, x: number, y: number, sigma: number, peak: number): void {
  if (sigma < 0.8) {
    deposit(layer, n, x, y, peak * 2 * Math.PI * sigma * sigma);
    return;
  }
  const r = Math.ceil(2.5 * sigma);
  const cx = Math.floor(x);
  const cy = Math.floor(y);
  const k = -1 / (2 * sigma * sigma);
  const x0 = Math.max(0, cx - r);
  const x1 = Math.min(n - 1, cx + r);
  const y0 = Math.max(0, cy - r);
  const y1 = Math.min(n - 1, cy + r);
  for (let py = y0; py <= y1; py++) {
    const dy = py + 0.5 - y;
    const row = py * n;
    for (let px = x0; px <= x1; px++) {
      const dx = px + 0.5 - x;
      layer[row + px] += peak * Math.exp((dx * dx + dy * dy) * k);
    }
  }
}

/**
 * A line of `density` signal per pixel of length from (x0, y0) to (x1, y1), deposited every half
 * pixel. Its width comes from the blur applied to the layer afterwards.
 */
export function stroke(layer: Layer, n: number, x0: number, y0: number, x1: number, y1: number, density: number): void {
  const len = Math.hypot(x1 - x0, y1 - y0);
  const steps = Math.max(1, Math.ceil(len / 0.5));
  const h = len / steps;
  const m = density * h;
  for (let i = 0; i <= steps; i++) {
    const t = i / steps;
    deposit(layer, n, x0 + (x1 - x0) * t, y0 + (y1 - y0) * t, i === 0 || i === steps ? m / 2 : m);
  }
}

/** A ring of radius `radius` px drawn as a line of the given density. */
export function ring(layer: Layer, n: number, x: number, y: number, radius: number, density: number): void {
  const steps = Math.max(8, Math.ceil((2 * Math.PI * radius) / 0.5));
  const m = (density * 2 * Math.PI * radius) / steps;
  for (let i = 0; i < steps; i++) {
    const a = (2 * Math.PI * i) / steps;
    deposit(layer, n, x + radius * Math.cos(a), y + radius * Math.sin(a), m);
  }
}

const kernelCache = new Map<number, Float32Array>();

function gaussianKernel(sigma: number): Float32Array {
  const key = Math.round(sigma * 1000);
  let k = kernelCache.get(key);
  if (!k) {
    const s = key / 1000;
    const r = Math.max(1, Math.ceil(2.5 * s));
    k = new Float32Array(2 * r + 1);
    let sum = 0;
    for (let i = -r; i <= r; i++) sum += k[i + r] = Math.exp((-i * i) / (2 * s * s));
    for (let i = 0; i < k.length; i++) k[i] /= sum;
    if (kernelCache.size > 256) kernelCache.clear();
    kernelCache.set(key, k);
  }
  return k;
}

/**
 * Separable gaussian blur in place (edges clamp to the border pixel). `tmp` is scratch of the same
 * size. Sigma below 0.3 px leaves the layer as it is.
 */
export function blur(layer: Layer, tmp: Layer, n: number, sigma: number): void {
  if (sigma < 0.3) return;
  const k = gaussianKernel(sigma);
  const r = (k.length - 1) >> 1;
  // horizontal: layer → tmp
  for (let y = 0; y < n; y++) {
    const row = y * n;
    for (let x = 0; x < n; x++) {
      let acc = 0;
      if (x >= r && x < n - r) {
        const base = row + x - r;
        for (let i = 0; i < k.length; i++) acc += layer[base + i] * k[i];
      } else {
        for (let i = -r; i <= r; i++) {
          const xx = x + i < 0 ? 0 : x + i >= n ? n - 1 : x + i;
          acc += layer[row + xx] * k[i + r];
        }
      }
      tmp[row + x] = acc;
    }
  }
  // vertical: tmp → layer
  for (let y = 0; y < n; y++) {
    const row = y * n;
    if (y >= r && y < n - r) {
      for (let x = 0; x < n; x++) {
        let acc = 0;
        let p = (y - r) * n + x;
        for (let i = 0; i < k.length; i++, p += n) acc += tmp[p] * k[i];
        layer[row + x] = acc;
      }
    } else {
      for (let x = 0; x < n; x++) {
        let acc = 0;
        for (let i = -r; i <= r; i++) {
          const yy = y + i < 0 ? 0 : y + i >= n ? n - 1 : y + i;
          acc += tmp[yy * n + x] * k[i + r];
        }
        layer[row + x] = acc;
      }
    }
  }
}

/**
 * Smooth value noise in [0, 1]: random values on a grid of `cellPx`-pixel cells, interpolated
 * with smoothstep weights.
 */
export function valueNoise(n: number, cellPx: number, rng: Random): Layer {
  const c = Math.max(1.5, cellPx);
  const g = Math.ceil(n / c) + 2;
  const grid = new Float32Array(g * g);
  for (let i = 0; i < grid.length; i++) grid[i] = rng.next();
  const ox = rng.next();
  const oy = rng.next();
  const ix = new Int32Array(n);
  const wx = new Float32Array(n);
  for (let x = 0; x < n; x++) {
    const f = (x + 0.5) / c + ox;
    const i = Math.floor(f);
    const t = f - i;
    ix[x] = i;
    wx[x] = t * t * (3 - 2 * t);
  }
  const out = new Float32Array(n * n);
  for (let y = 0; y < n; y++) {
    const f = (y + 0.5) / c + oy;
    const j = Math.floor(f);
    let t = f - j;
    t = t * t * (3 - 2 * t);
    const r0 = j * g;
    const r1 = r0 + g;
    const row = y * n;
    for (let x = 0; x < n; x++) {
      const i = ix[x];
      const w = wx[x];
      const a = grid[r0 + i] + (grid[r0 + i + 1] - grid[r0 + i]) * w;
      const b = grid[r1 + i] + (grid[r1 + i + 1] - grid[r1 + i]) * w;
      out[row + x] = a + (b - a) * t;
    }
  }
  return out;
}
