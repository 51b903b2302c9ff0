import { describe, expect, it } from 'vitest';
import type { ImportSummary } from '../../worker/protocol';
import { basisFromCalibration, basisFromImport, FULL_TRAIN_ZIP, fullImportEstimate } from './importEstimate';

const summary = (o: Partial<ImportSummary> = {}): ImportSummary => ({
  datasetId: 'd',
  imported: 300,
  skipped: 0,
  alreadyStored: 0,
  warnings: [],
  resolution: 256,
  cancelled: false,
  timing: { ms: 10_000, sourcePx: 512 },
  ...o,
});

describe('the full train.zip estimate', () => {
  it('takes the rate of a finished import of enough 512-px samples, and says so', () => {
    const at = Date.UTC(2026, 11, 6, 10);
    const b = basisFromImport(summary(), at)!;
    expect(b.samplesPerSecond).toBe(30);
    const e = fullImportEstimate(b, at + 3_600_000);
    expect(e.seconds).toBeCloseTo(FULL_TRAIN_ZIP.samples / 30);
    expect(e.basis).toBe('measured: 30.0 samples/s importing 300 samples of 512-px PNGs (stored at 256 px) in this browser, today');
    expect(fullImportEstimate(b, at + 3 * 86_400_000).basis).toMatch(/, on 2026-12-06$/);
  });

  it('has no basis from a cancelled, small, or other-size import', () => {
    expect(basisFromImport(summary({ cancelled: true }), 0)).toBeNull();
    expect(basisFromImport(summary({ imported: 20 }), 0)).toBeNull();
    expect(basisFromImport(summary({ timing: { ms: 1000, sourcePx: 64 } }), 0)).toBeNull();
    expect(basisFromImport(summary({ timing: undefined }), 0)).toBeNull();
  });

  it('says a calibration measured decoding only', () => {
    const b = basisFromCalibration({ samplesPerSecond: 41.26, samples: 60, ms: 1454, sourcePx: 512, storedPx: 256, workers: 2 }, 5);
    const e = fullImportEstimate(b, 5);
    expect(e.rate).toBe('41.3');
    expect(e.basis).toBe(
      "measured: 41.3 samples/s decoding 512-px PNGs (to 256 px) in this browser's 2 decode workers, today; reading the zip and storing add a little",
    );
  });
});
