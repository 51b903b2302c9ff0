/**
 * The live views' line charts, drawn as plain SVG: d3-scale for the scales and their ticks,
 * d3-shape for the paths. They redraw while a run trains (the loss curve every few hundred ms, the
 * epoch charts and the precision–recall curve after every epoch), and recharts 3 took one
 * main-thread task of 50–100 ms for each such redraw on a 2-core machine (profiled: its store's
 * selectors, the axis tick checks that measure labels in the DOM, and a second synchronous render
 * that its layout effects start). Here a redraw is one React render of a few paths and labels.
 * recharts still draws the charts that do not change while a run trains.
 */
import { memo, useMemo, useState, type MouseEvent } from 'react';
import { useWidth } from './useWidth';
import { finite, nearestRow, plotGeometry, type GeometryInput, type PlotRow } from './plotGeometry';

export interface PlotSeries {
  /** the row field it plots; a row whose value is null, undefined or not finite is skipped (the line joins across it) */
  key: string;
  name: string;
  color: string;
  width?: number;
  /** a dot at each point (the default), for series with few points */
  dots?: boolean;
}

/** A dashed vertical line at `x` with a label at its top, e.g. where a training phase starts. */
export interface PlotMarker {
  x: number;
  label: string;
}

/** A marked point, e.g. a threshold's operating point or a learning-rate reduction. */
export interface PlotDot {
  x: number;
  y: number;
  color: string;
  r?: number;
  label?: string;
}

/** The axes' settings are plotGeometry's (domains, ticks, whole-number x). */
export interface LinePlotProps extends Pick<GeometryInput, 'xDomain' | 'yDomain' | 'xTicks' | 'yTicks' | 'integerX'> {
  /** records with the x field and each series' field */
  rows: readonly object[];
  /** the x field; rows are sorted by it */
  x: string;
  series: readonly PlotSeries[];
  height: number;
  ariaLabel: string;
  xFormat?: (v: number) => string;
  yFormat?: (v: number) => string;
  /** the tooltip's heading and values */
  xTitle?: (v: number) => string;
  valueFormat?: (v: number) => string;
  xLabel?: string;
  yAxisWidth?: number;
  markers?: readonly PlotMarker[];
  dots?: readonly PlotDot[];
  legend?: boolean;
}

const MARGIN = { top: 10, right: 14, bottom: 22 };
const defaultFormat = (v: number) => String(Number(v.toPrecision(4)));

