import { memo, useMemo } from 'react';
import { className } from '../../core/labels';
import { precisionRecall, type EmptyClassRule } from '../../core/metrics';
import { operatingPointText, prCurve, thinCurve } from './prCurve';
import { LinePlot, type PlotSeries } from '../LinePlot';

const PR_SERIES: PlotSeries[] = [{ key: 'precision', name: 'precision', color: '#1a56c4', dots: false }];
const UNIT: [number, number] = [0, 1];
const QUARTERS = [0, 0.25, 0.5, 0.75, 1];

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
  const dots = useMemo(
    () => (Number.isNaN(here.precision) ? [] : [{ x: here.recall, y: here.precision, r: 5, color: '#d9480f' }]),
    [here.recall, here.precision],
  );
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
      <LinePlot
        rows={curve}
        x="recall"
        series={PR_SERIES}
        height={220}
        ariaLabel={`Precision–recall curve of class ${cls}`}
        xDomain={UNIT}
        yDomain={UNIT}
        xTicks={QUARTERS}
        yTicks={QUARTERS}
        xLabel="recall"
        xTitle={(r) => `recall ${r.toFixed(3)}`}
        valueFormat={(v) => v.toFixed(3)}
        yAxisWidth={34}
        dots={dots}
        legend={false}
      />
      <p className="chart-note" data-testid="pr-point">
        {operatingPointText(threshold, tp, fp, fn, emptyClass)}
      </p>
    </figure>
  );
});
