import { useState } from 'react';
import type { DatasetRecord, RunRecord } from '../../data/catalog';
import { useStudio } from '../store';
import { exportWeights, type ExportThresholds } from './exportThresholds';

/** A run with stored weights: a checkpoint of a trained or imported run (an imported report has none). */
const hasWeights = (r: RunRecord) => r.checkpointEpoch > 0 || r.bestEpoch !== null;

const STAGES = { checkpoint: 'reading the checkpoint', split: "reading the dataset's split", files: 'writing weights.npz and the scripts' } as const;

/**
 * "Export as PyTorch project": the run's weights as .npz with model.py and predict.py, and train.py for torchrun (docs/torch-export.md);
 * thresholds.csv holds the thresholds the Export view chose for the run (`thresholdsFor`).
 */
export function TorchExport({
  dataset,
  headerRunId,
  thresholdsFor,
}: {
  dataset: DatasetRecord | undefined;
  headerRunId: string | null;
  thresholdsFor: (r: RunRecord) => ExportThresholds;
}) {
  const runs = useStudio((s) => s.runs);
  const selection = useStudio((s) => s.exportSelection);
  const job = useStudio((s) => s.torchExportJob);
  const error = useStudio((s) => s.torchExportError);
  const download = useStudio((s) => s.torchExportDownload);
  const exportTorch = useStudio((s) => s.exportTorch);
  const cancel = useStudio((s) => s.cancelTorchExport);
  const [picked, setPicked] = useState<string | null>(null);
  const [project, setProject] = useState(true);

  const eligible = dataset ? runs.filter((r) => r.datasetId === dataset.id && hasWeights(r)) : [];
  if (!eligible.length) return null;
  // the run picked here, else the header's, else a ticked one, else the newest
  const run =
    eligible.find((r) => r.id === picked) ??
    eligible.find((r) => r.id === headerRunId) ??
    eligible.findLast((r) => selection.includes(r.id)) ??
    eligible[eligible.length - 1];
  const thresholds = thresholdsFor(run);
  const start = () => exportTorch(run.id, project, thresholds.values, thresholds.label);

  return (
    <section className="torch-export" aria-label="Export as PyTorch project">
      <h3>PyTorch</h3>
      <div className="setup-row">
        <label>
          Run{' '}
          <select aria-label="Run to export for PyTorch" value={run.id} onChange={(e) => setPicked(e.target.value)}>
            {eligible.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          <input type="checkbox" aria-label="With train.py" checked={project} onChange={(e) => setProject(e.target.checked)} /> with train.py for torchrun
        </label>
        <button data-testid="export-torch" disabled={!!job} onClick={start}>
          {project ? 'Export as PyTorch project' : 'Export for PyTorch'}
        </button>
      </div>
      <p data-testid="torch-export-contents">
        weights: {exportWeights(run)} · thresholds.csv: {thresholds.label}
      </p>
      <p className="hint">
        weights.npz (NumPy), model.py, predict.py (a Kaggle submission from PNGs) and thresholds.csv
        {project ? "; train.py runs the run's recipe on one or several machines with torchrun and writes a report that Import report brings back" : ''}
      </p>
      {job && (
        <p data-testid="torch-export-progress">
          Exporting '{job.runName}'{job.stage ? `: ${STAGES[job.stage]}…` : '…'} <button onClick={cancel}>Cancel</button>
        </p>
      )}
      {error && (
        <div className="setup-problem" role="alert" data-testid="torch-export-error">
          {error}
        </div>
      )}
      {download && (
        <p>
          <a href={download.url} download={download.fileName} data-testid="torch-download">
            {download.fileName}
          </a>{' '}
          ({(download.bytes / 1e6).toFixed(2)} MB)
        </p>
      )}
    </section>
  );
}
