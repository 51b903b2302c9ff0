/**
 * The green (protein) channel's 28 class patterns, one per HPA class, each tied to the compartment
 * docs/domain.md §9 names. A pattern draws into the green layer using the cell maps, the red
 * microtubule network and the yellow ER texture, so it sits where that compartment is.
 */
import { type Cell, type CellLayout, nucleusRadius, outlines, pointInNucleus } from './cellLayout';
import { walk, type Microtubules } from './filaments';
import { type Layer, ring, spot, stroke } from './raster';
import type { Random } from './random';

export interface PatternContext {
  layout: CellLayout;
  green: Layer;
  rng: Random;
  /** protein expression per cell id (index 0 unused), already scaled by this label's weight */
  expr: Float32Array;
  mt: Microtubules;
  /** ER reticulum texture in [0, 1] (drives the yellow channel too) */
  er: Layer;
  /** nucleoli as soft discs (also darken the blue channel) */
  nucleolar: Layer;
  /** fine texture in [0, 1] */
  tex: Layer;
  /**
   * The teaching demo's images (renderSample's `teaching`): the few patterns that only differ below a
   * pixel at 64 px are drawn apart (the centrosome's two dots further apart, the organizing centre's
   * one dot larger). Absent: the realistic patterns.
   */
  teaching?: boolean;
}

/** One line per class: what its green pattern looks like. */
export const PATTERN_DESCRIPTIONS: readonly string[] = [
  'fills the nuclei (textured, nucleoli spared)',
  'thin rim at the nuclear edge',
  '1–3 bright spots per nucleus (the nucleoli)',
  'tiny dots inside the nucleoli',
  'many small dots in the nuclei',
  'a few medium dots in the nuclei',
  'reticular cytoplasm following the yellow ER',
  'crescent of blobs beside the nucleus, at the centrosome side',
  'many tiny dots throughout the cytoplasm',
  'small dots, denser near the nucleus',
  'larger dots clustered near the nucleus',
  'long wavy fibres wrapping the nucleus',
  'straight parallel fibres across each cell',
  'short radial dashes at the cell edge',
  'the red microtubule network',
  'dots at the microtubule tips near the cell edge',
  'a bar with a midbody between two neighbouring nuclei',
  'bipolar fan of fibres on a nucleus',
  'one bright dot beside the nucleus',
  'two close bright dots beside the nucleus',
  'hollow rings in the cytoplasm',
  'the outline of every cell',
  'the boundaries between touching cells only',
  'short worms throughout the cytoplasm',
  'one large blob by the nucleus in one or two cells',
  'diffuse cytoplasm',
  'a few medium dots in the cytoplasm',
  'a few small rods and rings',
];

const clamp01 = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);

/** How much of pixel p is cytoplasm: 0 in the nucleus and outside cells, soft at both edges. */
function cytoplasm(layout: CellLayout, p: number): number {
  if (layout.id[p] === 0) return 0;
  return clamp01((layout.nd[p] - 1) / 0.08) * clamp01((1 - layout.q[p]) / 0.05);
}

/** How much of pixel p is nucleus: soft at the rim. */
function nucleus(layout: CellLayout, p: number): number {
  return layout.id[p] === 0 ? 0 : clamp01((1 - layout.nd[p]) / 0.1);
}

/** Adds f(p) · expression to every cell pixel. */
function fill(ctx: PatternContext, f: (p: number) => number): void {
  const { layout, green, expr } = ctx;
  const { id } = layout;
  for (let p = 0; p < green.length; p++) {
    const k = id[p];
    if (k !== 0) green[p] += expr[k] * f(p);
  }
}

/** A random cytoplasm point of `cell`; `bias` > 0 prefers points near the nucleus. */
function cytoPoint(ctx: PatternContext, cell: Cell, bias: number, qMin = 0, qMax = 0.95): [number, number] | null {
  const { layout, rng } = ctx;
  const { n, id, q, nd } = layout;
  for (let tries = 0; tries < 40; tries++) {
    const x = cell.cx + (rng.next() * 2 - 1) * cell.r * 1.25;
    const y = cell.cy + (rng.next() * 2 - 1) * cell.r * 1.25;
    if (x < 0 || y < 0 || x >= n || y >= n) continue;
    const p = Math.floor(y) * n + Math.floor(x);
    if (id[p] !== cell.id || nd[p] < 1.15 || q[p] > qMax || q[p] < qMin) continue;
    if (bias > 0 && rng.next() * (1 + bias * (nd[p] - 1) ** 2) > 1) continue;
    return [x, y];
  }
  return null;
}

