import { useCallback, useEffect, useMemo, useState } from 'react';
import { classCounts, classCountsBySplit, cooccurrence } from '../../core/cooccurrence';
import { listSamples, type DatasetRecord, type SampleRecord } from '../../data/catalog';
import { openPixelReader, type PixelReader } from '../../data/pixelStore';
import { ClassDistributionChart } from './ClassDistributionChart';
import { compositeRGBY, downscaleRGBY } from './composite';
import { CooccurrenceHeatmap } from './CooccurrenceHeatmap';
import { ExplorerFilters } from './ExplorerFilters';
import { filterSamples, NO_FILTER, type SampleFilter } from './filter';
import { SampleGrid, THUMB_CSS } from './SampleGrid';
import { SampleViewer } from './SampleViewer';
import { ThumbnailLoader } from './thumbnailLoader';
import './explorer.css';

/** Train samples first, then test; by id within a split. */
function orderSamples(samples: SampleRecord[]): SampleRecord[] {
  const rank = (s: SampleRecord) => (s.split === 'train' ? 0 : 1);
  return samples.sort((a, b) => rank(a) - rank(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The dataset Explorer: filters, a windowed thumbnail grid, a sample viewer, class counts and co-occurrence. */
export function Explorer({ dataset }: { dataset: DatasetRecord }) {
  const [all, setAll] = useState<SampleRecord[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [filter, setFilter] = useState<SampleFilter>(NO_FILTER);
  const [active, setActive] = useState(-1);
  const [open, setOpen] = useState<number | null>(null);
  const [reader, setReader] = useState<Promise<PixelReader> | null>(null);
  const [loader, setLoader] = useState<ThumbnailLoader | null>(null);
  const { id, storage, resolution, status, train, test, nextSlot } = dataset;
  const thumbSize = Math.min(THUMB_CSS, resolution);

  // The sample list (re-read while an import adds samples).
  useEffect(() => {
    let live = true;
    setLoadError(null);
    listSamples(id)
      .then((s) => live && setAll(orderSamples(s)))
      .catch((e: unknown) => live && setLoadError(e instanceof Error ? e.message : String(e)));
    return () => {
      live = false;
    };
  }, [id, status, train, test]);

  // One pixel reader and thumbnail loader per dataset state (an OPFS file snapshot goes stale when the import writes on).
  useEffect(() => {
    const r = openPixelReader({ id, storage, resolution });
    r.catch(() => {}); // reported by the viewer and the cells that use it
    const l = new ThumbnailLoader({
      read: (slot) => r.then((rd) => rd.read(slot)),
      render: (px) => {
        const small = downscaleRGBY(px, resolution, thumbSize);
        return compositeRGBY(small, new Uint8ClampedArray(small.length));
      },
    });
    setReader(r);
    setLoader(l);
    return () => {
      l.close();
      r.then((rd) => rd.close()).catch(() => {});
    };
  }, [id, storage, resolution, thumbSize, nextSlot, status]);

  const samples = useMemo(() => (all ? filterSamples(all, filter) : []), [all, filter]);
  const scoped = useMemo(() => (all ? filterSamples(all, { ...NO_FILTER, split: filter.split }) : []), [all, filter.split]);
  const stats = useMemo(() => {
    const lists = scoped.map((s) => s.labels);
    return { counts: classCounts(lists), matrix: cooccurrence(lists), bySplit: classCountsBySplit(scoped) };
  }, [scoped]);

  const changeFilter = useCallback((f: SampleFilter) => {
    setFilter(f);
    setActive(-1);
    setOpen(null);
  }, []);
  const toggleClass = useCallback(
    (c: number) =>
      changeFilter({ ...filter, classes: filter.classes.includes(c) ? filter.classes.filter((x) => x !== c) : [...filter.classes, c].sort((a, b) => a - b) }),
    [filter, changeFilter],
  );
  const pickPair = useCallback(
    (a: number, b: number) => changeFilter({ ...filter, classes: a === b ? [a] : [Math.min(a, b), Math.max(a, b)], match: 'all' }),
    [filter, changeFilter],
  );
  const openAt = useCallback((i: number) => {
    setActive(i);
    setOpen(i);
  }, []);
  const step = useCallback(
    (d: number) => {
      if (open === null || !samples.length) return;
      const to = Math.min(samples.length - 1, Math.max(0, open + d));
      setOpen(to);
      setActive(to);
    },
    [open, samples.length],
  );
  const prev = useCallback(() => step(-1), [step]);
  const next = useCallback(() => step(1), [step]);
  const close = useCallback(() => setOpen(null), []);

  if (loadError)
    return (
      <p className="explorer-error" role="alert">
        Could not read the samples of {dataset.name}: {loadError}
      </p>
    );
  if (!all) return <p data-testid="explorer-loading">Loading samples…</p>;

  const openSample = open !== null ? samples[open] : undefined;
  const scope = filter.split === 'all' ? 'all splits' : `${filter.split} split`;
  return (
    <div className="explorer" data-testid="explorer">
      <p className="explorer-summary">
        {train.toLocaleString('en-US')} train · {test.toLocaleString('en-US')} test · {resolution}×{resolution} px
        {status !== 'ready' && <span className="explorer-status"> ({status})</span>}
      </p>
      <ExplorerFilters filter={filter} onChange={changeFilter} shown={samples.length} total={all.length} counts={stats.counts} />
      <div className="explorer-body">
        <SampleGrid samples={samples} loader={loader} thumbSize={thumbSize} activeIndex={active} onActiveChange={setActive} onOpen={openAt} />
        <div className="explorer-charts">
          <ClassDistributionChart counts={stats.counts} bySplit={stats.bySplit} selected={filter.classes} onToggleClass={toggleClass} scope={scope} />
          <CooccurrenceHeatmap matrix={stats.matrix} onPickPair={pickPair} />
        </div>
      </div>
      {openSample && (
        <SampleViewer
          sample={openSample}
          resolution={resolution}
          reader={reader}
          position={`${(open! + 1).toLocaleString('en-US')} of ${samples.length.toLocaleString('en-US')}`}
          onClose={close}
          onPrev={prev}
          onNext={next}
        />
      )}
    </div>
  );
}
