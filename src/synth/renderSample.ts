/**
 * Renders one synthetic HPA-like sample: four 8-bit grayscale channels (red microtubules, green
 * protein, blue nuclei, yellow ER) of `size` × `size` pixels. Deterministic in (seed, id, labels,
 * size). The reference channels (red, blue, yellow) and every per-image setting (blur, gains,
 * background, noise) depend only on (seed, id, size), never on the labels: only the green channel
 * carries the classes, as in the real data.
 */
import { layoutCells, type CellLayout, type LayoutOptions } from './cellLayout';
import { CLASS_PATTERNS, type PatternContext } from './classPatterns';
import { microtubules } from './filaments';
import { MAX_SIZE, MIN_SIZE } from './planDataset';
import { blur, type Layer, spot, valueNoise } from './raster';
import { hashSeed, Random } from './random';

export interface SampleChannels {
  red: Uint8Array;
  green: Uint8Array;
  blue: Uint8Array;
  yellow: Uint8Array;
}

export interface RenderOptions {
  id: string;
  labels: number[];
  size: number;
  seed: number;
  /**
   * The teaching demo's images, which a small model learns within minutes at 64 px: a close-up of
   * fewer, larger cells (TEACHING_LAYOUT), every labelled pattern at full strength in every cell (the
   * two diffuse fills at half), no haze, one sharp focus, fixed gains and little camera noise. The
   * patterns are the same but for two that differ below a pixel at 64 px (PatternContext.teaching).
   * Absent or false: the realistic images, unchanged.
   */
  teaching?: boolean;
  /**
   * Also return, per labelled class, the pixels its green pattern covers (ClassMask). The rendered
   * channels are the same with or without this option.
   */
  classMasks?: boolean;
}

/**
 * Where one labelled class's pattern lies: the green signal that class's pattern added, blurred
 * with the green channel's focus, thresholded at CLASS_MASK_LEVEL of its maximum. size² bytes,
 * row-major, 1 = the pattern, 0 = elsewhere. A pattern another class covers too (nucleoplasm under
 * nuclear speckles) is in both masks.
 */
export interface ClassMask {
  label: number;
  mask: Uint8Array;
}

/** The share of a class's peak (after blur) above which a pixel belongs to its mask. */
export const CLASS_MASK_LEVEL = 0.2;

export interface RenderedSample extends SampleChannels {
  /** renderSample's classMasks option: one mask per distinct label, ascending by label */
  masks?: ClassMask[];
  /** with classMasks: size² bytes, 1 where a cell is (its nucleus included), 0 on the background */
  cells?: Uint8Array;
}

/** Diffuse fills (nucleoplasm, cytosol) that the teaching demo draws at half strength, so that dots and lines over them stay clear. */
const TEACHING_DIFFUSE = [0, 25];

/** The teaching demo's framing: 2.5× closer than the realistic images, 2–6 cells. */
export const TEACHING_LAYOUT: LayoutOptions = { zoom: 2.5, cells: [2, 6] };

const clamp01 = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);

/** Ridged value noise raised to a power: a thin random network (the ER reticulum). */
function reticulum(n: number, scale: number, rng: Random): Layer {
  const a = valueNoise(n, 9 * scale, rng);
  const b = valueNoise(n, 4.5 * scale, rng);
  for (let p = 0; p < a.length; p++) {
    const ra = 1 - Math.abs(2 * a[p] - 1);
    const rb = 1 - Math.abs(2 * b[p] - 1);
    const r = Math.max(ra * ra * ra * ra, 0.8 * rb * rb * rb * rb);
    a[p] = r;
  }
  return a;
}

function nucleoli(layout: CellLayout): Layer {
  const { n } = layout;
  const out = new Float32Array(n * n);
  for (const c of layout.cells) {
    for (const nl of c.nucleoli) {
      // two offset blobs make the nucleolus irregular
      spot(out, n, nl.x, nl.y, nl.r * 0.75, 0.85);
      spot(out, n, nl.x + nl.r * 0.4, nl.y - nl.r * 0.3, nl.r * 0.55, 0.45);
    }
  }
  return out;
}

