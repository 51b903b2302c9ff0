import { useEffect, useMemo, useRef, useState } from 'react';
import { CLASS_NAMES } from '../../core/labels';
import type { DatasetRecord } from '../../data/catalog';
import { classCounts, planDataset } from '../../synth/planDataset';
import { demoSynthOptions, TEACHING_DEMO, TEACHING_MIN_PER_CLASS } from '../../synth/teachingDemo';
import { demoClassText } from './demoClassText';
import { STORED_RESOLUTIONS } from '../../worker/protocol';
import { fmtBytes, fmtDuration, fmtInt, rateAndEta } from '../format';
import { useEta } from '../useEta';
import { useStudio } from '../store';
import { heldElsewhere } from '../store/tabsSlice';
import { sourcesFromDrop, sourcesFromFolderInput } from './dropSources';
import { useDropZone } from '../useDropZone';
import { SkipRow } from './SkipList';
import { ImportEstimate } from './ImportEstimate';

/** Sizes of the demo set: small enough that a first run shows curves within a minute on a laptop GPU. */
export const DEMO_DEFAULTS = { train: 800, test: 200, size: 64, seed: 1 };

type DemoKind = 'realistic' | 'teaching';
type Demo = { train: number; test: number; size: number; seed: number };

/**
 * The class counts of the demo set the options will generate (the plan is cheap and deterministic),
 * what the teaching demo changes, and the classes a 20 % hold-out would leave too few positives to score.
 */
function DemoClassCounts({ demo, kind }: { demo: Demo; kind: DemoKind }) {
  const counts = useMemo(() => {
    try {
      const opts = demoSynthOptions({ ...demo, teaching: kind === 'teaching' });
      const plan = planDataset(opts);
      return { train: classCounts(plan.train), test: classCounts(plan.test) };
    } catch {
      return null; // options being typed: the generator names the problem when the button is pressed
    }
  }, [demo, kind]);
  if (!counts) return null;
  const text = demoClassText(kind, counts.train, counts.test);
  return (
    <div className="demo-classes" data-testid="demo-classes" style={{ fontSize: 13, flexBasis: '100%' }}>
      {kind === 'teaching' ? (
        <p>
          Teaching demo: rare label sets are drawn far more often than in the real data, so that {text.floor} (all sets are real ones); the images are cleaner
          (fewer, larger cells, little noise). The <em>Quick demo</em> recipe learns every class on it within minutes. The realistic demo keeps the real class
          balance.
        </p>
      ) : (
        <p>Realistic demo: label sets in their real proportions (nucleoplasm and cytosol capped), so the rare classes get only a few samples.</p>
      )}
      <details>
        <summary>Samples per class (train / test)</summary>
        <ul style={{ columns: 4, margin: '4px 0', paddingLeft: 18 }}>
          {counts.train.map((n, c) => (
            <li key={c} data-testid="demo-class-count">
              {c} {CLASS_NAMES[c]}: {n} / {counts.test[c]}
            </li>
          ))}
        </ul>
      </details>
      {text.warning && (
        <p className="warnings" role="note" data-testid="demo-rare-classes" style={{ paddingLeft: 0 }}>
          {text.warning}
        </p>
      )}
    </div>
  );
}

