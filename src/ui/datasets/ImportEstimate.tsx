import { fmtDuration, fmtInt } from '../format';
import { useStudio } from '../store';
import { FULL_TRAIN_ZIP, fullImportEstimate } from './importEstimate';

/**
 * Before a user drops the 14 GB archive: how long its import would take here, from a rate measured
 * in this browser (the last import of 512-px PNGs, or a few seconds of decoding synthetic ones),
 * with that measurement in words. No measurement, no number.
 */
export function ImportEstimate({ resolution }: { resolution: number }) {
  const basis = useStudio((s) => s.rateBasis);
  const calibrating = useStudio((s) => s.calibrating);
  const error = useStudio((s) => s.calibrationError);
  const importing = useStudio((s) => s.importing);
  const calibrate = useStudio((s) => s.calibrate);
  const what = (
    <>
      a full Kaggle <code>train.zip</code> ({fmtInt(FULL_TRAIN_ZIP.samples)} samples, {fmtInt(FULL_TRAIN_ZIP.pngs)} PNGs of {FULL_TRAIN_ZIP.px} px, about{' '}
      {FULL_TRAIN_ZIP.gigabytes} GB)
    </>
  );
  const estimate = basis ? fullImportEstimate(basis) : null;
  return (
    <div className="import-estimate" data-testid="import-estimate">
      {estimate ? (
        <p>
          Importing {what} would take about <strong data-testid="import-estimate-time">{fmtDuration(estimate.seconds)}</strong> here{' '}
          <span className="hint" data-testid="import-estimate-basis">
            ({estimate.basis})
          </span>
        </p>
      ) : (
        <p>How long importing {what} takes here is not measured yet: measure it (a few seconds of decoding 512-px PNGs), or import a part of it.</p>
      )}
      <button type="button" data-testid="import-estimate-measure" onClick={() => calibrate(resolution)} disabled={calibrating || !!importing}>
        {calibrating ? 'Measuring…' : estimate ? 'Measure again' : 'Measure this machine'}
      </button>
      {error && (
        <span className="import-error" role="alert">
          {' '}
          The measurement failed: {error}
        </span>
      )}
    </div>
  );
}
