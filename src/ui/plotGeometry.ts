/**
 * Where LinePlot.tsx draws: the scales, their ticks and each series' path, and the row under the
 * pointer. Apart from the component so that it is tested in Node.
 */
import { scaleLinear, type ScaleLinear } from 'd3-scale';
import { line } from 'd3-shape';

export type PlotRow = Record<string, number | string | null | undefined>;

export interface GeometryInput {
  rows: readonly PlotRow[];
  x: string;
  seriesKeys: readonly string[];
  /** the pixel box the data goes in */
  left: number;
  top: number;
  width: number;
  height: number;
  /** fixed domains; without, the data's extent widened to nice tick values */
  xDomain?: [number, number];
  yDomain?: [number, number];
  xTicks?: readonly number[];
  yTicks?: readonly number[];
  /** x ticks at whole numbers only (epochs) */
  integerX?: boolean;
  /** values that must be inside an automatic y domain too (marked points) */
  extraY?: readonly number[];
}

export interface Geometry {
  xScale: ScaleLinear<number, number>;
  yScale: ScaleLinear<number, number>;
  xTicks: number[];
  yTicks: number[];
  /** per series: its SVG path and the rows it drew (those with a finite x and value) */
  paths: { key: string; d: string; points: Record<string, number>[] }[];
}

export const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** The values' range; a single value gets room around it. */
export function extent(values: readonly number[], fallback: [number, number]): [number, number] {
  if (values.length === 0) return fallback;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === hi) return [lo - (Math.abs(lo) * 0.1 || 1), hi + (Math.abs(hi) * 0.1 || 1)];
  return [lo, hi];
}

export function plotGeometry(g: GeometryInput): Geometry {
  const xs = g.rows.map((r) => r[g.x]).filter(finite);
  let xd = g.xDomain ?? extent(xs, [0, 1]);
  if (!g.xDomain && g.integerX && xs.length > 0) {
    // one or two epochs: one more either side, so that whole-number ticks show around them
    const [lo, hi] = [Math.min(...xs), Math.max(...xs)];
    if (hi - lo < 2) xd = [Math.floor(lo) - 1, Math.ceil(hi) + 1];
  }
  const xScale = scaleLinear()
    .domain(xd)
    .range([g.left, g.left + g.width]);
  const ys = g.seriesKeys.flatMap((k) => g.rows.map((r) => r[k]).filter(finite)).concat(g.extraY ?? []);
  const yScale = scaleLinear()
    .domain(g.yDomain ?? extent(ys, [0, 1]))
    .range([g.top + g.height, g.top]);
  if (!g.yDomain) yScale.nice(5);
  const xTicks = g.xTicks ? [...g.xTicks] : xScale.ticks(Math.max(2, Math.min(8, Math.floor(g.width / 60)))).filter((t) => !g.integerX || Number.isInteger(t));
  const yTicks = g.yTicks ? [...g.yTicks] : yScale.ticks(5);
  const paths = g.seriesKeys.map((key) => {
    const points = g.rows.filter((r) => finite(r[g.x]) && finite(r[key])) as Record<string, number>[];
    const d = line<Record<string, number>>()
      .x((r) => xScale(r[g.x]))
      .y((r) => yScale(r[key]))(points);
    return { key, d: d ?? '', points };
  });
  return { xScale, yScale, xTicks, yTicks, paths };
}

/** The index of the row whose x is nearest `at`, rows sorted by x (by bisection); null without rows. */
export function nearestRow(rows: readonly PlotRow[], x: string, at: number): number | null {
  if (rows.length === 0) return null;
  let lo = 0;
  let hi = rows.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (Number(rows[mid][x]) < at) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && Math.abs(Number(rows[lo - 1][x]) - at) <= Math.abs(Number(rows[lo][x]) - at)) lo -= 1;
  return lo;
}
