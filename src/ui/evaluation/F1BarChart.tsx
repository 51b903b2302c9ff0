import { memo, useMemo } from 'react';
import { Bar, BarChart, CartesianGrid, Cell, ResponsiveContainer, Tooltip, XAxis, YAxis, type TooltipContentProps } from 'recharts';
import { className } from '../../core/labels';
import { rarity } from './rarity';
import { ChartData } from '../ChartData';

interface Datum {
  cls: number;
  name: string;
  f1: number;
}

const COLOR = { rare: '#d9480f', low: '#f08c00', common: '#2f7d5b' } as const;

function F1Tooltip({ active, payload }: TooltipContentProps) {
  const d = active ? (payload?.[0]?.payload as Datum | undefined) : undefined;
  if (!d) return null;
  return (
    <div className="chart-tooltip">
      <strong>
        {d.cls} · {d.name}
      </strong>
      <div>F1 {Number.isNaN(d.f1) ? '— (skipped: empty class)' : d.f1.toFixed(4)}</div>
    </div>
  );
}

/** Per-class F1 as one bar per class id (rare classes in orange); `f1[c]` NaN (skipped) draws no bar. */
export const F1BarChart = memo(function F1BarChart({ f1 }: { f1: readonly number[] }) {
  const data: Datum[] = useMemo(() => f1.map((v, c) => ({ cls: c, name: className(c), f1: v })), [f1]);
  return (
    <figure className="eval-chart" data-testid="per-class-f1-chart" aria-label="Per-class F1">
      <figcaption>
        Per-class F1 <small>(orange: rare or under 1 % prevalence)</small>
      </figcaption>
      <ResponsiveContainer width="100%" height={200}>
        <BarChart data={data} margin={{ top: 4, right: 8, bottom: 4, left: 0 }} barCategoryGap={2}>
          <CartesianGrid vertical={false} strokeDasharray="3 3" />
          <XAxis dataKey="cls" interval={0} tick={{ fontSize: 10 }} />
          <YAxis domain={[0, 1]} ticks={[0, 0.25, 0.5, 0.75, 1]} width={34} tick={{ fontSize: 10 }} />
          <Tooltip content={F1Tooltip} isAnimationActive={false} cursor={{ fill: 'rgba(11, 61, 46, 0.08)' }} />
          <Bar dataKey="f1" isAnimationActive={false}>
            {data.map((d) => (
              <Cell key={d.cls} fill={COLOR[rarity(d.cls)]} />
            ))}
          </Bar>
        </BarChart>
      </ResponsiveContainer>
      <ChartData title="per-class F1" columns={['Class', 'F1']} rows={() => data.map((d) => [`${d.cls} · ${d.name}`, d.f1])} />
    </figure>
  );
});