/**
 * Scales a signal layer so its robust peak maps to `gain`, adds the camera's offset and noise
 * (shot noise ∝ √signal plus read noise), and quantises to 8 bits.
 */
function expose(layer: Layer, gain: number, offset: number, shot: number, read: number, rng: Random): Uint8Array {
  const N = layer.length;
  let max = 0;
  for (let p = 0; p < N; p++) if (layer[p] > max) max = layer[p];
  let ref = 1;
  if (max > 1e-9) {
    // 99.7th percentile from a 1024-bin histogram, floored at 30 % of the maximum
    const bins = new Uint32Array(1024);
    const k = 1023 / max;
    for (let p = 0; p < N; p++) bins[(layer[p] * k) | 0]++;
    let above = Math.floor(N * 0.003);
    let b = 1023;
    for (; b > 0; b--) {
      if (bins[b] > above) break;
      above -= bins[b];
    }
    ref = Math.max((b + 1) / k, 0.3 * max);
  }
  const g = gain / ref;
  const out = new Uint8Array(N);
  const read2 = read * read;
  for (let p = 0; p < N; p++) {
    let v = layer[p] * g + offset;
    v += Math.sqrt(v * shot + read2) * rng.normal();
    out[p] = v <= 0 ? 0 : v >= 254.5 ? 255 : (v + 0.5) | 0;
  }
  return out;
}

