/**
 * Filaments as persistent random walks inside one cell: the microtubule network of the red channel
 * (radiating from the centrosome, bending around the nucleus, ending near the cell edge) and the
 * wavy lines of intermediate filaments, mitochondria and the like.
 */
import { type Cell, type CellLayout, nucleusRadius } from './cellLayout';
import { deposit, type Layer } from './raster';
import type { Random } from './random';

export interface WalkOptions {
  /** maximum length in px */
  length: number;
  /** random turning, radians per sqrt(design px) */
  turn: number;
  /** signal per px of length */
  density: number;
  /** bend away from the nucleus instead of crossing it */
  avoidNucleus: boolean;
  /** stop this close to the cell edge (normalised distance q) */
  edgeQ: number;
  /** a slow sinusoidal bend added to the random turning (radians per design px), for wavy fibres */
  wave?: number;
}

/**
 * Walks from (x, y) in direction (dx, dy) through `cell`, depositing into `layer`, and returns the
 * end point. Stops at the length limit, the image border, another cell, or the cell edge.
 */
export function walk(
  layout: CellLayout,
  cell: Cell,
  layer: Layer,
  rng: Random,
  x: number,
  y: number,
  dx: number,
  dy: number,
  o: WalkOptions,
): [number, number] {
  const { n, scale, id, q, nd } = layout;
  const h = 0.5;
  const steps = Math.ceil(o.length / h);
  const sd = o.turn * Math.sqrt(h / scale);
  const m = o.density * h;
  const wavePhase = rng.range(0, 2 * Math.PI);
  const waveFreq = rng.range(0.04, 0.09) / scale;
  let norm = Math.hypot(dx, dy) || 1;
  dx /= norm;
  dy /= norm;
  for (let i = 0; i < steps; i++) {
    let t = sd * rng.normal();
    if (o.wave) t += ((o.wave * h) / scale) * Math.sin(wavePhase + i * h * waveFreq);
    const ndx = dx - t * dy;
    const ndy = dy + t * dx;
    norm = Math.hypot(ndx, ndy);
    dx = ndx / norm;
    dy = ndy / norm;
    const nxp = x + dx * h;
    const nyp = y + dy * h;
    const px = Math.floor(nxp);
    const py = Math.floor(nyp);
    if (px < 0 || py < 0 || px >= n || py >= n) break;
    const p = py * n + px;
    if (id[p] !== cell.id || q[p] > o.edgeQ) break;
    if (o.avoidNucleus && nd[p] < 1.12) {
      // turn tangentially: drop the component that points into the nucleus
      let rx = nxp - cell.nx;
      let ry = nyp - cell.ny;
      const rl = Math.hypot(rx, ry) || 1;
      rx /= rl;
      ry /= rl;
      const inward = dx * rx + dy * ry;
      if (inward < 0) {
        dx -= inward * rx * 1.2;
        dy -= inward * ry * 1.2;
        norm = Math.hypot(dx, dy) || 1;
        dx /= norm;
        dy /= norm;
      }
      if (nd[p] < 1) break;
    }
    x = nxp;
    y = nyp;
    deposit(layer, n, x, y, m);
  }
  return [x, y];
}

export interface Microtubules {
  layer: Layer;
  /** the free (plus) ends of the filaments, for the "microtubule ends" pattern */
  tips: [number, number][];
}

/**
 * The microtubule network of every cell: 50–90 filaments, about half from its centrosome and the
 * rest from around the nucleus, running out to the cell edge.
 */
export function microtubules(layout: CellLayout, rng: Random): Microtubules {
  const { n, scale } = layout;
  const layer = new Float32Array(n * n);
  const tips: [number, number][] = [];
  for (const c of layout.cells) {
    const count = rng.int(50, 90);
    for (let i = 0; i < count; i++) {
      let x: number;
      let y: number;
      let dx: number;
      let dy: number;
      if (rng.chance(0.45)) {
        // from the centrosome, mostly away from the nucleus, spread over a few px so the aster's
        // centre does not saturate
        const a = rng.range(0, 2 * Math.PI);
        dx = Math.cos(a);
        dy = Math.sin(a);
        if (dx * c.mdx + dy * c.mdy < -0.3 && rng.chance(0.7)) {
          dx = -dx;
          dy = -dy;
        }
        const start = rng.range(2, 4 + (0.3 * c.r) / scale) * scale;
        x = c.mtocX + dx * start;
        y = c.mtocY + dy * start;
      } else {
        // from around the nucleus outwards, so the network reaches every side of the cell
        const a = rng.range(0, 2 * Math.PI);
        const ux = Math.cos(a);
        const uy = Math.sin(a);
        const d = nucleusRadius(c, ux, uy) * 1.1 + rng.range(1, 6) * scale;
        x = c.nx + ux * d;
        y = c.ny + uy * d;
        const t = rng.range(-0.7, 0.7);
        dx = ux - t * uy;
        dy = uy + t * ux;
      }
      const end = walk(layout, c, layer, rng, x, y, dx, dy, {
        length: c.r * 3,
        turn: 0.06,
        density: 0.3 * scale,
        avoidNucleus: true,
        edgeQ: rng.range(0.88, 0.99),
      });
      tips.push(end);
    }
  }
  return { layer, tips };
}