/** Draws `count(cell)` spots per cell at points from `where`. */
function dots(ctx: PatternContext, count: (c: Cell) => number, where: (c: Cell) => [number, number] | null, sigma: () => number, peak: () => number): void {
  const { layout, green, expr } = ctx;
  for (const c of layout.cells) {
    const m = count(c);
    for (let i = 0; i < m; i++) {
      const pt = where(c);
      if (pt) spot(green, layout.n, pt[0], pt[1], sigma(), peak() * expr[c.id]);
    }
  }
}

function nuclearRim(ctx: PatternContext, amp: number): void {
  const { layout } = ctx;
  const width = new Float32Array(layout.cells.length + 1);
  for (const c of layout.cells) width[c.id] = (1.8 * layout.scale + 0.35) / ((c.na + c.nb) / 2);
  fill(ctx, (p) => {
    const d = (layout.nd[p] - 1) / width[layout.id[p]];
    return d > -3 && d < 3 ? amp * Math.exp(-d * d) * (0.7 + 0.6 * ctx.tex[p]) : 0;
  });
}

function outline(ctx: PatternContext, junctionsOnly: boolean): void {
  const { layout } = ctx;
  const edge = outlines(layout, junctionsOnly);
  const amp = 2.4 * layout.scale;
  fill(ctx, (p) => (edge[p] ? amp * (0.7 + 0.6 * ctx.tex[p]) : 0));
}

type Pattern = (ctx: PatternContext) => void;

const s = (ctx: PatternContext) => ctx.layout.scale;

