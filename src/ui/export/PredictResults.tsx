import { fileSafe } from '../format';
import { useEffect, useMemo } from 'react';
import { probsCsvLines } from '../../core/csv';
import { THRESHOLD_MODES } from '../../core/thresholds';
import type { DatasetRecord } from '../../data/catalog';
import type { PredictResult } from '../../worker/protocol';
import { useStudio } from '../store';
import { DownloadLink } from './DownloadLink';
import { SlicedDownload } from './SlicedDownload';
import type { EnsembleChoice } from '../../core/predictionResult';
import { predictionOutputs, storedSubmission } from './predictionOutputs';
import type { DatasetFacts } from './useDatasetFacts';

const f4 = (v: number | null) => (v === null || Number.isNaN(v) ? '–' : v.toFixed(4));

const sameChoice = (a: EnsembleChoice, b: EnsembleChoice) => a.method === b.method && a.mode === b.mode && a.atLeastOne === b.atLeastOne;
const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(bytes < 1e5 ? 2 : 1)} MB`;

const MODE_LABELS: Record<string, string> = {
  global: 'global (one threshold; the safe default)',
  'per-class': 'per class (best F1 per class)',
  lipton: 'Lipton (best F1 / 2 per class)',
  proportion: 'proportion (train prevalence)',
};

/** The plan, the test labels and the validated submission for the current prediction and choices. */
export function usePredictionOutputs(prediction: PredictResult | null, ds: DatasetRecord | undefined, facts: DatasetFacts | null) {
  const choice = useStudio((s) => s.ensembleChoice);
  return useMemo(() => {
    if (!prediction || !ds || !facts || prediction.datasetId !== ds.id) return null;
    return predictionOutputs(prediction, ds.submissionOrder, facts, choice);
  }, [prediction, ds, facts, choice]);
}

export function PredictResults({ prediction, ds, facts }: { prediction: PredictResult; ds: DatasetRecord; facts: DatasetFacts | null }) {
  const choice = useStudio((s) => s.ensembleChoice);
  const setChoice = useStudio((s) => s.setEnsembleChoice);
  const out = usePredictionOutputs(prediction, ds, facts);
  const stored = useStudio((s) => s.storedPrediction);
  const keepSubmission = useStudio((s) => s.keepSubmission);
  const kept = useMemo(() => (out ? storedSubmission(prediction, out, choice) : null), [out, prediction, choice]);
  // the submission read back with a restored prediction, when the same choice now rebuilds another one (the dataset's test images changed)
  const readBack = stored?.restored ? stored.submission : null;
  const differs = !!(readBack && kept && sameChoice(readBack.choice, kept.choice) && readBack.text !== kept.text);
  useEffect(() => {
    if (kept && !differs) keepSubmission(kept);
  }, [kept, differs, keepSubmission]);
  const several = prediction.members.length > 1;
  const csvLines = prediction.testIds.length + 1;
  const tag = several ? `ensemble-${prediction.members.length}` : fileSafe(prediction.members[0].name);
  return (
    <div className="predict-results" data-testid="predict-results">
      <p className="hint" data-testid="predict-summary">
        {prediction.testIds.length} test images × {prediction.members.length} run{several ? 's' : ''}{' '}
        <span data-testid="predict-backend">
          predicted on {prediction.backend}
          {prediction.backendWhy ? ` (${prediction.backendWhy})` : ''}, {(prediction.images / Math.max(1e-9, prediction.seconds)).toFixed(1)} img/s
        </span>{' '}
        in {prediction.seconds.toFixed(1)} s (validation images included).
      </p>
      {prediction.fallback && (
        <p className="warn" role="status" data-testid="predict-fallback">
          ⚠ {prediction.fallback[0].toUpperCase() + prediction.fallback.slice(1)}.
        </p>
      )}
      {stored && (
        <p className="hint" data-testid="prediction-stored" data-restored={stored.restored}>
          {stored.error
            ? `Not kept in this browser (${stored.error}): it is lost on a reload.`
            : stored.restored
              ? `Read back from this browser's storage, not predicted again: predicted ${new Date(stored.createdAt).toLocaleString()}, ${megabytes(stored.bytes)} with its submission.`
              : `Kept in this browser with its run${several ? 's' : ''} (${megabytes(stored.bytes)}): ticking the same run${several ? 's' : ''} after a reload shows it again; deleting a run deletes it.`}
        </p>
      )}
      <div className="setup-row">
        {several && (
          <label>
            Ensemble{' '}
            <select aria-label="Ensemble" value={choice.method} onChange={(e) => setChoice({ method: e.target.value as 'mean' | 'vote' })}>
              <option value="mean">mean probability, then thresholds</option>
              <option value="vote">majority vote of the runs</option>
            </select>
          </label>
        )}
        <label>
          Thresholds{' '}
          <select aria-label="Threshold mode" value={choice.mode} onChange={(e) => setChoice({ mode: e.target.value as typeof choice.mode })}>
            {THRESHOLD_MODES.map((m) => (
              <option key={m} value={m}>
                {MODE_LABELS[m]}
              </option>
            ))}
          </select>
        </label>
        <label>
          <input type="checkbox" aria-label="At least one label" checked={choice.atLeastOne} onChange={(e) => setChoice({ atLeastOne: e.target.checked })} /> at
          least one label per image
        </label>
      </div>
      <p className="hint">
        Global is the safe default: one threshold fit on the validation images overfits far less than 28 thresholds fit on a handful of positives of each rare
        class.
      </p>
      {out?.plan && (
        <table className="members-table" data-testid="members-table">
          <thead>
            <tr>
              <th>Run</th>
              <th>Weights</th>
              <th>Validation images</th>
              <th>Val macro F1</th>
              <th>Probabilities</th>
            </tr>
          </thead>
          <tbody>
            {prediction.members.map((m, i) => (
              <tr key={m.runId} data-testid="member-row">
                <td>{m.name}</td>
                <td>{m.checkpoint === 'best' ? `best (epoch ${m.epoch})` : `last (epoch ${m.epoch})`}</td>
                <td>{m.valIds.length || '–'}</td>
                <td data-testid="member-f1">{f4(out.plan!.members[i].valMacroF1)}</td>
                <td>
                  <SlicedDownload
                    lines={() => probsCsvLines(prediction.testIds, m.testProbs)}
                    total={csvLines}
                    fileName={`probs-${fileSafe(m.name)}.csv`}
                    testId="member-probs"
                  >
                    probs.csv
                  </SlicedDownload>
                </td>
              </tr>
            ))}
            {several && (
              <tr className="ensemble-row">
                <td>ensemble ({choice.method})</td>
                <td />
                <td>{out.plan.valRows || '–'}</td>
                <td data-testid="ensemble-f1">{f4(out.plan.valMacroF1)}</td>
                <td>
                  {out.test && (
                    <SlicedDownload
                      lines={() => probsCsvLines(prediction.testIds, out.test!.probs)}
                      total={csvLines}
                      fileName={`probs-${tag}.csv`}
                      testId="ensemble-probs"
                    >
                      mean probs.csv
                    </SlicedDownload>
                  )}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      )}
      {out?.plan && (
        <p className="hint" data-testid="threshold-note">
          Thresholds: {out.plan.note}.
        </p>
      )}
      {out?.error && (
        <div className="setup-problem" role="alert" data-testid="submission-error">
          {out.error}
        </div>
      )}
      {differs && readBack && (
        <div className="setup-problem" role="alert" data-testid="submission-changed">
          This dataset's test images changed since the prediction: the submission below is rebuilt from the stored probabilities and differs from the one made
          then.{' '}
          <DownloadLink content={readBack.text} fileName={`submission-${tag}-as-made.csv`} testId="submission-as-made">
            The submission as made then
          </DownloadLink>
        </div>
      )}
      {out?.submission && (
        <div className="submission" data-testid="submission">
          <DownloadLink content={out.submission.text} fileName={`submission-${tag}.csv`} testId="submission-download">
            Download submission.csv
          </DownloadLink>{' '}
          <span className="hint">
            {out.submission.rows} rows, ids {ds.submissionOrder ? 'in sample_submission.csv order' : 'sorted (no sample_submission.csv)'}, validated
            {out.submission.emptyRows ? `; ${out.submission.emptyRows} image(s) without a label` : ''}.
          </span>
          {out.submission.testMacroF1 !== null && (
            <p>
              Test macro F1 (against the dataset's test labels): <strong data-testid="test-f1">{out.submission.testMacroF1.toFixed(4)}</strong>
            </p>
          )}
        </div>
      )}
    </div>
  );
}
