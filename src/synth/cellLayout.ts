/**
 * The cells of one synthetic image: where they are, their irregular outlines, nuclei, nucleoli and
 * centrosomes, rasterised into per-pixel maps (owning cell, distance to the cell edge, distance to
 * the nucleus edge). Every channel and class pattern is drawn from these maps, so the reference
 * channels and the green patterns agree on where each compartment is.
 */
import type { Random } from './random';

export interface Nucleolus {
  x: number;
  y: number;
  r: number;
}

export interface Cell {
  /** 1-based id used in CellLayout.id */
  id: number;
  cx: number;
  cy: number;
  /** mean radius in px; the outline is r·(1 + 2nd and 3rd angular harmonics) */
  r: number;
  h2c: number;
  h2s: number;
  h3c: number;
  h3s: number;
  /** nucleus: centre, semi-axes (px), orientation, 2nd-harmonic wobble */
  nx: number;
  ny: number;
  na: number;
  nb: number;
  ncos: number;
  nsin: number;
  nw2c: number;
  nw2s: number;
  /** microtubule organising centre (centrosome) beside the nucleus, and the unit direction to it */
  mtocX: number;
  mtocY: number;
  mdx: number;
  mdy: number;
  nucleoli: Nucleolus[];
  /** relative DNA stain brightness */
  dna: number;
}

export interface CellLayout {
  /** image side in px */
  n: number;
  /** px per design px (design images are 512 px) */
  scale: number;
  cells: Cell[];
  /** owning cell id per pixel, 0 for background */
  id: Uint8Array;
  /** distance to the owning cell's outline, normalised: 0 at its centre, 1 at the edge; 2 on background */
  q: Float32Array;
  /** distance to the owning cell's nucleus outline, normalised: < 1 inside the nucleus; 9 on background */
  nd: Float32Array;
}

/** Distance from the nucleus centre to its outline (without wobble) along the unit direction (ux, uy). */
export function nucleusRadius(c: Cell, ux: number, uy: number): number {
  const u = ux * c.ncos + uy * c.nsin;
  const v = -ux * c.nsin + uy * c.ncos;
  return 1 / Math.sqrt((u * u) / (c.na * c.na) + (v * v) / (c.nb * c.nb));
}

/** A point inside the nucleus, `maxQ` of the way out at most (uniform over that ellipse). */
export function pointInNucleus(c: Cell, rng: Random, maxQ: number): [number, number] {
  const t = 2 * Math.PI * rng.next();
  const rho = maxQ * Math.sqrt(rng.next());
  const u = rho * c.na * Math.cos(t);
  const v = rho * c.nb * Math.sin(t);
  return [c.nx + u * c.ncos - v * c.nsin, c.ny + u * c.nsin + v * c.ncos];
}

function makeCell(id: number, cx: number, cy: number, r: number, rng: Random, scale: number): Cell {
  const a2 = rng.range(0, 0.22);
  const p2 = rng.range(0, 2 * Math.PI);
  const a3 = rng.range(0, 0.12);
  const p3 = rng.range(0, 2 * Math.PI);
  const na = r * rng.range(0.3, 0.42);
  const nb = na * rng.range(0.7, 0.98);
  const nang = rng.range(0, Math.PI);
  const off = r * rng.range(0, 0.14);
  const offA = rng.range(0, 2 * Math.PI);
  const w2 = rng.range(0, 0.05);
  const wp = rng.range(0, 2 * Math.PI);
  const cell: Cell = {
    id,
    cx,
    cy,
    r,
    h2c: a2 * Math.cos(p2),
    h2s: a2 * Math.sin(p2),
    h3c: a3 * Math.cos(p3),
    h3s: a3 * Math.sin(p3),
    nx: cx + off * Math.cos(offA),
    ny: cy + off * Math.sin(offA),
    na,
    nb,
    ncos: Math.cos(nang),
    nsin: Math.sin(nang),
    nw2c: w2 * Math.cos(wp),
    nw2s: w2 * Math.sin(wp),
    mtocX: 0,
    mtocY: 0,
    mdx: 0,
    mdy: 0,
    nucleoli: [],
    dna: rng.range(0.75, 1.05),
  };
  // The centrosome sits just outside the nucleus, on the side with more cytoplasm more often than not.
  let ma = rng.range(0, 2 * Math.PI);
  if (off > 0.04 * r && rng.chance(0.6)) ma = offA + Math.PI + rng.range(-0.8, 0.8);
  cell.mdx = Math.cos(ma);
  cell.mdy = Math.sin(ma);
  const rn = nucleusRadius(cell, cell.mdx, cell.mdy);
  cell.mtocX = cell.nx + cell.mdx * (rn * 1.06 + 3 * scale);
  cell.mtocY = cell.ny + cell.mdy * (rn * 1.06 + 3 * scale);
  const count = rng.int(1, 3);
  for (let i = 0; i < count; i++) {
    const [x, y] = pointInNucleus(cell, rng, 0.55);
    cell.nucleoli.push({ x, y, r: na * rng.range(0.1, 0.19) });
  }
  return cell;
}

/** How the field of view is framed: the realistic default, or the teaching demo's close-up. */
export interface LayoutOptions {
  /** magnification over the 512-px design image: cells and every pattern's feature sizes grow by it */
  zoom: number;
  /** fewest and most cells to place (fewer may fit) */
  cells: readonly [number, number];
}

export const REALISTIC_LAYOUT: LayoutOptions = { zoom: 1, cells: [3, 16] };

