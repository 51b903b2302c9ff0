import { memo, useMemo } from 'react';
import { CartesianGrid, Line, LineChart, ReferenceDot, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { className } from '../../core/labels';
import { precisionRecall, type EmptyClassRule } from '../../core/metrics';
import { operatingPointText, prCurve, thinCurve } from './prCurve';

export interface PRCurveChartProps {
  probs: Float32Array;
  truth: Uint8Array;
  numClasses: number;
  cls: number;
  onClass: (c: number) => void;
  /** the class's counts at its current threshold (the marked point) */
  threshold: number;
  tp: number;
  fp: number;
  fn: number;
  /** the empty-class rule the table uses, so that the curve, its caption and the table agree */
  emptyClass: EmptyClassRule;
}

/** Precision–recall curve of one chosen class with the current threshold's operating point marked. */
export const PRCurveChart = memo(function PRCurveChart({ probs, truth, numClasses, cls, onClass, threshold, tp, fp, fn, emptyClass }: PRCurveChartProps) {
  const curve = useMemo(() => thinCurve(prCurve(truth, probs, numClasses, cls, emptyClass)), [truth, probs, numClasses, cls, emptyClass]);
  const here = precisionRecall(tp, fp, fn, emptyClass);
  return (
    <figure className="eval-chart" data-testid="pr-curve" aria-label="Precision–recall curve">
      <figcaption>
        <span>Precision–recall</span>
        <select aria-label="PR curve class" value={cls} onChange={(e) => onClass(Number(e.target.value))}>
          {Array.from({ length: numClasses }, (_, c) => (
            <option key={c} value={c}>
              {c} · {className(c)}
            </option>
          ))}
        </select>
      </figcaption>
      <ResponsiveContainer width="100%" height={220}>
        <LineChart data={curve} margin={{ top: 6, right: 12, bottom: 14, left: 0 }}>
          <CartesianGrid vertical={false} strokeDasharray="3 3" />
          <XAxis
            type="number"
            dataKey="recall"
            domain={[0, 1]}
            ticks={[0, 0.25, 0.5, 0.75, 1]}
            tick={{ fontSize: 10 }}
            label={{ value: 'recall', position: 'insideBottom', offset: -8, fontSize: 11 }}
          />
          <YAxis type="number" domain={[0, 1]} ticks={[0, 0.25, 0.5, 0.75, 1]} width={34} tick={{ fontSize: 10 }} />
          <Tooltip
            isAnimationActive={false}
            formatter={(v) => (typeof v === 'number' ? v.toFixed(3) : String(v))}
            labelFormatter={(r) => `recall ${typeof r === 'number' ? r.toFixed(3) : r}`}
          />
          <Line type="linear" dataKey="precision" stroke="#1a56c4" dot={false} isAnimationActive={false} />
          {!Number.isNaN(here.precision) && <ReferenceDot x={here.recall} y={here.precision} r={5} fill="#d9480f" stroke="#fff" />}
        </LineChart>
      </ResponsiveContainer>
      <p className="chart-note" data-testid="pr-point">
        {operatingPointText(threshold, tp, fp, fn, emptyClass)}
      </p>
    </figure>
  );
});
