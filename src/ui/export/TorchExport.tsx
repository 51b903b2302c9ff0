import { useState } from 'react';
import { chooseThresholds, type ThresholdMode } from '../../core/thresholds';
import type { DatasetRecord, RunRecord } from '../../data/catalog';
import { useStudio } from '../store';

/** A run with stored weights: a checkpoint of a trained or imported run (an imported report has none). */
const hasWeights = (r: RunRecord) => r.checkpointEpoch > 0 || r.bestEpoch !== null;

const STAGES = { checkpoint: 'reading the checkpoint', split: "reading the dataset's split", files: 'writing weights.npz and the scripts' } as const;

/** The thresholds written to thresholds.csv: from the run's stored validation predictions by the export view's threshold mode, else none (0.5). */
export function torchThresholds(r: RunRecord, mode: ThresholdMode, rates: readonly number[] | null): { values: number[] | null; from: string } {
  if (!r.valProbs || !r.valTruth || !r.valIds.length) return { values: null, from: '0.5 for every class (the run has no stored validation predictions)' };
  const m = mode === 'proportion' && !rates ? 'global' : mode;
  const t = chooseThresholds(r.valTruth, r.valProbs, m, { rates: rates ?? undefined });
  return { values: Array.from(t.thresholds), from: `${m} thresholds fitted on the run's stored validation predictions (${r.valIds.length} images)` };
}

/** "Export as PyTorch project": the run's weights as .npz with model.py and predict.py, and train.py for torchrun (docs/torch-export.md). */
export function TorchExport({ dataset, rates }: { dataset: DatasetRecord | undefined; rates: readonly number[] | null }) {
  const runs = useStudio((s) => s.runs);
  const selection = useStudio((s) => s.exportSelection);
  const mode = useStudio((s) => s.ensembleChoice.mode);
  const job = useStudio((s) => s.torchExportJob);
  const error = useStudio((s) => s.torchExportError);
  const download = useStudio((s) => s.torchExportDownload);
  const exportTorch = useStudio((s) => s.exportTorch);
  const cancel = useStudio((s) => s.cancelTorchExport);
  const [picked, setPicked] = useState<string | null>(null);
  const [project, setProject] = useState(true);

  const eligible = dataset ? runs.filter((r) => r.datasetId === dataset.id && hasWeights(r)) : [];
  if (!eligible.length) return null;
  const run = eligible.find((r) => r.id === picked) ?? eligible.find((r) => selection.includes(r.id)) ?? eligible[0];
  const start = () => {
    const t = torchThresholds(run, mode, rates);
    exportTorch(run.id, project, t.values, t.from);
  };

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
