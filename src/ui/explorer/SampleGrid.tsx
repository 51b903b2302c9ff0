import { memo, useCallback, useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { SampleRecord } from '../../data/catalog';
import { className } from '../../core/labels';
import { LabelChips } from './LabelChips';
import type { PredictionTone } from './samplePredictions';
import type { ThumbnailLoader } from './thumbnailLoader';
import { columnsFor, scrollToReveal, visibleRows, type RowRange } from './windowing';

/** Fixed cell geometry (CSS px): the windowing relies on every row having this height. */
export const CELL_WIDTH = 118;
export const ROW_HEIGHT = 146;
/** Displayed thumbnail size (CSS px). */
export const THUMB_CSS = 96;
const OVERSCAN = 2;

/** What a grid cell shows beside the sample: a tone (a prediction's outcome, drawn as the border) and a short note (a probability). */
export interface CellDecor {
  tone?: PredictionTone;
  note?: string;
  /** the note's and tone's meaning, read out and shown on hover */
  title?: string;
}

interface Props {
  samples: readonly SampleRecord[];
  /** decoration of the sample at an index (called for the visible cells only) */
  decor?: (index: number) => CellDecor | undefined;
  /** the grid's accessible name (default 'Samples') */
  label?: string;
  /** prefix of the cells' element ids: unique per grid on the page */
  idPrefix?: string;
  testId?: string;
  /** shown when there is no sample */
  emptyText?: string;
  loader: ThumbnailLoader | null;
  /** thumbnail bitmap size (px) the loader renders */
  thumbSize: number;
  activeIndex: number;
  onActiveChange: (index: number) => void;
  onOpen: (index: number) => void;
}

/** A windowed grid of sample thumbnails: only the visible rows (plus overscan) are in the DOM. */
export function SampleGrid({
  samples,
  decor,
  label = 'Samples',
  idPrefix = 'explorer-cell',
  testId = 'explorer-grid',
  emptyText = 'No sample matches the filter.',
  loader,
  thumbSize,
  activeIndex,
  onActiveChange,
  onOpen,
}: Props) {
  const cellId = (i: number) => `${idPrefix}-${i}`;
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  const [range, setRange] = useState<RowRange>({ first: 0, end: 0 });
  const cols = columnsFor((width || CELL_WIDTH * 6) - 8, CELL_WIDTH); // rows have 4 px padding each side
  const rowCount = Math.ceil(samples.length / cols);

  const update = useCallback(() => {
    const el = ref.current;
    if (!el) return;
    const r = visibleRows(el.scrollTop, el.clientHeight, ROW_HEIGHT, rowCount, OVERSCAN);
    setRange((prev) => (prev.first === r.first && prev.end === r.end ? prev : r));
  }, [rowCount]);

  useLayoutEffect(update, [update, width]);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(() => {
      setWidth(el.clientWidth);
      update();
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, [update]);

  // a new filter result starts at the top
  useLayoutEffect(() => {
    if (ref.current) ref.current.scrollTop = 0;
    update();
    // only a new filter result scrolls to the top; `update` also changes with the column count (a resize)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [samples]);

  useEffect(() => {
    const el = ref.current;
    if (!el || activeIndex < 0) return;
    const top = scrollToReveal(Math.floor(activeIndex / cols), el.scrollTop, el.clientHeight, ROW_HEIGHT);
    if (top !== el.scrollTop) el.scrollTop = top;
  }, [activeIndex, cols]);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (!samples.length) return;
    const page = Math.max(1, Math.floor((ref.current?.clientHeight ?? ROW_HEIGHT) / ROW_HEIGHT)) * cols;
    const at = Math.max(0, activeIndex);
    const moves: Record<string, number> = {
      ArrowRight: at + 1,
      ArrowLeft: at - 1,
      ArrowDown: at + cols,
      ArrowUp: at - cols,
      PageDown: at + page,
      PageUp: at - page,
      Home: 0,
      End: samples.length - 1,
    };
    if (e.key in moves) {
      e.preventDefault();
      onActiveChange(activeIndex < 0 ? 0 : Math.min(samples.length - 1, Math.max(0, moves[e.key])));
    } else if ((e.key === 'Enter' || e.key === ' ') && activeIndex >= 0) {
      e.preventDefault();
      onOpen(activeIndex);
    }
  };

  // Rows and cells are keyed by their place in the window (row r % window rows, column), not by
  // sample: a scroll then hands the DOM nodes and canvases of the rows that left to the rows that
  // came in, instead of creating a canvas per new cell (a 1,500 px wheel turn over the 31,072-sample
  // grid made every frame a 60–470 ms task under load; docs/full-scale.md).
  const ring = Math.max(1, range.end - range.first);
  const rows = [];
  for (let r = range.first; r < Math.min(range.end, rowCount); r++) {
    const cells = [];
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      if (i >= samples.length) break;
      const d = decor?.(i);
      cells.push(
        <GridCell
          key={c}
          id={cellId(i)}
          sample={samples[i]}
          index={i}
          col={c}
          active={i === activeIndex}
          loader={loader}
          thumbSize={thumbSize}
          onOpen={onOpen}
          tone={d?.tone}
          note={d?.note}
          noteTitle={d?.title}
        />,
      );
    }
    rows.push(
      <div
        key={r % ring}
        role="row"
        aria-rowindex={r + 1}
        className="explorer-row"
        style={{ transform: `translateY(${r * ROW_HEIGHT}px)`, height: ROW_HEIGHT }}
      >
        {cells}
      </div>,
    );
  }

  return (
    <div
      ref={ref}
      className="explorer-grid"
      role="grid"
      aria-label={label}
      aria-rowcount={rowCount}
      aria-colcount={cols}
      aria-activedescendant={activeIndex >= 0 && activeIndex < samples.length ? cellId(activeIndex) : undefined}
      tabIndex={0}
      onScroll={update}
      onKeyDown={onKeyDown}
      data-testid={testId}
    >
      <div className="explorer-grid-body" role="presentation" style={{ height: rowCount * ROW_HEIGHT }}>
        {rows}
      </div>
      {/* a grid holds rows (axe's aria-required-children): the message is one when there is no sample */}
      {!samples.length && (
        <div role="row" className="explorer-empty">
          <span role="gridcell">{emptyText}</span>
        </div>
      )}
    </div>
  );
}

interface CellProps {
  id: string;
  sample: SampleRecord;
  index: number;
  col: number;
  active: boolean;
  loader: ThumbnailLoader | null;
  thumbSize: number;
  onOpen: (index: number) => void;
  tone?: PredictionTone;
  note?: string;
  noteTitle?: string;
}

const GridCell = memo(function GridCell({ id, sample, index, col, active, loader, thumbSize, onOpen, tone, note, noteTitle }: CellProps) {
  const cell = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  // Drawn straight onto the canvas (no React state): a cached thumbnail appears before the first paint,
  // and scrolling causes no re-render per cell. The state lives in data-state for styling and tests.
  useLayoutEffect(() => {
    if (!loader) return;
    cell.current?.setAttribute('data-state', 'loading');
    // a recycled cell: the sample it showed before must not linger while this one's pixels load
    canvas.current?.getContext('2d')?.clearRect(0, 0, thumbSize, thumbSize);
    return loader.request(sample.slot, (thumb, err) => {
      const ctx = canvas.current?.getContext('2d');
      if (thumb && ctx) ctx.putImageData(new ImageData(thumb as Uint8ClampedArray<ArrayBuffer>, thumbSize, thumbSize), 0, 0);
      cell.current?.setAttribute('data-state', thumb && ctx ? 'ready' : 'error');
      if (!thumb) canvas.current?.setAttribute('title', `Could not load the thumbnail: ${err ?? 'no canvas'}`);
    });
  }, [loader, sample.slot, thumbSize]);
  return (
    <div
      id={id}
      role="gridcell"
      aria-colindex={col + 1}
      aria-selected={active}
      className={`explorer-cell${active ? ' active' : ''}${tone ? ` tone-${tone}` : ''}`}
      ref={cell}
      data-sample-id={sample.id}
      data-tone={tone}
      title={noteTitle}
      onClick={() => onOpen(index)}
    >
      {/* the cell's name, read in full; the short id and chips below are the same facts for the eye */}
      <span className="visually-hidden">
        {sample.id}, {sample.split}, {sample.labels.length ? `labels ${sample.labels.map((c) => `${c} ${className(c)}`).join(', ')}` : 'no labels'}
        {noteTitle && `, ${noteTitle}`}
      </span>
      <span className="explorer-thumb-wrap">
        <canvas ref={canvas} width={thumbSize} height={thumbSize} style={{ width: THUMB_CSS, height: THUMB_CSS }} className="explorer-thumb" aria-hidden />
        {note && (
          <span className="explorer-cell-note" data-testid="cell-note" aria-hidden>
            {note}
          </span>
        )}
      </span>
      <span className="explorer-cell-id" title={sample.id} aria-hidden>
        {sample.id.slice(0, 8)}
        {sample.split === 'test' && <span className="split-tag">test</span>}
      </span>
      <LabelChips labels={sample.labels} compact />
    </div>
  );
});