function ImportProgressView() {
  const importing = useStudio((s) => s.importing);
  const cancel = useStudio((s) => s.cancelImport);
  const ip = importing?.progress;
  const eta = useEta(importing?.label ?? null, ip?.phase === 'importing' ? ip.done : null, ip?.total ?? 0, ip?.elapsedMs ?? 0);
  if (!importing) return null;
  const p = importing.progress;
  const { perSecond } = p ? rateAndEta(p.done, p.total, p.elapsedMs) : { perSecond: 0 };
  const pct = p && p.total ? (100 * p.done) / p.total : 0;
  return (
    <div className="import-progress" data-testid="import-progress">
      <div>
        Importing <strong>{importing.label}</strong>
        {p?.phase === 'indexing' && ` · indexing the archive (${fmtInt(p.done)} entries)`}
        {p?.phase === 'generating' && ` · generating ${fmtInt(p.done)} of ${fmtInt(p.total)} samples`}
      </div>
      <progress max={100} value={pct} aria-label="Import progress" />
      {p?.phase === 'importing' && (
        <div data-testid="import-progress-text">
          {fmtInt(p.done)} of {fmtInt(p.total)} samples · {(p.bytes / 1e6 / (p.elapsedMs / 1000 || 1)).toFixed(1)} MB/s ·{' '}
          {(eta.perSecond ?? perSecond).toFixed(1)} samples/s · ETA {eta.seconds === null ? 'estimating…' : fmtDuration(eta.seconds)}
          {/* stored: pixels flushed and catalog committed, what a crash keeps (docs/reliability.md) */}
          {p.stored !== undefined && <span data-testid="import-stored"> · {fmtInt(p.stored)} stored</span>}
        </div>
      )}
      <button onClick={cancel} disabled={importing.cancelling}>
        {importing.cancelling ? 'Cancelling…' : 'Cancel'}
      </button>
    </div>
  );
}

function DatasetError() {
  const error = useStudio((s) => s.datasetError);
  if (!error) return null;
  return (
    <div className="import-error" role="alert" data-testid="dataset-error">
      {error}
    </div>
  );
}

