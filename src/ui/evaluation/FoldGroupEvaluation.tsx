import { memo, useEffect, useMemo, useState } from 'react';
import { bestGroupMethod, groupTestLabels, GROUP_METHODS, type ComparisonRow, type GroupEvaluation, type GroupMethod } from '../../core/foldGroup';
import { NUM_CLASSES } from '../../core/labels';
import { THRESHOLD_MODES, type ThresholdMode } from '../../core/thresholds';
import { useStudio } from '../store';
import { DownloadLink } from '../export/DownloadLink';
import { ProgressView } from '../export/ExportPanel';
import { buildSubmissionFile, expectedSubmissionIds } from '../export/submissionFile';
import { useDatasetFacts } from '../export/useDatasetFacts';
import { fileSafe } from '../format';
import { EvaluationView } from './EvaluationView';
import { groupFolds, predictsFolds, testTruthMatrix } from './groupFolds';
import { FoldGroupReportLink } from './FoldGroupReportLink';
import { runFoldGroupJob } from './foldGroupJob';

interface Evaluated {
  /** the folds it was computed from */
  from: unknown;
  ev: GroupEvaluation | null;
  rows: ComparisonRow[];
  tested: boolean;
  withTest: boolean;
  error: string | null;
}

const MemoEvaluationView = memo(EvaluationView);
const f4 = (v: number | null) => (v === null || Number.isNaN(v) ? '–' : v.toFixed(4));

const MODE_WORDS: Record<ThresholdMode, string> = {
  global: 'global (one t for every class)',
  'per-class': "per-class (each class's F1-optimal t)",
  lipton: 'Lipton (t = F1* / 2)',
  proportion: 'proportion (the training prevalence)',
};
const METHOD_WORDS: Record<GroupMethod, string> = {
  'mean-global': 'mean probability, one global threshold',
  'mean-per-class': 'mean probability, per-class thresholds',
  vote: 'majority vote of the fold models',
};

