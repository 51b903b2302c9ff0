import { useEffect, useMemo, useRef, useState } from 'react';
import type { DatasetRecord, RunRecord } from '../../data/catalog';
import type { EpochLogs } from '../../worker/protocol';
import { fileSafe, fmtDuration, fmtInt, rateAndEta } from '../format';
import { useStudio } from '../store';
import { downloadUrl } from '../store/exportSlice';
import { describeThresholds, exportWeights, thresholdsByMode, thresholdsInForce, type ExportThresholdChoice, type ExportThresholds } from './exportThresholds';
import { PredictResults, usePredictionOutputs } from './PredictResults';
import { reportFiles, writeReportZip } from './runReport';
import { TorchExport } from './TorchExport';
import { useDatasetFacts } from './useDatasetFacts';
import './export.css';

/** A run can predict when it ended and has a stored checkpoint (an imported model has one at epoch 0). */
export const canPredict = (r: RunRecord) => (r.status === 'done' || r.status === 'stopped') && (r.checkpointEpoch > 0 || r.bestEpoch !== null);
const bestF1 = (r: RunRecord) => (r.history.length ? Math.max(...(r.history as unknown as EpochLogs[]).map((h) => h.valMacroF1)).toFixed(4) : '–');

export function ProgressView() {
  const job = useStudio((s) => s.predictJob);
  const cancel = useStudio((s) => s.cancelPrediction);
  if (!job) return null;
  const p = job.progress;
  const elapsed = performance.now() - job.startedAt;
  const { perSecond, etaSeconds } = p ? rateAndEta(p.done, p.total, elapsed) : { perSecond: 0, etaSeconds: Infinity };
  return (
    <div className="predict-progress" data-testid="predict-progress">
      <div>
        {job.label}
        {job.backend ? ` on ${job.backend}${job.backendWhy ? ` (${job.backendWhy})` : ''}` : ''}
        {p && p.members > 1 ? ` · run ${p.member + 1}/${p.members}` : ''}
        {p ? ` · ${p.stage === 'loading' ? 'loading weights' : p.stage === 'validation' ? 'validation images' : 'test images'}` : ''}
      </div>
      {job.kind === 'predict' && (
        <>
          <progress max={p?.total || 1} value={p?.done ?? 0} />
          <span data-testid="predict-count">
            {fmtInt(p?.done ?? 0)} / {fmtInt(p?.total ?? 0)} images · {perSecond.toFixed(1)} img/s · ETA {fmtDuration(etaSeconds)}
          </span>{' '}
          <button data-testid="predict-cancel" disabled={job.cancelling} onClick={cancel}>
            {job.cancelling ? 'Cancelling…' : 'Cancel'}
          </button>
        </>
      )}
    </div>
  );
}