export const CLASS_PATTERNS: readonly Pattern[] = [
  // 0 Nucleoplasm
  (ctx) => fill(ctx, (p) => 0.6 * nucleus(ctx.layout, p) * (0.65 + 0.5 * ctx.tex[p]) * (1 - 0.7 * Math.min(1, ctx.nucleolar[p]))),
  // 1 Nuclear membrane
  (ctx) => nuclearRim(ctx, 0.9),
  // 2 Nucleoli
  (ctx) => fill(ctx, (p) => 1.0 * Math.min(1.2, ctx.nucleolar[p]) + 0.04 * nucleus(ctx.layout, p)),
  // 3 Nucleoli fibrillar center
  (ctx) => {
    const { layout, rng, green, expr } = ctx;
    for (const c of layout.cells) {
      for (const nl of c.nucleoli) {
        const m = rng.int(2, 6);
        for (let i = 0; i < m; i++) {
          const a = rng.range(0, 2 * Math.PI);
          const d = nl.r * 0.65 * Math.sqrt(rng.next());
          spot(green, layout.n, nl.x + d * Math.cos(a), nl.y + d * Math.sin(a), 0.9 * s(ctx) + 0.2, 1.2 * expr[c.id]);
        }
      }
    }
  },
  // 4 Nuclear speckles
  (ctx) => {
    fill(ctx, (p) => 0.07 * nucleus(ctx.layout, p));
    dots(
      ctx,
      () => ctx.rng.int(15, 35),
      (c) => pointInNucleus(c, ctx.rng, 0.85),
      () => ctx.rng.range(1.0, 2.0) * s(ctx),
      () => ctx.rng.range(0.5, 1.0),
    );
  },
  // 5 Nuclear bodies
  (ctx) =>
    dots(
      ctx,
      () => ctx.rng.int(1, 6),
      (c) => pointInNucleus(c, ctx.rng, 0.75),
      () => ctx.rng.range(2.0, 3.2) * s(ctx),
      () => ctx.rng.range(0.8, 1.2),
    ),
  // 6 Endoplasmic reticulum
  (ctx) => {
    fill(ctx, (p) => 0.8 * cytoplasm(ctx.layout, p) * ctx.er[p] * (1.2 - 0.6 * ctx.layout.q[p]));
    nuclearRim(ctx, 0.25);
  },
  // 7 Golgi apparatus
  (ctx) => {
    const { layout, rng, green, expr } = ctx;
    for (const c of layout.cells) {
      const base = Math.atan2(c.mdy, c.mdx);
      const spread = rng.range(0.3, 0.65);
      const m = rng.int(8, 16);
      for (let i = 0; i < m; i++) {
        const a = base + rng.range(-spread, spread);
        const ux = Math.cos(a);
        const uy = Math.sin(a);
        const d = nucleusRadius(c, ux, uy) * 1.04 + rng.range(2, 7) * s(ctx);
        spot(green, layout.n, c.nx + d * ux, c.ny + d * uy, rng.range(1.8, 3.2) * s(ctx), rng.range(0.7, 1.1) * expr[c.id]);
      }
    }
  },
  // 8 Peroxisomes
  (ctx) =>
    dots(
      ctx,
      () => ctx.rng.int(40, 90),
      (c) => cytoPoint(ctx, c, 0),
      () => ctx.rng.range(0.8, 1.1) * s(ctx),
      () => ctx.rng.range(0.6, 1.0),
    ),
  // 9 Endosomes
  (ctx) =>
    dots(
      ctx,
      () => ctx.rng.int(20, 45),
      (c) => cytoPoint(ctx, c, 1.5),
      () => ctx.rng.range(1.4, 2.0) * s(ctx),
      () => ctx.rng.range(0.5, 0.9),
    ),
  // 10 Lysosomes
  (ctx) =>
    dots(
      ctx,
      () => ctx.rng.int(10, 28),
      (c) => cytoPoint(ctx, c, 4),
      () => ctx.rng.range(2.2, 3.0) * s(ctx),
      () => ctx.rng.range(0.5, 0.85),
    ),
  // 11 Intermediate filaments
  (ctx) => {
    const { layout, rng, green } = ctx;
    for (const c of layout.cells) {
      const m = rng.int(8, 16);
      for (let i = 0; i < m; i++) {
        const pt = cytoPoint(ctx, c, 0.8);
        if (!pt) continue;
        // start tangential to the nucleus so the fibres wrap around it
        const rx = pt[0] - c.nx;
        const ry = pt[1] - c.ny;
        const o = { length: c.r * rng.range(0.6, 1.2), turn: 0.03, density: 0.9 * s(ctx) * ctx.expr[c.id], avoidNucleus: true, edgeQ: 0.96, wave: 0.05 };
        walk(layout, c, green, rng, pt[0], pt[1], -ry, rx, o);
        walk(layout, c, green, rng, pt[0], pt[1], ry, -rx, o);
      }
    }
  },
  // 12 Actin filaments
  (ctx) => {
    const { layout, rng, green } = ctx;
    fill(ctx, (p) => (ctx.layout.q[p] > 0.85 ? 0.15 : 0));
    for (const c of layout.cells) {
      const a = rng.range(0, Math.PI);
      const ux = Math.cos(a);
      const uy = Math.sin(a);
      const m = rng.int(4, 10);
      for (let i = 0; i < m; i++) {
        if (rng.chance(0.2)) continue;
        const off = (((i + rng.range(0.1, 0.9)) / m) * 2 - 1) * c.r * 0.9;
        const x = c.cx - uy * off;
        const y = c.cy + ux * off;
        const px = Math.floor(x);
        const py = Math.floor(y);
        if (px < 0 || py < 0 || px >= layout.n || py >= layout.n || layout.id[py * layout.n + px] !== c.id) continue;
        const density = rng.range(0.4, 1.3) * s(ctx) * ctx.expr[c.id];
        const edgeQ = 0.95;
        walk(layout, c, green, rng, x, y, ux, uy, { length: c.r * rng.range(0.4, 2), turn: 0.006, density, avoidNucleus: false, edgeQ });
        walk(layout, c, green, rng, x, y, -ux, -uy, { length: c.r * rng.range(0.4, 2), turn: 0.006, density, avoidNucleus: false, edgeQ });
      }
    }
  },
  // 13 Focal adhesion sites
  (ctx) => {
    const { layout, rng, green, expr } = ctx;
    for (const c of layout.cells) {
      const m = rng.int(10, 24);
      for (let i = 0; i < m; i++) {
        const pt = cytoPoint(ctx, c, 0, 0.8, 0.93);
        if (!pt) continue;
        const dx = pt[0] - c.cx;
        const dy = pt[1] - c.cy;
        const dl = Math.hypot(dx, dy) || 1;
        const half = (rng.range(4, 9) * s(ctx)) / 2;
        const ux = (dx / dl) * half;
        const uy = (dy / dl) * half;
        stroke(green, layout.n, pt[0] - ux, pt[1] - uy, pt[0] + ux, pt[1] + uy, 1.6 * s(ctx) * expr[c.id]);
      }
    }
  },
  // 14 Microtubules
  (ctx) => fill(ctx, (p) => 1.4 * ctx.mt.layer[p]),
  // 15 Microtubule ends
  (ctx) => {
    const { layout, rng, green, expr } = ctx;
    fill(ctx, (p) => 0.05 * cytoplasm(ctx.layout, p));
    for (const [x, y] of ctx.mt.tips) {
      if (!rng.chance(0.7)) continue;
      const k = layout.id[Math.floor(y) * layout.n + Math.floor(x)];
      spot(green, layout.n, x, y, 1.1 * s(ctx) + 0.1, 1.1 * expr[k]);
    }
  },
  // 16 Cytokinetic bridge
  (ctx) => {
    const { layout, rng, green, expr } = ctx;
    const cells = layout.cells;
    let a = cells[0];
    let b: Cell | null = null;
    let best = Infinity;
    for (let i = 0; i < cells.length; i++) {
      for (let j = i + 1; j < cells.length; j++) {
        const d = Math.hypot(cells[i].nx - cells[j].nx, cells[i].ny - cells[j].ny) * rng.range(1, 1.3);
        if (d < best) [best, a, b] = [d, cells[i], cells[j]];
      }
    }
    const ang = rng.range(0, 2 * Math.PI);
    let ux = b ? b.nx - a.nx : Math.cos(ang);
    let uy = b ? b.ny - a.ny : Math.sin(ang);
    const ul = Math.hypot(ux, uy) || 1;
    ux /= ul;
    uy /= ul;
    const x0 = a.nx + ux * nucleusRadius(a, ux, uy) * 1.15;
    const y0 = a.ny + uy * nucleusRadius(a, ux, uy) * 1.15;
    const x1 = b ? b.nx - ux * nucleusRadius(b, -ux, -uy) * 1.15 : a.nx + ux * a.r * 1.2;
    const y1 = b ? b.ny - uy * nucleusRadius(b, -ux, -uy) * 1.15 : a.ny + uy * a.r * 1.2;
    const e = Math.max(expr[a.id], 0.6);
    for (const off of [-0.9, 0, 0.9]) {
      const ox = -uy * off * s(ctx);
      const oy = ux * off * s(ctx);
      stroke(green, layout.n, x0 + ox, y0 + oy, x1 + ox, y1 + oy, 0.9 * s(ctx) * e);
    }
    spot(green, layout.n, (x0 + x1) / 2, (y0 + y1) / 2, 2.2 * s(ctx), 1.4 * e);
  },
  // 17 Mitotic spindle
  (ctx) => {
    const { layout, rng, green, expr } = ctx;
    const m = layout.cells.length > 4 && rng.chance(0.3) ? 2 : 1;
    for (let k = 0; k < m; k++) {
      const inside = layout.cells.filter((c) => c.nx >= 0 && c.ny >= 0 && c.nx < layout.n && c.ny < layout.n);
      const pool = inside.length ? inside : layout.cells;
      const c = pool[rng.int(0, pool.length - 1)];
      const a = rng.range(0, Math.PI);
      const ux = Math.cos(a);
      const uy = Math.sin(a);
      const half = nucleusRadius(c, ux, uy) * 0.8;
      const width = nucleusRadius(c, -uy, ux) * 0.75;
      const e = Math.max(expr[c.id], 0.6);
      for (const sign of [-1, 1]) {
        const px = c.nx + sign * ux * half;
        const py = c.ny + sign * uy * half;
        spot(green, layout.n, px, py, 2.0 * s(ctx), 1.3 * e);
        const fibres = rng.int(14, 22);
        for (let i = 0; i < fibres; i++) {
          const t = rng.range(-1, 1) * width;
          stroke(green, layout.n, px, py, c.nx - uy * t, c.ny + ux * t, 1.1 * s(ctx) * e);
        }
      }
    }
  },
  // 18 Microtubule organizing center
  (ctx) => {
    fill(ctx, (p) => 0.05 * cytoplasm(ctx.layout, p));
    const sigma = (ctx.teaching ? 2.8 : 2.0) * s(ctx);
    for (const c of ctx.layout.cells) spot(ctx.green, ctx.layout.n, c.mtocX, c.mtocY, sigma, 1.4 * ctx.expr[c.id]);
  },
  // 19 Centrosome
  (ctx) => {
    for (const c of ctx.layout.cells) {
      const d = (ctx.teaching ? ctx.rng.range(4.5, 6) : ctx.rng.range(1.5, 3)) * s(ctx);
      for (const sign of [-1, 1]) {
        spot(ctx.green, ctx.layout.n, c.mtocX - c.mdy * d * sign, c.mtocY + c.mdx * d * sign, 1.3 * s(ctx), 1.4 * ctx.expr[c.id]);
      }
    }
  },
  // 20 Lipid droplets
  (ctx) => {
    const { layout, rng, green, expr } = ctx;
    for (const c of layout.cells) {
      const m = rng.int(3, 12);
      for (let i = 0; i < m; i++) {
        const pt = cytoPoint(ctx, c, 1);
        if (pt) ring(green, layout.n, pt[0], pt[1], rng.range(2.5, 6) * s(ctx), 1.0 * s(ctx) * expr[c.id]);
      }
    }
  },
  // 21 Plasma membrane
  (ctx) => outline(ctx, false),
  // 22 Cell junctions
  (ctx) => outline(ctx, true),
  // 23 Mitochondria
  (ctx) => {
    const { layout, rng, green } = ctx;
    for (const c of layout.cells) {
      const m = rng.int(30, 70);
      for (let i = 0; i < m; i++) {
        const pt = cytoPoint(ctx, c, 1.5);
        if (!pt) continue;
        const a = rng.range(0, 2 * Math.PI);
        walk(layout, c, green, rng, pt[0], pt[1], Math.cos(a), Math.sin(a), {
          length: rng.range(4, 12) * s(ctx),
          turn: 0.25,
          density: 1.3 * s(ctx) * ctx.expr[c.id],
          avoidNucleus: true,
          edgeQ: 0.97,
        });
      }
    }
  },
  // 24 Aggresome
  (ctx) => {
    const { layout, rng, green, expr } = ctx;
    const inside = layout.cells.filter((c) => c.mtocX >= 0 && c.mtocY >= 0 && c.mtocX < layout.n && c.mtocY < layout.n);
    const pool = inside.length ? inside : layout.cells;
    const m = rng.int(1, 2);
    for (let k = 0; k < m; k++) {
      const c = pool[rng.int(0, pool.length - 1)];
      const d = rng.range(3, 8) * s(ctx);
      const x = c.mtocX + c.mdx * d;
      const y = c.mtocY + c.mdy * d;
      const e = Math.max(expr[c.id], 0.6);
      for (let i = 0; i < 3; i++) {
        spot(green, layout.n, x + rng.range(-4, 4) * s(ctx), y + rng.range(-4, 4) * s(ctx), rng.range(4.5, 8) * s(ctx), 0.9 * e);
      }
    }
  },
  // 25 Cytosol
  (ctx) => fill(ctx, (p) => 0.5 * cytoplasm(ctx.layout, p) * (1.05 - 0.3 * ctx.layout.q[p]) * (0.85 + 0.3 * ctx.tex[p])),
  // 26 Cytoplasmic bodies
  (ctx) => {
    fill(ctx, (p) => 0.04 * cytoplasm(ctx.layout, p));
    dots(
      ctx,
      () => ctx.rng.int(1, 4),
      (c) => cytoPoint(ctx, c, 1),
      () => ctx.rng.range(2.2, 3.2) * s(ctx),
      () => ctx.rng.range(1.0, 1.4),
    );
  },
  // 27 Rods & rings
  (ctx) => {
    const { layout, rng, green, expr } = ctx;
    let drawn = 0;
    for (let attempt = 0; attempt < 3 && drawn === 0; attempt++) {
      for (const c of layout.cells) {
        if (!rng.chance(0.7)) continue;
        const m = rng.int(1, 3);
        for (let i = 0; i < m; i++) {
          const pt = cytoPoint(ctx, c, 0.5);
          if (!pt) continue;
          const e = Math.max(expr[c.id], 0.6);
          if (rng.chance(0.5)) {
            const a = rng.range(0, Math.PI);
            const half = (rng.range(6, 14) * s(ctx)) / 2;
            stroke(
              green,
              layout.n,
              pt[0] - Math.cos(a) * half,
              pt[1] - Math.sin(a) * half,
              pt[0] + Math.cos(a) * half,
              pt[1] + Math.sin(a) * half,
              1.6 * s(ctx) * e,
            );
          } else {
            ring(green, layout.n, pt[0], pt[1], rng.range(2.5, 4) * s(ctx), 1.3 * s(ctx) * e);
          }
          drawn++;
        }
      }
    }
  },
];