/**
 * Places `o.cells` cells (3–16 by default), mostly in touching colonies (the first two always touch),
 * and rasterises them.
 */
export function layoutCells(n: number, rng: Random, o: LayoutOptions = REALISTIC_LAYOUT): CellLayout {
  const scale = (o.zoom * n) / 512;
  const target = rng.int(o.cells[0], o.cells[1]);
  const meanR = 512 * scale * rng.range(0.085, 0.15);
  const colony = rng.range(0.6, 0.95);
  const cells: Cell[] = [];
  for (let tries = 0; cells.length < target && tries < target * 25; tries++) {
    const r = meanR * rng.range(0.8, 1.2);
    let cx: number;
    let cy: number;
    if (cells.length === 0) {
      cx = rng.range(0.25, 0.75) * n;
      cy = rng.range(0.25, 0.75) * n;
    } else if (cells.length === 1 || rng.chance(colony)) {
      const nb = cells[cells.length === 1 ? 0 : rng.int(0, cells.length - 1)];
      const a = rng.range(0, 2 * Math.PI);
      const d = (nb.r + r) * rng.range(0.7, 0.92);
      cx = nb.cx + d * Math.cos(a);
      cy = nb.cy + d * Math.sin(a);
    } else {
      cx = rng.range(-0.05, 1.05) * n;
      cy = rng.range(-0.05, 1.05) * n;
    }
    if (cx < -0.1 * n || cx > 1.1 * n || cy < -0.1 * n || cy > 1.1 * n) continue;
    if (cells.some((c) => Math.hypot(c.cx - cx, c.cy - cy) < 0.68 * (c.r + r))) continue;
    cells.push(makeCell(cells.length + 1, cx, cy, r, rng, scale));
  }
  if (cells.length === 0) cells.push(makeCell(1, n / 2, n / 2, meanR, rng, scale));
  return rasterise(n, scale, cells);
}

function rasterise(n: number, scale: number, cells: Cell[]): CellLayout {
  const N = n * n;
  const id = new Uint8Array(N);
  const q = new Float32Array(N).fill(2);
  const nd = new Float32Array(N).fill(9);
  const score = new Float32Array(N).fill(3);
  for (const c of cells) {
    const reach = c.r * (1 + Math.hypot(c.h2c, c.h2s) + Math.hypot(c.h3c, c.h3s));
    const x0 = Math.max(0, Math.floor(c.cx - reach));
    const x1 = Math.min(n - 1, Math.ceil(c.cx + reach));
    const y0 = Math.max(0, Math.floor(c.cy - reach));
    const y1 = Math.min(n - 1, Math.ceil(c.cy + reach));
    const ia = 1 / c.na;
    const ib = 1 / c.nb;
    for (let py = y0; py <= y1; py++) {
      const dy = py + 0.5 - c.cy;
      const ndy = py + 0.5 - c.ny;
      for (let px = x0; px <= x1; px++) {
        const dx = px + 0.5 - c.cx;
        const d = Math.sqrt(dx * dx + dy * dy);
        const cs = d > 0 ? dx / d : 1;
        const sn = d > 0 ? dy / d : 0;
        const c2 = cs * cs - sn * sn;
        const s2 = 2 * cs * sn;
        const c3 = cs * c2 - sn * s2;
        const s3 = sn * c2 + cs * s2;
        const qq = d / (c.r * (1 + c.h2c * c2 + c.h2s * s2 + c.h3c * c3 + c.h3s * s3));
        // nucleus: ellipse frame with a small 2nd-harmonic wobble
        const ndx = px + 0.5 - c.nx;
        const u = (ndx * c.ncos + ndy * c.nsin) * ia;
        const v = (-ndx * c.nsin + ndy * c.ncos) * ib;
        const rho = Math.sqrt(u * u + v * v);
        let qn = rho;
        if (rho > 0) {
          const uc = u / rho;
          const vs = v / rho;
          qn = rho / (1 + c.nw2c * (uc * uc - vs * vs) + c.nw2s * 2 * uc * vs);
        }
        // a nucleus always belongs to its own cell; elsewhere the relatively nearer cell wins
        const sc = qn < 1 ? qn - 2 : qq;
        if (sc < 1 && sc < score[py * n + px]) {
          const p = py * n + px;
          score[p] = sc;
          id[p] = c.id;
          q[p] = Math.min(qq, 1);
          nd[p] = qn;
        }
      }
    }
  }
  return { n, scale, cells, id, q, nd };
}

/**
 * Outline pixels: 1 where a cell pixel has a 4-neighbour that belongs elsewhere. `junctionsOnly`
 * keeps only the boundaries between two cells (not cell against background).
 */
export function outlines(layout: CellLayout, junctionsOnly: boolean): Uint8Array {
  const { n, id } = layout;
  const out = new Uint8Array(n * n);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const p = y * n + x;
      const k = id[p];
      if (k === 0) continue;
      const l = x > 0 ? id[p - 1] : k;
      const r = x < n - 1 ? id[p + 1] : k;
      const u = y > 0 ? id[p - n] : k;
      const d = y < n - 1 ? id[p + n] : k;
      const edge = junctionsOnly
        ? (l !== k && l !== 0) || (r !== k && r !== 0) || (u !== k && u !== 0) || (d !== k && d !== 0)
        : l !== k || r !== k || u !== k || d !== k;
      if (edge) out[p] = 1;
    }
  }
  return out;
}