/** Predict the test split with one run or an ensemble, export submission / probabilities / weights / reports, import models and reports. */
export function ExportPanel({ dataset, headerRunId = null }: { dataset: DatasetRecord | undefined; headerRunId?: string | null }) {
  const runs = useStudio((s) => s.runs);
  const selection = useStudio((s) => s.exportSelection);
  const toggle = useStudio((s) => s.toggleExportRun);
  const options = useStudio((s) => s.predictOptions);
  const setOptions = useStudio((s) => s.setPredictOptions);
  const choice = useStudio((s) => s.ensembleChoice);
  const job = useStudio((s) => s.predictJob);
  const prediction = useStudio((s) => s.prediction);
  const error = useStudio((s) => s.exportError);
  const notice = useStudio((s) => s.exportNotice);
  const modelDownload = useStudio((s) => s.modelDownload);
  const startPrediction = useStudio((s) => s.startPrediction);
  const exportModel = useStudio((s) => s.exportModel);
  const importModel = useStudio((s) => s.importModel);
  const importReport = useStudio((s) => s.importReport);
  const training = useStudio((s) => s.live !== null && s.live.phase !== 'ended');
  const facts = useDatasetFacts(dataset);
  const outputs = usePredictionOutputs(prediction, dataset, facts);
  const [reportError, setReportError] = useState<string | null>(null);
  const showStoredPrediction = useStudio((s) => s.showStoredPrediction);
  const thresholdsByRun = useStudio((s) => s.thresholdsByRun);
  const [thresholdChoice, setThresholdChoice] = useState<ExportThresholdChoice>('in-force');

  const mine = dataset ? runs.filter((r) => r.datasetId === dataset.id) : [];
  const chosen = mine.filter((r) => selection.includes(r.id) && canPredict(r));
  const anyCrop = chosen.some((r) => r.config.mode === 'crop');
  // ticking runs that predicted before (in this page or before a reload) shows that prediction again
  const chosenKey = chosen
    .map((r) => r.id)
    .sort()
    .join(',');
  const datasetId = dataset?.id;
  // with none of this dataset's runs ticked, the header's run is ticked: once per dataset and header run, so the user can untick it
  const headerRun = mine.find((r) => r.id === headerRunId && canPredict(r));
  const defaulted = useRef<string | null>(null);
  useEffect(() => {
    const key = `${datasetId}/${headerRun?.id}`;
    if (!headerRun || defaulted.current === key) return;
    defaulted.current = key;
    if (!chosen.length) toggle(headerRun.id, true);
  }, [datasetId, headerRun, chosen.length, toggle]);
  useEffect(() => {
    if (datasetId && chosenKey) void showStoredPrediction(datasetId, chosenKey.split(','));
  }, [datasetId, chosenKey, showStoredPrediction]);
  const problem = !dataset
    ? 'Select a dataset first.'
    : !dataset.test
      ? `Dataset '${dataset.name}' has no test images: import test.zip (or a zip with test/) to predict.`
      : !chosen.length
        ? 'Tick one finished run (or several, for an ensemble).'
        : training
          ? 'A run is training: predict when it has ended.'
          : null;

  // fitting a threshold mode walks every validation row: once per run and choice, not on every render (a prediction's progress re-renders)
  const rates = facts?.rates ?? null;
  const fitted = useMemo(
    () =>
      thresholdChoice === 'predict-mode'
        ? new Map(runs.filter((r) => r.datasetId === datasetId && canPredict(r)).map((r) => [r.id, thresholdsByMode(r, choice.mode, rates)]))
        : null,
    [thresholdChoice, runs, datasetId, choice.mode, rates],
  );
  /**
   * Thresholds an export carries: by default the run's thresholds in force (set in Evaluate); on request the Predict view's
   * threshold mode, as the prediction on show used it, else fitted on the run's stored validation predictions.
   */
  const thresholdsFor = (r: RunRecord): ExportThresholds => {
    if (thresholdChoice === 'in-force') return thresholdsInForce(thresholdsByRun, r.id);
    const i = prediction?.members.findIndex((m) => m.runId === r.id) ?? -1;
    if (i >= 0 && outputs?.plan) {
      const t = Array.from(outputs.plan.members[i].thresholds);
      return { values: t, label: `Predict's threshold mode (${choice.mode}) of the prediction on show: ${describeThresholds(t)}` };
    }
    return fitted?.get(r.id) ?? thresholdsByMode(r, choice.mode, rates);
  };
  const downloadReport = async (r: RunRecord) => {
    setReportError(null);
    try {
      const bytes = await writeReportZip(reportFiles(r, { mode: choice.mode, rates: facts?.rates ?? null }));
      const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/zip' }));
      downloadUrl(url, `${fileSafe(r.name)}.report.zip`);
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (e) {
      setReportError(`Report of '${r.name}': ${(e as Error).message}`);
    }
  };

  return (
    <section className="panel export-panel" aria-label="Predict and export">
      <h2>Predict, ensemble &amp; export{dataset ? ` — ${dataset.name}` : ''}</h2>
      {mine.length > 0 ? (
        <table className="runs-table" data-testid="export-runs">
          <thead>
            <tr>
              <th>Predict</th>
              <th>Run</th>
              <th>Status</th>
              <th>Best val macro F1</th>
              <th>Exports carry</th>
              <th>
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {mine.map((r) => (
              <tr key={r.id} data-testid="export-run-row">
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Predict with ${r.name}`}
                    disabled={!canPredict(r)}
                    title={canPredict(r) ? undefined : 'needs a finished run with a stored checkpoint'}
                    checked={selection.includes(r.id) && canPredict(r)}
                    onChange={(e) => toggle(r.id, e.target.checked)}
                  />
                </td>
                <td className="run-name">{r.name}</td>
                <td>{r.status}</td>
                <td>{bestF1(r)}</td>
                <td className="export-contents" data-testid="export-contents">
                  {canPredict(r) ? `weights: ${exportWeights(r)} · thresholds: ${thresholdsFor(r).label}` : '–'}
                </td>
                <td className="actions">
                  <button
                    disabled={!canPredict(r) || !!job}
                    onClick={() => {
                      const t = thresholdsFor(r);
                      exportModel(r.id, t.values, t.label);
                    }}
                    aria-label={`Export model of ${r.name}`}
                    data-testid="export-model"
                  >
                    Export model
                  </button>
                  <button onClick={() => void downloadReport(r)} aria-label={`Report of ${r.name}`} data-testid="export-report">
                    Report
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="hint">Finished runs of this dataset appear here; tick one or several to predict its test split.</p>
      )}
      {mine.length > 0 && (
        <div className="setup-row">
          <label>
            Thresholds in exports{' '}
            <select aria-label="Thresholds in exports" value={thresholdChoice} onChange={(e) => setThresholdChoice(e.target.value as ExportThresholdChoice)}>
              <option value="in-force">the run&apos;s thresholds in force (set in Evaluate; 0.5 where none)</option>
              <option value="predict-mode">Predict&apos;s threshold mode ({choice.mode}), fitted on the validation predictions</option>
            </select>
          </label>
          <span className="hint">model zip (studio.json) and PyTorch (thresholds.csv); the weights are the run&apos;s best checkpoint, else its last</span>
        </div>
      )}
      <div className="setup-row">
        <label>
          TTA{' '}
          <select aria-label="TTA" value={options.tta} onChange={(e) => setOptions({ tta: e.target.value as typeof options.tta })}>
            <option value="none">none</option>
            <option value="flips">flips (4 views)</option>
            <option value="dihedral">dihedral (8 views)</option>
          </select>
        </label>
        {options.tta !== 'none' && (
          <label>
            combine{' '}
            <select aria-label="TTA combine" value={options.combine} onChange={(e) => setOptions({ combine: e.target.value as 'mean' | 'max' })}>
              <option value="mean">mean</option>
              <option value="max">max</option>
            </select>
          </label>
        )}
        {anyCrop && (
          <label>
            crop-trained runs{' '}
            <select aria-label="Tiles" value={options.tiling} onChange={(e) => setOptions({ tiling: e.target.value as 'grid' | 'centre' })}>
              <option value="grid">tiles over the whole image (averaged)</option>
              <option value="centre">centre crop only</option>
            </select>
          </label>
        )}
        <label>
          batch{' '}
          <input
            aria-label="Predict batch"
            type="number"
            min={1}
            value={options.batchSize}
            onChange={(e) => setOptions({ batchSize: Math.max(1, Math.round(Number(e.target.value)) || 1) })}
            style={{ width: 60 }}
          />
        </label>
        <button className="primary" data-testid="predict" disabled={!!problem || !!job} onClick={() => dataset && startPrediction(dataset.id)}>
          Predict test split{dataset?.test ? ` (${fmtInt(dataset.test)} images)` : ''}
        </button>
      </div>
      {problem && dataset && mine.length > 0 && <p className="hint">{problem}</p>}
      <ProgressView />
      {error && (
        <div className="setup-problem" role="alert" data-testid="export-error">
          {error}
        </div>
      )}
      {reportError && (
        <div className="setup-problem" role="alert" data-testid="report-error">
          {reportError}
        </div>
      )}
      {notice && (
        <p className="notice" data-testid="export-notice">
          {notice}
        </p>
      )}
      {modelDownload && (
        <p>
          <a href={modelDownload.url} download={modelDownload.fileName} data-testid="model-download">
            {modelDownload.fileName}
          </a>
        </p>
      )}
      {prediction && dataset && prediction.datasetId === dataset.id && <PredictResults prediction={prediction} ds={dataset} facts={facts} />}
      <TorchExport dataset={dataset} headerRunId={headerRunId} thresholdsFor={thresholdsFor} />
      <div className="setup-row import-row">
        <label>
          Import model{' '}
          <input
            type="file"
            aria-label="Import model"
            multiple
            accept=".zip,.json,.bin"
            disabled={!dataset || !!job}
            onChange={(e) => {
              const files = [...(e.target.files ?? [])];
              e.target.value = '';
              if (dataset) void importModel(dataset.id, files);
            }}
          />
        </label>
        <span className="hint">a model zip exported here or by the CLI, or model.json with its weight shards</span>
      </div>
      <div className="setup-row import-row">
        <label>
          Import report{' '}
          <input
            type="file"
            aria-label="Import report"
            accept=".zip"
            onChange={(e) => {
              const file = e.target.files?.[0];
              e.target.value = '';
              if (file) void importReport(file);
            }}
          />
        </label>
        <span className="hint">a run report zip: the run comes back with its curves and evaluation (no weights)</span>
      </div>
    </section>
  );
}