function ImportResult() {
  const summary = useStudio((s) => s.lastSummary);
  const refusal = useStudio((s) => s.lastRefusal);
  const error = useStudio((s) => s.importError);
  if (refusal || error) {
    return (
      <div className="import-error" role="alert" data-testid="import-error">
        {refusal ? `Import refused: ${refusal.message}` : `Import failed: ${error}`}
        <div className="hint">Nothing was written; datasets you already imported are unchanged.</div>
      </div>
    );
  }
  if (!summary) return null;
  return (
    <div className="import-summary" role="status" data-testid="import-summary">
      <strong>
        {fmtInt(summary.imported)} samples imported, {fmtInt(summary.skipped)} skipped
      </strong>
      {summary.skipped > 0 && ' (listed under the dataset below)'}
      {summary.alreadyStored > 0 && `, ${fmtInt(summary.alreadyStored)} already stored`}
      {summary.cancelled && ' (cancelled: the dataset is marked partial; drop the same files again to resume)'} · stored at {summary.resolution} px
      {summary.timing && summary.imported > 0 && (
        <span data-testid="import-rate" data-decode-busy={summary.timing.decodeBusy?.toFixed(3)}>
          {' '}
          · {fmtDuration(summary.timing.ms / 1000)}, {((summary.imported * 1000) / summary.timing.ms).toFixed(1)} samples/s
        </span>
      )}
      {summary.storageFull && (
        <div className="import-error" role="alert" data-testid="import-storage-full">
          {summary.storageFull}
        </div>
      )}
      {summary.warnings.length > 0 && (
        <ul className="warnings" data-testid="import-warnings">
          {summary.warnings.map((w) => (
            <li key={w}>⚠ {w}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

function DatasetRow({ ds, onResume }: { ds: DatasetRecord; onResume: (ds: DatasetRecord) => void }) {
  const selected = useStudio((s) => s.selectedDatasetId === ds.id);
  const select = useStudio((s) => s.selectDataset);
  const rename = useStudio((s) => s.renameDataset);
  const remove = useStudio((s) => s.deleteDataset);
  const held = useStudio((s) => heldElsewhere(s, ds.id));
  const busy = useStudio((s) => s.importing !== null) || held !== null;
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(ds.name);
  const bytes = (ds.train + ds.test) * ds.resolution * ds.resolution * 4;
  return (
    <tr className={selected ? 'selected' : undefined} data-testid="dataset-row">
      <td>
        {editing ? (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void rename(ds.id, name).then(() => setEditing(false));
            }}
          >
            <input aria-label="Dataset name" value={name} onChange={(e) => setName(e.target.value)} autoFocus />
            <button type="submit">Save</button>
          </form>
        ) : (
          <button className="linklike" onClick={() => select(ds.id)} data-testid="dataset-name">
            {ds.name}
          </button>
        )}
      </td>
      <td data-testid="dataset-status">{held ?? (ds.status === 'partial' ? 'partial (interrupted)' : ds.status)}</td>
      <td data-testid="dataset-counts">
        {fmtInt(ds.train)} train · {fmtInt(ds.test)} test
      </td>
      <td>{ds.resolution} px</td>
      <td>
        {fmtBytes(bytes)} ({ds.storage === 'opfs' ? 'OPFS' : 'IndexedDB'})
      </td>
      <td className="actions">
        {ds.status === 'partial' && (
          <button onClick={() => onResume(ds)} disabled={busy} title={held ?? undefined}>
            Resume…
          </button>
        )}
        <button onClick={() => setEditing((v) => !v)} disabled={held !== null} title={held ?? undefined}>
          Rename
        </button>
        <button
          onClick={() => {
            if (confirm(`Delete dataset '${ds.name}' and free ${fmtBytes(bytes)}?`)) void remove(ds.id);
          }}
          disabled={busy}
          title={held ?? undefined}
        >
          Delete
        </button>
      </td>
    </tr>
  );
}

/** Drop zone, pickers, the demo button, import progress and the list of stored datasets. */
export function DatasetsPanel() {
  const datasets = useStudio((s) => s.datasets);
  const storage = useStudio((s) => s.storage);
  const importing = useStudio((s) => s.importing);
  // the estimate's measurement uses the ingest worker: no import starts while it runs
  const busy = useStudio((s) => !!s.importing || s.calibrating);
  const importSources = useStudio((s) => s.importSources);
  const importDemo = useStudio((s) => s.importDemo);
  const refresh = useStudio((s) => s.refreshDatasets);
  const refreshStorage = useStudio((s) => s.refreshStorage);
  const [resolution, setResolution] = useState(256);
  const [target, setTarget] = useState<string>('new');
  const [limit, setLimit] = useState('');
  const [demo, setDemo] = useState<Demo>({ ...TEACHING_DEMO });
  // a first run should learn something: the teaching demo is the one the Quick demo preset is made for
  const [demoKind, setDemoKind] = useState<DemoKind>('teaching');
  const fileInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    void refresh();
    void refreshStorage();
  }, [refresh, refreshStorage]);
  useEffect(() => {
    folderInput.current?.setAttribute('webkitdirectory', '');
  }, []);

  const opts = () => ({ resolution, datasetId: target === 'new' ? undefined : target, limit: limit ? Number(limit) : undefined });
  const drop = useDropZone((data) => void sourcesFromDrop(data).then((s) => s.length && importSources(s, opts())));

  return (
    <section className="panel" aria-label="Datasets">
      <h2>Datasets</h2>
      <div className={`drop-zone${drop.dragging ? ' dragging' : ''}`} data-testid="drop-zone" {...drop.handlers}>
        {datasets.length === 0 && (
          <p className="welcome" data-testid="welcome">
            Start with the synthetic demo dataset, or drop the Kaggle competition’s data. It stays in this browser.
          </p>
        )}
        <p>
          Drop the Kaggle <code>train.zip</code> / <code>test.zip</code>, the whole download, or its folder here
        </p>
        <button onClick={() => fileInput.current?.click()} disabled={busy}>
          Choose zip or CSV…
        </button>{' '}
        <button onClick={() => folderInput.current?.click()} disabled={busy}>
          Choose folder…
        </button>{' '}
        <button
          className="primary"
          data-testid="demo-dataset"
          onClick={() => importDemo({ ...demo, teaching: demoKind === 'teaching' }, { resolution })}
          disabled={busy}
        >
          Try the demo dataset
        </button>
        <input
          ref={fileInput}
          type="file"
          multiple
          accept=".zip,.csv"
          hidden
          data-testid="file-input"
          onChange={(e) => {
            const files = [...(e.target.files ?? [])];
            e.target.value = '';
            if (files.length)
              importSources(
                files.map((file) => ({ kind: 'file', file })),
                opts(),
              );
          }}
        />
        <input
          ref={folderInput}
          type="file"
          hidden
          data-testid="folder-input"
          onChange={(e) => {
            const sources = e.target.files ? sourcesFromFolderInput(e.target.files) : [];
            e.target.value = '';
            if (sources.length) importSources(sources, opts());
          }}
        />
      </div>
      <ImportEstimate resolution={resolution} />
      <details className="import-options-disclosure">
        <summary>Import options: stored resolution, target dataset, sample limit, the demo’s kind and size</summary>
        <div className="import-options">
          <label>
            Demo kind{' '}
            <select
              aria-label="Demo kind"
              value={demoKind}
              onChange={(e) => {
                const kind = e.target.value as DemoKind;
                setDemoKind(kind);
                const sizes = kind === 'teaching' ? TEACHING_DEMO : DEMO_DEFAULTS;
                setDemo({ ...demo, train: sizes.train, test: sizes.test, size: sizes.size });
              }}
              disabled={!!importing}
            >
              <option value="realistic">realistic (real class balance)</option>
              <option value="teaching">teaching (every class ≥ {TEACHING_MIN_PER_CLASS} samples, learnable in minutes)</option>
            </select>
          </label>
          <label>
            Stored resolution{' '}
            <select aria-label="Stored resolution" value={resolution} onChange={(e) => setResolution(Number(e.target.value))}>
              {STORED_RESOLUTIONS.map((r) => (
                <option key={r} value={r}>
                  {r} px{r === 256 ? ' (default)' : ''}
                </option>
              ))}
            </select>
          </label>
          <label>
            Import into{' '}
            <select aria-label="Import into" value={target} onChange={(e) => setTarget(e.target.value)}>
              <option value="new">a new dataset</option>
              {datasets.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            At most{' '}
            <input
              aria-label="Sample limit"
              type="number"
              min={1}
              placeholder="all"
              value={limit}
              onChange={(e) => setLimit(e.target.value)}
              style={{ width: 80 }}
            />{' '}
            samples per split
          </label>
          <details>
            <summary>Demo size</summary>
            {(['train', 'test', 'size', 'seed'] as const).map((k) => (
              <label key={k}>
                {k}{' '}
                <input
                  aria-label={`Demo ${k}`}
                  type="number"
                  value={demo[k]}
                  onChange={(e) => setDemo({ ...demo, [k]: Number(e.target.value) })}
                  style={{ width: 70 }}
                />
              </label>
            ))}
          </details>
          <DemoClassCounts demo={demo} kind={demoKind} />
        </div>
      </details>
      <ImportProgressView />
      <ImportResult />
      <DatasetError />
      {datasets.length > 0 && (
        <table className="datasets-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Status</th>
              <th>Samples</th>
              <th>Stored</th>
              <th>Size</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {datasets.flatMap((d) => [
              <DatasetRow
                key={`${d.id}-${d.name}`}
                ds={d}
                onResume={(ds) => {
                  setTarget(ds.id);
                  // a dataset of images smaller than 128 px stores their own size, which is not a choice to offer (the import keeps the dataset's)
                  if ((STORED_RESOLUTIONS as readonly number[]).includes(ds.resolution)) setResolution(ds.resolution);
                  fileInput.current?.click();
                }}
              />,
              <SkipRow key={`${d.id}-skips`} ds={d} />,
            ])}
          </tbody>
        </table>
      )}
      {storage && (
        <p className="storage-line" data-testid="storage-line">
          Browser storage: {fmtBytes(storage.usage)} used of {fmtBytes(storage.quota)} ·{' '}
          {storage.persisted
            ? 'persistent (the browser will not evict it)'
            : 'best-effort (the browser may evict it under pressure; persistence was not granted)'}
        </p>
      )}
    </section>
  );
}
