import { memo, useMemo, useState } from 'react';
import { predictedMark, probabilityRows, sortProbabilityRows, type ProbabilityOrder } from './camChoices';

interface Props {
  probs: Float32Array;
  /** the thresholds in force for the run (null: 0.5 each) */
  thresholds: readonly number[] | null;
  truth: readonly number[];
  /** the class the map is of (highlighted) */
  camClass: number;
  onPickClass: (cls: number) => void;
  /** whose probabilities these are, one line */
  caption: string;
}

/** Per class: probability, threshold in force, true and predicted label; highest probability first, or by class. */
export const ProbabilityTable = memo(function ProbabilityTable({ probs, thresholds, truth, camClass, onPickClass, caption }: Props) {
  const [order, setOrder] = useState<ProbabilityOrder>('prob');
  const rows = useMemo(() => sortProbabilityRows(probabilityRows(probs, thresholds, truth), order), [probs, thresholds, truth, order]);
  const sortHeader = (key: ProbabilityOrder, label: string, title: string) => (
    <th aria-sort={order === key ? (key === 'prob' ? 'descending' : 'ascending') : 'none'} title={title}>
      <button type="button" className="sort-header" onClick={() => setOrder(key)}>
        {label}
        {order === key ? (key === 'prob' ? ' ▼' : ' ▲') : ''}
      </button>
    </th>
  );
  return (
    <div className="cam-probs">
      <table data-testid="cam-prob-table">
        <caption>{caption}</caption>
        <thead>
          <tr>
            {sortHeader('class', 'Class', 'In class order')}
            {sortHeader('prob', 'p', 'Probability, highest first')}
            <th title="The threshold in force for this class">thr</th>
            <th title="A true label of the sample">true</th>
            <th title="Predicted: p > threshold. ✓ (extra): predicted, not a true label; missed: a true label not predicted">pred</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr
              key={r.cls}
              data-testid="cam-prob-row"
              data-class={r.cls}
              className={[r.cls === camClass ? 'cam-class' : '', r.truth !== r.predicted ? 'cam-miss' : ''].join(' ').trim() || undefined}
            >
              <td>
                <button type="button" className="linklike" title={`Show the map of ${r.name}`} onClick={() => onPickClass(r.cls)}>
                  {r.cls} · {r.name}
                </button>
              </td>
              <td className="num" data-testid="cam-prob">
                {r.prob.toFixed(3)}
              </td>
              <td className="num" data-testid="cam-threshold">
                {r.threshold.toFixed(3)}
              </td>
              <td className="mark">{r.truth ? '✓' : ''}</td>
              <td className="mark" data-testid="cam-pred">
                {predictedMark(r)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
});
