import { ChartData } from '../ChartData';
import { memo, useCallback, useMemo, useState } from 'react';
import { jaccard } from '../../core/cooccurrence';
import { CLASS_COLORS, CLASS_NAMES } from '../../core/labels';

type Mode = 'count' | 'jaccard';

interface Props {
  /** 28×28 co-occurrence counts (diagonal = class counts) */
  matrix: readonly (readonly number[])[];
  /** filter to samples with both classes */
  onPickPair: (a: number, b: number) => void;
}

const CELL = 15;
const LABEL = 26;
const fmt = (n: number) => n.toLocaleString('en-US');

/** White → dark blue, with a square-root ramp so that small counts stay visible. */
function colour(t: number): string {
  const s = Math.sqrt(Math.min(1, Math.max(0, t)));
  const mix = (a: number, b: number) => Math.round(a + (b - a) * s);
  return `rgb(${mix(247, 8)}, ${mix(251, 48)}, ${mix(255, 107)})`;
}

/**
 * The 28×28 label co-occurrence heatmap; hover names the pair, click filters to it. Memoised, and
 * its 784 cells apart from the hover outline: re-rendering them (each with its title) took a 30 ms
 * main-thread task whenever the explorer re-rendered or the pointer moved to another cell.
 */
export const CooccurrenceHeatmap = memo(function CooccurrenceHeatmap({ matrix, onPickPair }: Props) {
  const [mode, setMode] = useState<Mode>('count');
  const [hover, setHover] = useState<[number, number] | null>(null);
  const n = matrix.length;
  const norm = useMemo(() => jaccard(matrix), [matrix]);
  const values = mode === 'count' ? matrix : norm;
  const max = useMemo(() => {
    let m = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) m = Math.max(m, values[i][j]);
    return m;
  }, [values, n]);
  const size = LABEL + n * CELL;
  const describe = useCallback(
    ([i, j]: [number, number]) =>
      i === j
        ? `${CLASS_NAMES[i]}: ${fmt(matrix[i][i])} samples`
        : `${CLASS_NAMES[i]} & ${CLASS_NAMES[j]}: ${fmt(matrix[i][j])}` + (mode === 'jaccard' ? ` (Jaccard ${norm[i][j].toFixed(3)})` : ''),
    [matrix, norm, mode],
  );
  const cells = useMemo(
    () =>
      values.map((row, i) =>
        row.map((v, j) => (
          <rect
            key={`${i}-${j}`}
            data-i={i}
            data-j={j}
            x={LABEL + j * CELL}
            y={LABEL + i * CELL}
            width={CELL - 1}
            height={CELL - 1}
            fill={i === j ? (matrix[i][i] ? '#c9ced6' : '#eef0f3') : colour(max ? v / max : 0)}
            className="heatmap-cell"
          >
            <title>{describe([i, j])}</title>
          </rect>
        )),
      ),
    [values, matrix, max, describe],
  );
  const cellAt = (target: EventTarget): [number, number] | null => {
    const el = target as Element;
    const i = el.getAttribute?.('data-i');
    const j = el.getAttribute?.('data-j');
    return i != null && j != null ? [Number(i), Number(j)] : null;
  };
  return (
    <figure className="explorer-chart" data-testid="cooccurrence-heatmap" aria-label="Label co-occurrence">
      <figcaption>
        <span>Label co-occurrence</span>
        <label>
          Colour by{' '}
          <select aria-label="Co-occurrence colour" value={mode} onChange={(e) => setMode(e.target.value as Mode)}>
            <option value="count">count</option>
            <option value="jaccard">normalised (Jaccard)</option>
          </select>
        </label>
      </figcaption>
      <svg
        className="heatmap"
        width={size}
        height={size}
        viewBox={`0 0 ${size} ${size}`}
        role="img"
        aria-label={`Co-occurrence of the ${n} classes, coloured by ${mode === 'count' ? 'count' : 'Jaccard index'}`}
        onMouseOver={(e) => setHover(cellAt(e.target))}
        onMouseLeave={() => setHover(null)}
        onClick={(e) => {
          const p = cellAt(e.target);
          if (p) onPickPair(p[0], p[1]);
        }}
      >
        {Array.from({ length: n }, (_, i) => (
          <g key={`l${i}`} className="heatmap-label">
            <rect x={LABEL + i * CELL + 2} y={4} width={CELL - 4} height={LABEL - 10} fill={CLASS_COLORS[i]} />
            <rect x={4} y={LABEL + i * CELL + 2} width={LABEL - 10} height={CELL - 4} fill={CLASS_COLORS[i]} />
            <text x={LABEL + i * CELL + CELL / 2} y={LABEL - 8} textAnchor="middle" fontSize={8} fill="#fff">
              {i}
            </text>
            <text x={LABEL / 2 - 1} y={LABEL + i * CELL + CELL / 2 + 3} textAnchor="middle" fontSize={8} fill="#fff">
              {i}
            </text>
          </g>
        ))}
        {cells}
        {hover && (
          <rect
            className="heatmap-cell hovered"
            pointerEvents="none"
            fill="none"
            x={LABEL + hover[1] * CELL}
            y={LABEL + hover[0] * CELL}
            width={CELL - 1}
            height={CELL - 1}
          />
        )}
      </svg>
      <p className="heatmap-hover" data-testid="heatmap-hover" aria-live="polite">
        {hover
          ? describe(hover)
          : `Hover a cell; click to filter to both classes. Darkest = ${mode === 'count' ? fmt(max) : max.toFixed(3)}; grey diagonal = class totals.`}
      </p>
      <ChartData
        title="class pairs that occur together, most frequent first"
        columns={['Class', 'With class', 'Samples', 'Jaccard']}
        digits={3}
        rows={() =>
          matrix
            .flatMap((row, i) => row.map((count, j) => ({ i, j, count })).filter((p) => p.j > p.i && p.count > 0))
            .sort((a, b) => b.count - a.count)
            .map((p) => [`${p.i} · ${CLASS_NAMES[p.i]}`, `${p.j} · ${CLASS_NAMES[p.j]}`, p.count, norm[p.i][p.j]])
        }
      />
    </figure>
  );
});
