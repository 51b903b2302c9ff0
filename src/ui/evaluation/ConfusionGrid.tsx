import { memo } from 'react';
import { className } from '../../core/labels';
import { rarity } from './rarity';

export interface ConfusionGridProps {
  tp: ArrayLike<number>;
  fp: ArrayLike<number>;
  fn: ArrayLike<number>;
  /** validation rows (TN = rows − TP − FP − FN) */
  rows: number;
}

/** The one-vs-rest confusion counts of every class as a compact grid of 2×2 cells (TP FN / FP TN). */
export const ConfusionGrid = memo(function ConfusionGrid({ tp, fp, fn, rows }: ConfusionGridProps) {
  const cells = Array.from({ length: tp.length }, (_, c) => ({ c, tp: tp[c], fp: fp[c], fn: fn[c], tn: rows - tp[c] - fp[c] - fn[c] }));
  return (
    <figure className="eval-chart" aria-label="One-vs-rest confusion counts">
      <figcaption>
        One-vs-rest confusion per class <small>(each cell: TP FN / FP TN over {rows} rows)</small>
      </figcaption>
      <div className="confusion-grid" data-testid="confusion-grid">
        {cells.map((k) => (
          <div
            key={k.c}
            className={`confusion-cell ${rarity(k.c)}`}
            data-class={k.c}
            title={`${k.c} · ${className(k.c)}: TP ${k.tp}, FP ${k.fp}, FN ${k.fn}, TN ${k.tn}`}
            aria-label={`${className(k.c)}: TP ${k.tp}, FP ${k.fp}, FN ${k.fn}, TN ${k.tn}`}
          >
            <div className="confusion-name">
              {k.c} {className(k.c)}
            </div>
            <div className="confusion-counts">
              <span className="tp" title="true positives">
                {k.tp}
              </span>
              <span className="fn" title="false negatives">
                {k.fn}
              </span>
              <span className="fp" title="false positives">
                {k.fp}
              </span>
              <span className="tn" title="true negatives">
                {k.tn}
              </span>
            </div>
          </div>
        ))}
      </div>
    </figure>
  );
});
