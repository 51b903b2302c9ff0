/**
 * Small standalone SVG charts for the run report (curves by epoch, per-class bars): plain
 * strings, no DOM, so they are the same in the page, in a test and in the downloaded zip.
 */

export interface Series {
  name: string;
  color: string;
  points: { x: number; y: number }[];
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const num = (v: number) => String(Math.round(v * 100) / 100);

function tickLabel(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(0) : a >= 1 ? String(Number(v.toFixed(2))) : String(Number(v.toPrecision(3)));
}

function extent(values: number[], zeroBased: boolean): [number, number] {
  const finite = values.filter(Number.isFinite);
  let lo = finite.length ? Math.min(...finite) : 0;
  let hi = finite.length ? Math.max(...finite) : 1;
  if (zeroBased) lo = Math.min(0, lo);
  if (hi === lo) hi = lo + (lo === 0 ? 1 : Math.abs(lo) * 0.1);
  return [lo, hi];
}

const W = 520,
  H = 280,
  M = { left: 56, right: 16, top: 32, bottom: 44 };

function frame(
  title: string,
  xLabel: string,
  yLabel: string,
  body: string,
  yTicks: { y: number; label: string }[],
  xTicks: { x: number; label: string }[],
): string {
  const axis = `<line x1="${M.left}" y1="${H - M.bottom}" x2="${W - M.right}" y2="${H - M.bottom}" stroke="#445"/><line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${H - M.bottom}" stroke="#445"/>`;
  const yt = yTicks
    .map(
      (t) =>
        `<line x1="${M.left - 4}" y1="${num(t.y)}" x2="${W - M.right}" y2="${num(t.y)}" stroke="#e4e8ee"/><text x="${M.left - 6}" y="${num(t.y + 4)}" text-anchor="end">${esc(t.label)}</text>`,
    )
    .join('');
  const xt = xTicks.map((t) => `<text x="${num(t.x)}" y="${H - M.bottom + 16}" text-anchor="middle">${esc(t.label)}</text>`).join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">` +
    `<rect width="${W}" height="${H}" fill="#fff"/><text x="${W / 2}" y="18" text-anchor="middle" font-size="13" font-weight="bold">${esc(title)}</text>` +
    yt +
    axis +
    xt +
    body +
    `<text x="${(M.left + W - M.right) / 2}" y="${H - 8}" text-anchor="middle">${esc(xLabel)}</text>` +
    `<text transform="translate(14 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text></svg>\n`
  );
}

/**
 * Lines over a shared x axis (e.g. loss and val loss by epoch), with a legend; non-finite points are left out.
 * `markers`: dashed vertical lines with a label (a training phase starting).
 */
export function lineChartSvg(o: {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  zeroBased?: boolean;
  markers?: { x: number; label: string }[];
}): string {
  const xs = o.series.flatMap((s) => s.points.map((p) => p.x));
  const ys = o.series.flatMap((s) => s.points.map((p) => p.y));
  const [x0, x1] = extent(xs, false);
  const [y0, y1] = extent(ys, o.zeroBased ?? false);
  const px = (x: number) => M.left + ((x - x0) / (x1 - x0)) * (W - M.left - M.right);
  const py = (y: number) => H - M.bottom - ((y - y0) / (y1 - y0)) * (H - M.top - M.bottom);
  const lines = o.series
    .map((s) => {
      const pts = s.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
      const coords = pts.map((p) => `${num(px(p.x))},${num(py(p.y))}`).join(' ');
      const dots = pts.map((p) => `<circle cx="${num(px(p.x))}" cy="${num(py(p.y))}" r="2.5" fill="${esc(s.color)}"/>`).join('');
      return `<polyline data-series="${esc(s.name)}" fill="none" stroke="${esc(s.color)}" stroke-width="2" points="${coords}"/>${dots}`;
    })
    .join('');
  const legend = o.series
    .map(
      (s, i) =>
        `<rect x="${W - M.right - 120}" y="${M.top + 4 + i * 15}" width="10" height="10" fill="${esc(s.color)}"/><text x="${W - M.right - 106}" y="${M.top + 13 + i * 15}">${esc(s.name)}</text>`,
    )
    .join('');
  const yTicks = Array.from({ length: 5 }, (_, i) => y0 + ((y1 - y0) * i) / 4).map((v) => ({ y: py(v), label: tickLabel(v) }));
  const uniqueX = [...new Set(xs)].sort((a, b) => a - b);
  const every = Math.max(1, Math.ceil(uniqueX.length / 10));
  const xTicks = uniqueX.filter((_, i) => i % every === 0).map((v) => ({ x: px(v), label: tickLabel(v) }));
  const markers = (o.markers ?? [])
    .filter((m) => m.x >= x0 && m.x <= x1)
    .map(
      (m) =>
        `<g data-marker="${esc(m.label)}"><line x1="${num(px(m.x))}" y1="${M.top}" x2="${num(px(m.x))}" y2="${H - M.bottom}" stroke="#7048e8" stroke-dasharray="4 2"/>` +
        `<text x="${num(px(m.x) + 3)}" y="${M.top + 10}" fill="#7048e8" font-size="10">${esc(m.label)}</text></g>`,
    )
    .join('');
  return frame(o.title, o.xLabel, o.yLabel, markers + lines + legend, yTicks, xTicks);
}

/** One bar per label (e.g. per-class F1), values in [0, max]. */
export function barChartSvg(o: { title: string; xLabel: string; yLabel: string; labels: string[]; values: number[]; color: string; max?: number }): string {
  const max = o.max ?? Math.max(1e-9, ...o.values.filter(Number.isFinite));
  const n = Math.max(1, o.values.length);
  const slot = (W - M.left - M.right) / n;
  const py = (y: number) => H - M.bottom - (Math.max(0, Math.min(max, y)) / max) * (H - M.top - M.bottom);
  const bars = o.values
    .map((v, i) => {
      const y = Number.isFinite(v) ? py(v) : H - M.bottom;
      return `<rect data-label="${esc(o.labels[i] ?? String(i))}" data-value="${Number.isFinite(v) ? v : ''}" x="${num(M.left + i * slot + slot * 0.15)}" y="${num(y)}" width="${num(slot * 0.7)}" height="${num(H - M.bottom - y)}" fill="${esc(o.color)}"/>`;
    })
    .join('');
  const yTicks = Array.from({ length: 5 }, (_, i) => (max * i) / 4).map((v) => ({ y: py(v), label: tickLabel(v) }));
  const xTicks = o.labels.map((l, i) => ({ x: M.left + (i + 0.5) * slot, label: l }));
  return frame(o.title, o.xLabel, o.yLabel, bars, yTicks, xTicks);
}
