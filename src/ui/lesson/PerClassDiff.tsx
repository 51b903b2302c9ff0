import { memo, useMemo } from 'react';
import { Bar, BarChart, CartesianGrid, Cell, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis, type TooltipContentProps } from 'recharts';
import { diffSentence, perClassDiff, summarizeDiff, type DiffBar } from './perClassDiff';
import './lesson.css';

export interface RunF1 {
  name: string;
  /** validation F1 per class (index = class id) */
  perClassF1: number[];
}

export interface PerClassDiffProps {
  a: RunF1;
  b: RunF1;
}

const COLOR = { rare: '#d9480f', low: '#f08c00', common: '#8aa1b4' } as const;

function DiffTooltip({ active, payload }: TooltipContentProps) {
  const d = active ? (payload?.[0]?.payload as DiffBar | undefined) : undefined;
  if (!d) return null;
  return (
    <div className="chart-tooltip">
      <strong>
        {d.cls} · {d.name}
        {d.rarity !== 'common' && ' (rare)'}
      </strong>
      <div>
        {d.a.toFixed(3)} → {d.b.toFixed(3)} ({d.diff >= 0 ? '+' : ''}
        {d.diff.toFixed(3)})
      </div>
    </div>
  );
}

/** Lesson: per-class F1 of run b minus run a, rare classes (< 1 % prevalence) highlighted, with a one-sentence summary. */
export const PerClassDiff = memo(function PerClassDiff({ a, b }: PerClassDiffProps) {
  const bars = useMemo(() => perClassDiff(a.perClassF1, b.perClassF1), [a.perClassF1, b.perClassF1]);
  const sentence = useMemo(() => diffSentence(summarizeDiff(bars), a.name, b.name), [bars, a.name, b.name]);
  const data = useMemo(() => bars.map((d) => ({ ...d, value: Number.isNaN(d.diff) ? 0 : d.diff })), [bars]);
  return (
    <figure className="lesson" data-testid="per-class-diff" aria-label={`Per-class F1: ${b.name} minus ${a.name}`}>
      <figcaption>
        Per-class F1: {b.name} − {a.name} <small>(orange: rare, under 1 % of train images)</small>
      </figcaption>
      <ResponsiveContainer width="100%" height={220}>
        <BarChart data={data} margin={{ top: 6, right: 10, bottom: 4, left: 0 }} barCategoryGap={2}>
          <CartesianGrid vertical={false} strokeDasharray="3 3" />
          <XAxis dataKey="cls" interval={0} tick={{ fontSize: 10 }} />
          <YAxis width={40} tick={{ fontSize: 10 }} tickFormatter={(v: number) => v.toFixed(2)} />
          <ReferenceLine y={0} stroke="#1d2433" />
          <Tooltip content={DiffTooltip} isAnimationActive={false} cursor={{ fill: 'rgba(11, 61, 46, 0.08)' }} />
          <Bar dataKey="value" isAnimationActive={false}>
            {data.map((d) => (
              <Cell key={d.cls} fill={COLOR[d.rarity]} data-class={d.cls} data-rare={d.rarity !== 'common'} />
            ))}
          </Bar>
        </BarChart>
      </ResponsiveContainer>
      <p className="lesson-summary" data-testid="per-class-diff-summary">
        {sentence}
      </p>
    </figure>
  );
});
