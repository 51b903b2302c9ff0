/**
 * How long importing the competition's whole train.zip would take in this browser, from a rate
 * measured here: the last import of 512-px PNGs, or the decode pool timed on synthetic 512-px
 * PNGs (src/worker/calibrateDecode.ts). Never a guessed rate: without a measurement there is no
 * estimate. The latest measurement is kept in localStorage.
 */
import type { DecodeCalibration, ImportSummary } from '../../worker/protocol';
import { fmtInt } from '../format';

/** The Kaggle HPA train.zip: samples, PNGs (four channels each), their size, the archive's size. */
export const FULL_TRAIN_ZIP = { samples: 31_072, pngs: 124_288, px: 512, gigabytes: 14 } as const;

/** fewer samples than this are not enough of an import to be a rate */
export const MIN_RATE_SAMPLES = 50;

export interface RateBasis {
  kind: 'import' | 'calibration';
  samplesPerSecond: number;
  samples: number;
  sourcePx: number;
  storedPx: number;
  /** decode workers (calibration) */
  workers?: number;
  /** when it was measured (ms since the epoch) */
  at: number;
}

const KEY = 'hpa-studio.import-rate';

/** The basis an import gives: only a finished import of enough 512-px samples (the competition's size). */
export function basisFromImport(summary: ImportSummary, at: number): RateBasis | null {
  const t = summary.timing;
  if (!t || summary.cancelled || t.sourcePx !== FULL_TRAIN_ZIP.px || summary.imported < MIN_RATE_SAMPLES || t.ms <= 0) return null;
  return {
    kind: 'import',
    samplesPerSecond: (summary.imported * 1000) / t.ms,
    samples: summary.imported,
    sourcePx: t.sourcePx,
    storedPx: summary.resolution,
    at,
  };
}

export const basisFromCalibration = (c: DecodeCalibration, at: number): RateBasis => ({
  kind: 'calibration',
  samplesPerSecond: c.samplesPerSecond,
  samples: c.samples,
  sourcePx: c.sourcePx,
  storedPx: c.storedPx,
  workers: c.workers,
  at,
});

export function loadRateBasis(): RateBasis | null {
  try {
    const v = JSON.parse((typeof localStorage !== 'undefined' && localStorage.getItem(KEY)) || 'null') as RateBasis | null;
    return v && v.samplesPerSecond > 0 && (v.kind === 'import' || v.kind === 'calibration') ? v : null;
  } catch {
    return null;
  }
}

export function saveRateBasis(b: RateBasis): void {
  if (typeof localStorage !== 'undefined') localStorage.setItem(KEY, JSON.stringify(b));
}

const sameDay = (a: Date, b: Date) => a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();

/** The full train.zip's import time at the measured rate, and the measurement in words. */
export function fullImportEstimate(b: RateBasis, now = Date.now()): { seconds: number; rate: string; basis: string } {
  const rate = b.samplesPerSecond.toFixed(1);
  const when = sameDay(new Date(b.at), new Date(now)) ? 'today' : `on ${new Date(b.at).toISOString().slice(0, 10)}`;
  const basis =
    b.kind === 'import'
      ? `measured: ${rate} samples/s importing ${fmtInt(b.samples)} samples of ${b.sourcePx}-px PNGs (stored at ${b.storedPx} px) in this browser, ${when}`
      : `measured: ${rate} samples/s decoding ${b.sourcePx}-px PNGs (to ${b.storedPx} px) in this browser's ${b.workers ? `${b.workers} decode workers` : 'decode pool'}, ${when}; reading the zip and storing add a little`;
  return { seconds: FULL_TRAIN_ZIP.samples / b.samplesPerSecond, rate, basis };
}