export function renderSample(opts: RenderOptions): RenderedSample {
  const n = opts.size;
  if (!Number.isInteger(n) || n < MIN_SIZE || n > MAX_SIZE) throw new RangeError(`size must be a whole number from ${MIN_SIZE} to ${MAX_SIZE}, got ${n}`);
  const cellsRng = new Random(hashSeed('cells', opts.seed, opts.id, n));
  const opticsRng = new Random(hashSeed('optics', opts.seed, opts.id, n));
  const greenRng = new Random(hashSeed('green', opts.seed, opts.id, n));
  const noiseRng = new Random(hashSeed('noise', opts.seed, opts.id, n));

  const teaching = opts.teaching === true;
  const layout = teaching ? layoutCells(n, cellsRng, TEACHING_LAYOUT) : layoutCells(n, cellsRng);
  const { scale, id, q, nd } = layout;
  const N = n * n;
  const mt = microtubules(layout, cellsRng);
  const er = reticulum(n, scale, cellsRng);
  const tex = valueNoise(n, 4 * scale, cellsRng);
  const nucleolar = nucleoli(layout);

  // reference channels
  const dna = new Float32Array(layout.cells.length + 1);
  const rim = new Float32Array(layout.cells.length + 1);
  for (const c of layout.cells) {
    dna[c.id] = c.dna;
    rim[c.id] = (1.8 * scale + 0.35) / ((c.na + c.nb) / 2);
  }
  const red = new Float32Array(N);
  const blue = new Float32Array(N);
  const yellow = new Float32Array(N);
  for (let p = 0; p < N; p++) {
    const k = id[p];
    if (k === 0) continue;
    const nucl = clamp01((1 - nd[p]) / 0.1);
    const cyto = clamp01((nd[p] - 1) / 0.08) * clamp01((1 - q[p]) / 0.05);
    blue[p] = dna[k] * nucl * (0.55 + 0.55 * tex[p]) * (1 - 0.5 * Math.min(1, nucleolar[p]));
    red[p] = 0.12 * cyto * (1.1 - 0.5 * q[p]) + 0.03 * nucl + 1.3 * mt.layer[p];
    const r = (nd[p] - 1) / rim[k];
    yellow[p] = cyto * (0.12 + 0.88 * er[p]) * (1.25 - 0.8 * q[p]) + (r > -3 && r < 3 ? 0.35 * Math.exp(-r * r) : 0) + 0.04 * nucl;
  }

  // green: the union of the labels' patterns, each with its own strength, over a faint haze
  const green = new Float32Array(N);
  const base = new Float32Array(layout.cells.length + 1);
  if (teaching) base.fill(1);
  else {
    const heterogeneity = greenRng.chance(0.5) ? 0 : greenRng.range(0, 0.65);
    for (const c of layout.cells) base[c.id] = 1 - heterogeneity * greenRng.next();
  }
  const expr = new Float32Array(base.length);
  const ctx: PatternContext = { layout, green, rng: greenRng, expr, mt, er, nucleolar, tex, teaching };
  // per label, what its pattern added to green (classMasks only; green itself is drawn exactly as without)
  const added: { label: number; layer: Layer }[] = [];
  for (const label of [...new Set(opts.labels)].sort((a, b) => a - b)) {
    const pattern = CLASS_PATTERNS[label];
    if (!pattern) throw new RangeError(`label ${label} is not a class id 0..${CLASS_PATTERNS.length - 1}`);
    const w = teaching ? (TEACHING_DIFFUSE.includes(label) ? 0.5 : 1) : greenRng.range(0.6, 1.0);
    for (let k = 0; k < base.length; k++) expr[k] = base[k] * w;
    const before = opts.classMasks ? green.slice() : null;
    pattern(ctx);
    if (before) {
      const layer = new Float32Array(N);
      for (let p = 0; p < N; p++) layer[p] = green[p] - before[p];
      added.push({ label, layer });
    }
  }
  const haze = teaching ? 0 : opticsRng.range(0, 0.04);
  if (haze > 0) for (let p = 0; p < N; p++) if (id[p] !== 0) green[p] += haze * (nd[p] < 1 ? 0.6 : 1);

  // optics: one focus per image, slightly different per channel
  const tmp = new Float32Array(N);
  const layers = [red, green, blue, yellow];
  if (teaching) {
    const sigma = Math.max(0.5, 0.7 * scale);
    for (const layer of layers) blur(layer, tmp, n, sigma);
    const gains = [0.6, 0.95, 0.7, 0.4];
    const out = layers.map((layer, i) => expose(layer, 255 * gains[i], 2, 0.2, 0.6, noiseRng));
    return { red: out[0], green: out[1], blue: out[2], yellow: out[3], ...masksOf(added, layout, sigma, opts) };
  }
  const sigma = opticsRng.range(0.7, 1.7) * scale;
  const sigmas = layers.map((layer) => {
    const s = sigma * opticsRng.range(0.9, 1.15);
    blur(layer, tmp, n, s);
    return s;
  });

  // camera: per-channel gain, offset and noise
  const gains = [opticsRng.range(0.35, 0.85), opticsRng.range(0.3, 1.0), opticsRng.range(0.45, 0.95), opticsRng.range(0.25, 0.6)];
  const shot = opticsRng.range(0.2, 1.2);
  const read = opticsRng.range(0.6, 3.0);
  const out = layers.map((layer, i) => expose(layer, 255 * gains[i], opticsRng.range(1, 8), shot, read, noiseRng));
  return { red: out[0], green: out[1], blue: out[2], yellow: out[3], ...masksOf(added, layout, sigmas[1], opts) };
}

/** Each label's added green, blurred as the green channel was, thresholded at CLASS_MASK_LEVEL of its maximum. */
function masksOf(added: { label: number; layer: Layer }[], layout: CellLayout, sigma: number, opts: RenderOptions): Pick<RenderedSample, 'masks' | 'cells'> {
  if (!opts.classMasks) return {};
  const { n } = layout;
  const tmp = new Float32Array(n * n);
  return {
    cells: Uint8Array.from(layout.id, (k) => (k === 0 ? 0 : 1)),
    masks: added.map(({ label, layer }) => {
      blur(layer, tmp, n, sigma);
      let max = 0;
      for (const v of layer) if (v > max) max = v;
      const mask = new Uint8Array(n * n);
      if (max > 0) for (let p = 0; p < mask.length; p++) mask[p] = layer[p] >= CLASS_MASK_LEVEL * max ? 1 : 0;
      return { label, mask };
    }),
  };
}
