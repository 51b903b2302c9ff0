import { useEffect, useRef, useState } from 'react';
import { MODELS, modelInfo } from '../../core/models/catalog';
import { weightSource } from '../../core/weights/sources';
import { isCleanReport } from '../../core/weights/weightReport';
import { formatDuration } from '../../core/lesson/progress';
import type { StoredWeightsRecord } from '../../worker/protocol';
import { sourcesFromDrop, sourcesFromFolderInput } from '../datasets/dropSources';
import { useStudio } from '../store';
import { useDropZone } from '../useDropZone';
import './weights.css';

const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
/** "VGG16", not the menu's "VGG16 (ImageNet backbone, 14.7M + head)" */
const shortName = (model: string) => modelInfo(model).label.split(' (')[0];
const fmtInt = (n: number) => n.toLocaleString('en-US');

/** The check of a weights file against its backbone, in words: what loaded, and every tensor that did not. */
export function WeightsReportView({ info }: { info: StoredWeightsRecord }) {
  const r = info.report;
  if (!r) return null;
  const stayRandom = r.missing.length + r.mismatched.length;
  const unused = r.unexpected.length + r.mismatched.length;
  return (
    <div className={`weights-report${stayRandom + unused ? ' has-problems' : ''}`} data-testid="weights-report">
      <p>
        <strong>{info.fileName}</strong> for {shortName(info.backbone)}: {fmtInt(r.loaded)} tensors match by name
        {r.widened.length ? `; widened to 4 input channels: ${r.widened.join(', ')}` : ''}.{' '}
        {stayRandom + unused === 0
          ? 'Nothing missing, nothing left over.'
          : [
              stayRandom
                ? `${stayRandom} model tensor${stayRandom === 1 ? '' : 's'} found no fitting tensor in the file: they stay randomly initialised when a run starts from these weights`
                : '',
              unused ? `${unused} tensor${unused === 1 ? '' : 's'} of the file ${unused === 1 ? 'is' : 'are'} not used` : '',
            ]
              .filter(Boolean)
              .join('; ') + '.'}
      </p>
      {r.missing.length > 0 && (
        <p data-testid="weights-missing">
          Missing from the file ({r.missing.length}): {r.missing.join(', ')}
        </p>
      )}
      {r.unexpected.length > 0 && (
        <p data-testid="weights-unexpected">
          In the file but not in the model ({r.unexpected.length}): {r.unexpected.join(', ')}
        </p>
      )}
      {r.mismatched.length > 0 && (
        <p data-testid="weights-mismatched">
          Shape mismatches ({r.mismatched.length}):{' '}
          {r.mismatched.map((m) => `${m.name} is [${m.fileShape.join(', ')}] in the file, [${m.modelShape.join(', ')}] in the model`).join('; ')}
        </p>
      )}
      <p className="hint">The head (and the 1×1 adapter, when chosen) start from fresh weights in every run; only the backbone comes from the file.</p>
      {r.notes.map((n) => (
        <p key={n} className="hint">
          {n}
        </p>
      ))}
    </div>
  );
}

function JobProgress() {
  const job = useStudio((s) => s.weightsJob);
  const cancel = useStudio((s) => s.cancelWeightsJob);
  if (!job) return null;
  const p = job.progress;
  const seconds = (performance.now() - job.startedAt) / 1000;
  const bytesStage = p && (p.stage === 'download' || p.stage === 'read');
  const rate = p && bytesStage && seconds > 0 ? p.done / seconds : 0;
  const left = p && p.total > 0 && rate > 0 ? (p.total - p.done) / rate : null;
  return (
    <div className="weights-job" role="status" data-testid="weights-job">
      {job.kind === 'download' ? 'Downloading' : 'Reading'} {job.label}
      {p ? (
        <>
          {' '}
          · {p.stage}: {bytesStage ? megabytes(p.done) : fmtInt(p.done)}
          {p.total > 0 ? ` of ${bytesStage ? megabytes(p.total) : fmtInt(p.total)}` : ''}
          {rate > 0 ? ` · ${megabytes(rate)}/s` : ''}
          {left !== null ? ` · about ${formatDuration(left)} left` : ''}
          {p.total > 0 && <progress max={p.total} value={p.done} aria-label="Weights job progress" />}
        </>
      ) : (
        ' · starting…'
      )}{' '}
      <button onClick={cancel} disabled={job.cancelling} data-testid="weights-cancel">
        {job.cancelling ? 'Cancelling…' : 'Cancel'}
      </button>
    </div>
  );
}

/**
 * Pretrained weights: drop a Keras Applications .h5, a TF.js layers model folder or zip; or download a
 * backbone's official file, fetched only when its button is pressed (the address and size are shown
 * first). Stored weights are listed with their size and can be deleted.
 */
