import { memo, useState } from 'react';
import { className } from '../../core/labels';
import { rarity } from './rarity';
import { ChartData } from '../ChartData';
import { useWidth } from '../useWidth';

const COLOR = { rare: '#d9480f', low: '#f08c00', common: '#2f7d5b' } as const;
const HEIGHT = 200;
const PAD = { top: 6, right: 8, bottom: 20, left: 34 };
const TICKS = [0, 0.25, 0.5, 0.75, 1];

/**
 * Per-class F1 as one bar per class id (rare classes in orange); `f1[c]` NaN (skipped) draws no bar.
 * Drawn as plain SVG rather than with recharts: it redraws after every epoch while a run trains, and
 * recharts took one main-thread task of 90–170 ms for these 28 bars (profiled, 2-core machine),
 * where 28 rectangles and their labels take a few milliseconds.
 */
export const F1BarChart = memo(function F1BarChart({ f1 }: { f1: readonly number[] }) {
  const [hover, setHover] = useState<number | null>(null);
  const [ref, width] = useWidth();
  const n = Math.max(1, f1.length);
  const plotW = Math.max(10, width - PAD.left - PAD.right);
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotW / n;
  const y = (v: number) => PAD.top + plotH * (1 - Math.min(1, Math.max(0, v)));
  const shown = hover !== null && hover < f1.length ? hover : null;
  return (
    <figure className="eval-chart" data-testid="per-class-f1-chart" aria-label="Per-class F1">
      <figcaption>
        Per-class F1 <small>(orange: rare or under 1 % prevalence)</small>
      </figcaption>
      <div className="f1-bars-wrap" ref={ref}>
        <svg
          className="f1-bars"
          width="100%"
          height={HEIGHT}
          viewBox={`0 0 ${Math.max(1, width)} ${HEIGHT}`}
          role="img"
          aria-label="Per-class F1 bars"
          onMouseLeave={() => setHover(null)}
        >
          {TICKS.map((t) => (
            <g key={t}>
              <line x1={PAD.left} x2={width - PAD.right} y1={y(t)} y2={y(t)} className="f1-bars-grid" />
              <text x={PAD.left - 4} y={y(t)} dy="0.32em" textAnchor="end" className="f1-bars-tick">
                {t}
              </text>
            </g>
          ))}
          {f1.map((v, c) => (
            <g key={c} onMouseEnter={() => setHover(c)}>
              {/* the whole column takes the pointer, so a short or missing bar still shows its class */}
              <rect x={PAD.left + c * slot} y={PAD.top} width={slot} height={plotH} className={c === shown ? 'f1-bars-col hovered' : 'f1-bars-col'} />
              {!Number.isNaN(v) && (
                <rect x={PAD.left + c * slot + 1} y={y(v)} width={Math.max(1, slot - 2)} height={PAD.top + plotH - y(v)} fill={COLOR[rarity(c)]} />
              )}
              <text x={PAD.left + (c + 0.5) * slot} y={HEIGHT - PAD.bottom + 12} textAnchor="middle" className="f1-bars-tick">
                {c}
              </text>
            </g>
          ))}
        </svg>
        {shown !== null && (
          <div className="chart-tooltip f1-bars-tooltip" style={{ left: PAD.left + (shown + 0.5) * slot }} role="status">
            <strong>
              {shown} · {className(shown)}
            </strong>
            <div>F1 {Number.isNaN(f1[shown]) ? '— (skipped: empty class)' : f1[shown].toFixed(4)}</div>
          </div>
        )}
      </div>
      <ChartData title="per-class F1" columns={['Class', 'F1']} rows={() => f1.map((v, c) => [`${c} · ${className(c)}`, v])} />
    </figure>
  );
});