function ComparisonTable({ rows, withTest }: { rows: readonly ComparisonRow[]; withTest: boolean }) {
  return (
    <div className="group-table-wrap">
      <table className="eval-table group-comparison" data-testid="group-comparison">
        <caption>The seed&apos;s comparison: how the fold models combine</caption>
        <thead>
          <tr>
            <th scope="col">Method</th>
            <th
              scope="col"
              title="cross-fitted for the mean rows: each fold's images at thresholds fitted on the other folds; * fitted on the scored predictions (optimistic)"
            >
              Out-of-fold macro F1
            </th>
            <th scope="col" title="thresholds fitted on all out-of-fold predictions and scored on them">
              OOF, thresholds fitted in-sample
            </th>
            {withTest && <th scope="col">Test macro F1</th>}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key} data-testid="comparison-row" data-key={r.key}>
              <th scope="row">{r.label}</th>
              <td className="num">
                {f4(r.oofMacroF1)}
                {r.oofOptimistic ? '*' : ''}
              </td>
              <td className="num">{f4(r.oofFittedMacroF1)}</td>
              {withTest && <td className="num">{f4(r.testMacroF1)}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * A K-fold group's evaluation: the out-of-fold predictions of the whole training set (each image
 * by the fold model that did not train on it), thresholds fitted on them with each per-class
 * threshold's spread across the folds, the seed's comparison of how the fold models combine, the
 * group's test prediction and submission, and its report.
 */
export function FoldGroupEvaluation({ groupId }: { groupId: string }) {
  const group = useStudio((s) => s.foldGroups.find((g) => g.id === groupId));
  const runs = useStudio((s) => s.runs);
  const ds = useStudio((s) => s.datasets.find((d) => d.id === group?.datasetId));
  const prediction = useStudio((s) => s.prediction);
  const job = useStudio((s) => s.predictJob);
  const facts = useDatasetFacts(ds);
  const folded = useMemo(() => (group ? groupFolds(group, runs, prediction, NUM_CLASSES) : null), [group, runs, prediction]);
  const runIds = useMemo(() => (folded && group ? folded.folds.map((f) => group.members.find((m) => m.fold === f.fold)!.runId) : []), [folded, group]);
  const runKey = runIds.join(',');
  // a prediction of these folds kept in storage shows again (after a reload) without predicting again
  const showStored = useStudio((s) => s.showStoredPrediction);
  useEffect(() => {
    if (group && runIds.length) void showStored(group.datasetId, runIds);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once per set of folds
  }, [group?.datasetId, runKey, showStored]);

  // fitted in the fold group worker: at the full dataset every mode out of fold and cross-fitted takes seconds
  const [evaluated, setEvaluated] = useState<Evaluated | null>(null);
  useEffect(() => {
    if (!folded || folded.folds.length < 2) return;
    let live = true;
    const from = folded;
    const tested = folded.folds.every((f) => f.testProbs);
    const testTruth = tested && facts?.testTruth ? testTruthMatrix(facts.testTruth, NUM_CLASSES) : null;
    runFoldGroupJob({ type: 'evaluate', jobId: crypto.randomUUID(), folds: folded.folds, rates: facts ? facts.rates : null, testTruth }).then(
      (r) => live && setEvaluated({ from, ev: r.evaluation, rows: r.comparison, tested, withTest: !!testTruth, error: null }),
      (e: Error) => live && setEvaluated({ from, ev: null, rows: [], tested: false, withTest: false, error: e.message }),
    );
    return () => {
      live = false;
    };
  }, [folded, facts]);
  // the last evaluation stays on show while the next is fitted (a prediction arrived, the dataset's facts were read)
  const result = folded && folded.folds.length >= 2 ? evaluated : null;
  const fitting = !!result && result.from !== folded;
  const [chosen, setChosen] = useState<GroupMethod | null>(null);
  const method = chosen ?? (result?.rows.length ? bestGroupMethod(result.rows) : 'mean-global');
  const submission = useMemo(() => {
    if (!result?.ev || !result.tested || !folded || !ds || !facts) return null;
    try {
      const { ids, labels } = groupTestLabels(folded.folds, result.ev, method);
      return { file: buildSubmissionFile(ids, labels, expectedSubmissionIds(ds.submissionOrder, facts.testIds), facts.testTruth), error: null };
    } catch (e) {
      return { file: null, error: (e as Error).message };
    }
  }, [result, folded, ds, facts, method]);

  const toggle = useStudio((s) => s.toggleExportRun);
  const startPrediction = useStudio((s) => s.startPrediction);
  const predictGroup = () => {
    if (!group) return;
    // Predict's selection becomes the group's folds: the same prediction shows there as an ensemble
    for (const id of useStudio.getState().exportSelection) toggle(id, false);
    for (const id of runIds) toggle(id, true);
    startPrediction(group.datasetId);
  };

  if (!group) return null;
  if (!folded || !result)
    return (
      <section className="panel" aria-label="Group evaluation">
        <h2>Evaluation — {group.name}</h2>
        <p className="hint" data-testid="group-not-ready">
          {folded && folded.folds.length >= 2
            ? 'Fitting the thresholds out of fold…'
            : `The out-of-fold evaluation needs at least two finished folds; ${folded ? folded.folds.length : 0} of ${group.members.length} have held-out predictions so far.`}
        </p>
      </section>
    );
  const { ev, rows } = result;
  const predicted = predictsFolds(prediction, runIds);
  return (
    <section className="panel" aria-label="Group evaluation">
      <h2>Evaluation — {group.name} (out of fold)</h2>
      {fitting && (
        <p className="hint" role="status" data-testid="group-fitting">
          Fitting the thresholds out of fold again…
        </p>
      )}
      {result.error && (
        <p className="setup-problem" role="alert" data-testid="group-error">
          {result.error}
        </p>
      )}
      {ev && (
        <>
          <p className="hint" data-testid="group-oof-summary">
            {ev.ids.length} training images, each predicted once by the fold model that did not train on it ({folded.folds.length} of {group.folds} folds
            {folded.missing.length ? `; folds ${folded.missing.join(', ')} have no predictions yet` : ''}). Held-out probabilities{' '}
            {folded.source === 'prediction'
              ? "from the weights that predicted the test split (each fold's best checkpoint)"
              : "from each fold run's last epoch"}
            .
          </p>
          <h3>Thresholds fitted out of fold</h3>
          <div className="group-table-wrap">
            <table className="eval-table" data-testid="oof-thresholds">
              <thead>
                <tr>
                  <th scope="col">Thresholds</th>
                  <th scope="col" title="fitted and scored on all out-of-fold predictions (in-sample)">
                    OOF macro F1
                  </th>
                  <th scope="col" title="each fold's images at thresholds fitted on the other folds">
                    Cross-fitted
                  </th>
                </tr>
              </thead>
              <tbody>
                {THRESHOLD_MODES.map((m) => (
                  <tr key={m} data-testid="oof-threshold-row">
                    <th scope="row">{MODE_WORDS[m]}</th>
                    <td className="num">{f4(ev.macroF1[m])}</td>
                    <td className="num">{m === 'global' || m === 'per-class' ? f4(ev.crossFitMacroF1[m]) : '–'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <h3>How the fold models combine</h3>
          <ComparisonTable rows={rows} withTest={result.withTest} />
          <p className="hint">
            * fitted on the very predictions it scores (optimistic). Out of fold each image has one model, so these columns compare threshold rules;
            {result.withTest
              ? ' the test column compares the ensembles themselves.'
              : result.tested
                ? ' the dataset has no test labels, so no test score.'
                : ' predict the test split to compare the ensembles themselves.'}
          </p>
          <div className="setup-row">
            <button data-testid="group-predict" disabled={!!job || folded.folds.length < 2} onClick={predictGroup}>
              {predicted ? 'Predict the test split again' : `Predict the test split with the ${folded.folds.length} fold models`}
            </button>
            <label>
              Submission by{' '}
              <select aria-label="Group submission method" value={method} onChange={(e) => setChosen(e.target.value as GroupMethod)}>
                {GROUP_METHODS.map((m) => (
                  <option key={m} value={m}>
                    {METHOD_WORDS[m]}
                  </option>
                ))}
              </select>
            </label>
            {submission?.file && (
              <DownloadLink content={submission.file.text} fileName={`submission-${fileSafe(group.name)}-${method}.csv`} testId="group-submission">
                Download the submission ({submission.file.rows} rows
                {submission.file.testMacroF1 !== null ? `, test macro F1 ${submission.file.testMacroF1.toFixed(4)}` : ''})
              </DownloadLink>
            )}
            <FoldGroupReportLink group={group} runs={runs} ev={ev} rows={rows} chosen={method} />
          </div>
          {submission?.error && (
            <p className="setup-problem" role="alert">
              {submission.error}
            </p>
          )}
          {job && <ProgressView />}
          <h3>Per class, out of fold</h3>
          <p className="hint">
            The sliders start at 0.5 each; <em>Set thresholds by</em> fits them on the out-of-fold predictions of the whole training set.
          </p>
          <MemoEvaluationView probs={ev.probs} truth={ev.truth} numClasses={NUM_CLASSES} foldThresholds={ev.foldThresholds} />
        </>
      )}
    </section>
  );
}