export function WeightsPanel({ backbone }: { backbone: string }) {
  const weights = useStudio((s) => s.weights);
  const job = useStudio((s) => s.weightsJob);
  const stored = useStudio((s) => s.weightsStored);
  const error = useStudio((s) => s.weightsError);
  const refresh = useStudio((s) => s.refreshWeights);
  const importWeights = useStudio((s) => s.importWeights);
  const download = useStudio((s) => s.downloadWeights);
  const remove = useStudio((s) => s.removeWeights);
  const drop = useDropZone(
    (data) =>
      void sourcesFromDrop(data).then((sources) =>
        importWeights(
          sources.flatMap((s) => (s.kind === 'file' ? [{ path: s.file.name, file: s.file }] : s.files)),
          null,
        ),
      ),
  );
  const fileInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);
  useEffect(() => void refresh(), [refresh]);
  // open while nothing is stored, and whenever a job starts (its progress and report show inside); else as the user left it
  const [open, setOpen] = useState(true);
  const jobId = job?.jobId;
  useEffect(() => {
    if (jobId) setOpen(true);
  }, [jobId]);
  const source = weightSource(backbone);
  const label = shortName(backbone);
  const total = weights.reduce((s, w) => s + w.bytes, 0);
  return (
    <details className="weights-panel" data-testid="weights-panel" open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>Pretrained weights {weights.length ? `(${weights.length} stored, ${megabytes(total)})` : '(none stored)'}</summary>
      <div className={`drop-zone weights-drop${drop.dragging ? ' dragging' : ''}`} data-testid="weights-drop" {...drop.handlers}>
        <p>
          Drop a Keras Applications weights file (<code>*_notop.h5</code>), or a TF.js layers model folder or zip (<code>model.json</code> + shards). It is read
          in this browser and kept here; the backbone is found from its layer names.
        </p>
        <button onClick={() => fileInput.current?.click()} disabled={!!job}>
          Choose .h5 or zip…
        </button>{' '}
        <button onClick={() => folderInput.current?.click()} disabled={!!job}>
          Choose TF.js folder…
        </button>
        <input
          ref={fileInput}
          type="file"
          multiple
          accept=".h5,.hdf5,.zip,.json,.bin"
          hidden
          data-testid="weights-file-input"
          onChange={(e) => {
            const files = [...(e.target.files ?? [])];
            e.target.value = '';
            if (files.length)
              void importWeights(
                files.map((file) => ({ path: file.name, file })),
                null,
              );
          }}
        />
        <input
          ref={folderInput}
          type="file"
          hidden
          data-testid="weights-folder-input"
          {...{ webkitdirectory: '' }}
          onChange={(e) => {
            const sources = e.target.files ? sourcesFromFolderInput(e.target.files) : [];
            e.target.value = '';
            const files = sources.flatMap((s) => (s.kind === 'folder' ? s.files : []));
            if (files.length) void importWeights(files, null);
          }}
        />
      </div>
      {source && (
        <div className="weights-download" data-testid="weights-download">
          <p>
            Or download the official ImageNet weights of {label} from Keras Applications: <code data-testid="weights-address">{source.url}</code> (
            <span data-testid="weights-size">
              {source.sizeConfirmed ? '' : 'about '}
              {megabytes(source.bytes)}
            </span>
            ). Nothing is fetched until you press the button; nothing else leaves this machine.
          </p>
          <button data-testid="weights-download-button" disabled={!!job} onClick={() => download(backbone, source.url)}>
            Download the {label} weights ({megabytes(source.bytes)})
          </button>
        </div>
      )}
      <JobProgress />
      {error && (
        <p className="weights-error" role="alert" data-testid="weights-error">
          {error}
        </p>
      )}
      {stored && <WeightsReportView info={stored} />}
      {weights.length > 0 && (
        <table className="weights-table" data-testid="weights-table">
          <thead>
            <tr>
              <th>Backbone</th>
              <th>File</th>
              <th>From</th>
              <th>Size</th>
              <th>Tensors</th>
              <th>Check</th>
              <th>
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {weights.map((w) => {
              const problems = w.report ? w.report.missing.length + w.report.unexpected.length + w.report.mismatched.length : 0;
              return (
                <tr key={w.id} data-testid="weights-row">
                  <td>{MODELS.some((m) => m.name === w.backbone) ? shortName(w.backbone) : w.backbone}</td>
                  <td>{w.fileName}</td>
                  <td>{w.source === 'download' ? 'downloaded' : w.source === 'h5' ? 'Keras .h5' : 'TF.js'}</td>
                  <td>{megabytes(w.bytes)}</td>
                  <td>{fmtInt(w.tensors)}</td>
                  <td>{!w.report ? 'not checked' : isCleanReport(w.report) ? 'all matched' : `${problems} not matched`}</td>
                  <td>
                    <button onClick={() => void remove(w.id)} aria-label={`Delete ${w.fileName}`}>
                      Delete
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </details>
  );
}
