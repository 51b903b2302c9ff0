/**
 * What a loss lesson keeps (in IndexedDB, src/data/catalog.ts 'lessons'; exported as its report):
 * its plan, each run's gradient shares per epoch and, once the run is done, the scores of its last
 * epoch's validation predictions. Plain JSON-able data (structured clone), no tfjs.
 */
import type { RunConfig } from '../runConfig';
import type { ClassHistogram, GradientShare } from './gradientShare';
import type { LessonSettings, LessonVariantId } from './variants';

/** A finished run's scores on its validation rows (the last epoch's predictions). */
export interface LessonRunMetrics {
  rows: number;
  /** positives per class among the validation rows */
  valPositives: number[];
  /** per-class F1 at threshold 0.5 (p > 0.5) */
  f1At05: number[];
  /** per-class F1 at the class's own threshold, tuned on these same validation rows (grid 0.001) */
  f1Tuned: number[];
  tunedThresholds: number[];
  /** predicted-probability histograms of the rare classes (gradientShare.ts classHistogram) */
  histograms: ClassHistogram[];
}

export type LessonRunStatus = 'pending' | 'running' | 'done' | 'stopped' | 'failed';

export interface LessonRun {
  runId: string;
  variant: LessonVariantId;
  seed: number;
  status: LessonRunStatus;
  /** Date.now() when the run was started (its worker too), while it runs */
  startedAt: number | null;
  /** wall seconds from the run's start (worker and backend start included) to its end */
  seconds: number | null;
  epochsDone: number;
  totalEpochs: number;
  backend: string | null;
  /** training images before and after the sampler */
  trainImages: number | null;
  trainAfterSampling: number | null;
  /** positives per class in the training split (the α weights are computed from them) */
  trainClassCounts: number[] | null;
  /** the share of the loss gradient per group, one entry per finished epoch (on that epoch's validation predictions) */
  gradient: GradientShare[];
  /** the last epoch's histograms while the run trains (metrics.histograms once done) */
  liveHistograms: ClassHistogram[] | null;
  metrics: LessonRunMetrics | null;
  message: string | null;
}

export type LessonStatus = 'running' | 'done' | 'stopped' | 'failed' | 'interrupted';

export interface LessonRecord {
  id: string;
  createdAt: number;
  datasetId: string;
  datasetName: string;
  settings: LessonSettings;
  /** the recipe all runs share before each variant's loss and sampler */
  base: RunConfig;
  /** the backend setting the runs were started with ('auto': each run's backend is its Auto choice, measured once and then remembered) */
  backend: string;
  status: LessonStatus;
  message: string | null;
  /** wall milliseconds the lesson has trained (all its sessions) */
  elapsedMs: number;
  runs: LessonRun[];
}