export const LinePlot = memo(function LinePlot(props: LinePlotProps) {
  const p = { ...props, rows: props.rows as readonly PlotRow[] };
  const [ref, width] = useWidth();
  const [hover, setHover] = useState<number | null>(null);
  const left = p.yAxisWidth ?? 44;
  const bottom = MARGIN.bottom + (p.xLabel ? 12 : 0);
  const plotW = Math.max(10, width - left - MARGIN.right);
  const plotH = Math.max(10, p.height - MARGIN.top - bottom);

  const keys = useMemo(() => p.series.map((s) => s.key), [p.series]);
  const extraY = useMemo(() => (p.dots ?? []).map((d) => d.y), [p.dots]);
  const geometry = useMemo(
    () =>
      plotGeometry({
        rows: p.rows,
        x: p.x,
        seriesKeys: keys,
        left,
        top: MARGIN.top,
        width: plotW,
        height: plotH,
        xDomain: p.xDomain,
        yDomain: p.yDomain,
        xTicks: p.xTicks,
        yTicks: p.yTicks,
        integerX: p.integerX,
        extraY,
      }),
    [p.rows, p.x, keys, p.xDomain, p.yDomain, p.xTicks, p.yTicks, p.integerX, extraY, left, plotW, plotH],
  );
  const { xScale, yScale, xTicks, yTicks, paths } = geometry;
  const xFormat = p.xFormat ?? defaultFormat;
  const yFormat = p.yFormat ?? defaultFormat;

  const onMove = (e: MouseEvent<SVGSVGElement>) => setHover(nearestRow(p.rows, p.x, xScale.invert(e.clientX - e.currentTarget.getBoundingClientRect().left)));
  const row = hover !== null && hover < p.rows.length ? p.rows[hover] : null;
  const rawX = row?.[p.x];
  const rowX = finite(rawX) ? rawX : null;
  const shownValues = row ? p.series.filter((s) => finite(row[s.key])) : [];
  const valueFormat = p.valueFormat ?? ((v: number) => v.toFixed(4));

  return (
    <div className="line-plot" ref={ref}>
      {width > 0 && (
        <svg
          width="100%"
          height={p.height}
          viewBox={`0 0 ${width} ${p.height}`}
          role="img"
          aria-label={p.ariaLabel}
          onMouseMove={onMove}
          onMouseLeave={() => setHover(null)}
        >
          {yTicks.map((t) => (
            <g key={`y${t}`}>
              <line className="line-plot-grid" x1={left} x2={left + plotW} y1={yScale(t)} y2={yScale(t)} />
              <text className="line-plot-tick" x={left - 4} y={yScale(t)} dy="0.32em" textAnchor="end">
                {yFormat(t)}
              </text>
            </g>
          ))}
          <line className="line-plot-axis" x1={left} x2={left + plotW} y1={MARGIN.top + plotH} y2={MARGIN.top + plotH} />
          {xTicks.map((t) => (
            <text key={`x${t}`} className="line-plot-tick" x={xScale(t)} y={MARGIN.top + plotH + 14} textAnchor="middle">
              {xFormat(t)}
            </text>
          ))}
          {p.xLabel && (
            <text className="line-plot-label" x={left + plotW} y={p.height - 2} textAnchor="end">
              {p.xLabel}
            </text>
          )}
          {(p.markers ?? []).map((m) => (
            <g key={`m${m.x}`} className="line-plot-marker">
              <line x1={xScale(m.x)} x2={xScale(m.x)} y1={MARGIN.top} y2={MARGIN.top + plotH} />
              <text x={xScale(m.x) + 3} y={MARGIN.top + 10}>
                {m.label}
              </text>
            </g>
          ))}
          {p.series.map((s, i) => (
            <g key={s.key} className="line-plot-series" data-series={s.key}>
              <path d={paths[i].d} fill="none" stroke={s.color} strokeWidth={s.width ?? 1.5} />
              {(s.dots ?? true) &&
                paths[i].points.map((r, j) => <circle key={j} cx={xScale(r[p.x])} cy={yScale(r[s.key])} r={2.5} fill="#fff" stroke={s.color} />)}
            </g>
          ))}
          {(p.dots ?? []).map((d, i) => (
            <g key={`d${i}`}>
              <circle cx={xScale(d.x)} cy={yScale(d.y)} r={d.r ?? 5} fill={d.color} stroke="#fff" />
              {d.label && (
                <text className="line-plot-tick" x={xScale(d.x)} y={yScale(d.y) - 8} textAnchor="middle">
                  {d.label}
                </text>
              )}
            </g>
          ))}
          {rowX !== null && <line className="line-plot-cursor" x1={xScale(rowX)} x2={xScale(rowX)} y1={MARGIN.top} y2={MARGIN.top + plotH} />}
        </svg>
      )}
      {rowX !== null && shownValues.length > 0 && (
        <div className={`chart-tooltip line-plot-tooltip${xScale(rowX) > width / 2 ? ' flip' : ''}`} style={{ left: xScale(rowX) }} role="status">
          <strong>{p.xTitle ? p.xTitle(rowX) : xFormat(rowX)}</strong>
          {shownValues.map((s) => (
            <div key={s.key} style={{ color: s.color }}>
              {s.name}: {valueFormat(row![s.key] as number)}
            </div>
          ))}
        </div>
      )}
      {p.legend !== false && p.series.length > 0 && (
        <ul className="line-plot-legend">
          {p.series.map((s) => (
            <li key={s.key}>
              <span className="line-plot-swatch" style={{ background: s.color }} aria-hidden="true" />
              {s.name}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
});
