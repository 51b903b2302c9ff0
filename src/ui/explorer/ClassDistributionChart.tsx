import { memo, useMemo, useState } from 'react';
import { ChartData } from '../ChartData';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis, type BarShapeProps, type TooltipContentProps } from 'recharts';
import { CLASS_COLORS, CLASS_NAMES } from '../../core/labels';

interface Props {
  /** samples per class */
  counts: readonly number[];
  /** the same counts per split (tooltip breakdown) */
  bySplit: Record<string, number[]>;
  /** classes selected in the filter (highlighted) */
  selected: readonly number[];
  onToggleClass: (c: number) => void;
  /** what the counts cover, e.g. 'train split' */
  scope: string;
}

interface Row {
  c: number;
  name: string;
  count: number;
  /** plotted value: the count, or at least 1 on the log scale (whose axis starts at 1) */
  value: number;
  splits: [string, number][];
}

const fmt = (n: number) => n.toLocaleString('en-US');

/** One bar per class, drawn for every class (a zero-count class keeps an empty bar with its label). */
function ClassBar(props: BarShapeProps & { selectedSet?: ReadonlySet<number> }) {
  const row = props.payload as Row;
  const ok = [props.x, props.y, props.width, props.height].every(Number.isFinite);
  const width = ok ? Math.max(0, props.width) : 0;
  return (
    <rect
      className={props.selectedSet?.has(row.c) ? 'class-bar selected' : 'class-bar'}
      data-testid="class-bar"
      data-class={row.c}
      data-count={row.count}
      role="img"
      aria-label={`${row.name}: ${fmt(row.count)}`}
      x={ok ? props.x : 0}
      y={ok ? props.y : 0}
      width={width}
      height={ok ? Math.max(0, props.height) : 0}
      fill={CLASS_COLORS[row.c]}
    />
  );
}

function ClassTooltip({ active, payload }: TooltipContentProps) {
  const row = active ? (payload?.[0]?.payload as Row | undefined) : undefined;
  if (!row) return null;
  return (
    <div className="chart-tooltip">
      <strong>
        {row.c} · {row.name}
      </strong>
      <div>{fmt(row.count)} samples</div>
      {row.splits.length > 1 && <div>{row.splits.map(([s, n]) => `${s} ${fmt(n)}`).join(' · ')}</div>}
    </div>
  );
}

/** Class distribution: a horizontal bar per class (names on the axis), linear or log scale; click a bar to filter by it. */
/** Memoised: the explorer re-renders as the grid's active cell moves, and a recharts redraw is a long task (docs/performance.md). */
export const ClassDistributionChart = memo(function ClassDistributionChart({ counts, bySplit, selected, onToggleClass, scope }: Props) {
  const [log, setLog] = useState(false);
  const selectedSet = useMemo(() => new Set(selected), [selected]);
  const data: Row[] = useMemo(
    () =>
      CLASS_NAMES.map((name, c) => ({
        c,
        name,
        count: counts[c] ?? 0,
        value: log ? Math.max(1, counts[c] ?? 0) : (counts[c] ?? 0),
        splits: Object.entries(bySplit).map(([s, v]) => [s, v[c] ?? 0] as [string, number]),
      })),
    [counts, bySplit, log],
  );
  // log scale: decades from 1 to the first power of ten at or above the largest count
  const decades = useMemo(() => {
    const top = Math.max(10, ...counts);
    const out = [1];
    while (out[out.length - 1] < top) out.push(out[out.length - 1] * 10);
    return out;
  }, [counts]);
  return (
    <figure className="explorer-chart" data-testid="class-distribution" aria-label="Class distribution">
      <figcaption>
        <span>
          Class distribution <small>({scope})</small>
        </span>
        <label>
          <input type="checkbox" checked={log} onChange={(e) => setLog(e.target.checked)} /> Log scale
        </label>
      </figcaption>
      <ResponsiveContainer width="100%" height={28 * 19 + 40}>
        <BarChart layout="vertical" data={data} margin={{ top: 4, right: 16, bottom: 4, left: 4 }} barCategoryGap={2}>
          <CartesianGrid horizontal={false} strokeDasharray="3 3" />
          <XAxis
            type="number"
            dataKey="value"
            scale={log ? 'log' : 'linear'}
            domain={log ? [1, decades[decades.length - 1]] : [0, 'auto']}
            ticks={log ? decades : undefined}
            allowDataOverflow
            tickFormatter={(v: number) => fmt(v)}
            tick={{ fontSize: 11 }}
          />
          <YAxis type="category" dataKey="name" width={190} interval={0} tick={{ fontSize: 11 }} />
          <Tooltip content={ClassTooltip} cursor={{ fill: 'rgba(11, 61, 46, 0.08)' }} isAnimationActive={false} />
          <Bar
            dataKey="value"
            isAnimationActive={false}
            shape={(p: BarShapeProps) => <ClassBar {...p} selectedSet={selectedSet} />}
            onClick={(entry: { payload?: Row }) => entry.payload && onToggleClass(entry.payload.c)}
            style={{ cursor: 'pointer' }}
          />
        </BarChart>
      </ResponsiveContainer>
      <ChartData
        title={`samples per class (${scope})`}
        columns={['Class', 'Samples', ...Object.keys(bySplit)]}
        rows={() => data.map((d) => [`${d.c} · ${d.name}`, d.count, ...d.splits.map(([, v]) => v)])}
      />
      {log && <p className="chart-note">Log scale: classes with 0 or 1 sample show no bar.</p>}
    </figure>
  );
});
