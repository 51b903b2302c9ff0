/**
 * The one contract between the page and the workers. Every message that crosses a worker
 * boundary is one of the types below; nothing else is posted. The UI imports only this file
 * from src/worker (plus the worker URLs), never tfjs.
 */

/** Training backends the studio offers, in the order 'auto' tries them. */
export const TRAINING_BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type TrainingBackend = (typeof TRAINING_BACKENDS)[number];
export type BackendChoice = 'auto' | TrainingBackend;

/** The most threads the wasm backend can use: tfjs 4.22 caps XNNPACK's pool at 8, and at half the logical cores. */
export const WASM_MAX_THREADS = 8;

/** Why a backend was or was not used: one line a user can read. */
export interface BackendAttempt {
  backend: TrainingBackend;
  used: boolean;
  reason: string;
  /** the started backend's self-checks (src/worker/startChecks.ts): how many, and how many were passes of an earlier start on this page, not rerun */
  checks?: { count: number; reused: number };
}

export interface AdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** true for a software adapter such as SwiftShader */
  fallback: boolean;
}

export interface BackendReport {
  requested: BackendChoice;
  /** the backend tfjs is running on, or null when none could start */
  active: TrainingBackend | null;
  attempts: BackendAttempt[];
  /** the WebGPU adapter, when one was found (even if WebGPU was not used) */
  adapter: AdapterInfo | null;
  tfjsVersion: string;
  /** wasm only: the threads its kernels use (1 where the threaded build cannot start: see src/worker/backend.ts) */
  wasmThreads?: number;
  /** the start-check passes this worker knows, for the page to hand to the next worker it starts */
  checks?: StartChecks;
}

/**
 * Start-check passes (src/worker/startChecks.ts): the status words of each check that passed,
 * keyed by backend, adapter, tfjs version, the studio's flags and the check. A worker started
 * with them does not rerun those checks.
 */
export type StartChecks = Record<string, string>;

/** Result of a short measured training run of a small network on the active backend. */
export interface ProbeResult {
  backend: string;
  size: number;
  batch: number;
  steps: number;
  /** loss after each step */
  losses: number[];
  /** wall time of the first step (includes shader compilation) */
  firstStepMs: number;
  /** median wall time of the later steps */
  stepMs: number;
  imagesPerSecond: number;
}

import type { RunWeightsFrom } from '../data/catalog';
export type { RunWeightsFrom };

/** The run recipe (see src/core/train/recipe.ts); JSON, so it crosses the boundary as is. */
export type { RunConfig } from '../core/runConfig';
export type { EpochLogs } from '../core/train/logs';
import type { RunConfig } from '../core/runConfig';
import type { EpochLogs } from '../core/train/logs';

/** One backend's figure in the 'auto' probe of a run's model, and a remembered 'auto' choice (src/core/backendChoice.ts). */
export type { ProbeFigure as BackendProbeFigure, AutoChoice } from '../core/backendChoice';
import type { AutoChoice, ProbeFigure } from '../core/backendChoice';

/** How a run's 'auto' backend was chosen. */
export interface AutoBackendOutcome {
  choice: AutoChoice;
  /** true: taken from an earlier probe (TrainRequest.autoChoices), nothing measured */
  remembered: boolean;
  /** the words the status bar and the run show */
  reason: string;
}

export interface TrainRequest {
  /** measure this model on every available backend first and train on the fastest */
  autoBackend?: boolean;
  /** the page's remembered 'auto' choices: one of this adapter, model, input size, batch and wasm threads is used without measuring */
  autoChoices?: AutoChoice[];
  runId: string;
  name: string;
  datasetId: string;
  config: RunConfig;
  /** continue from the run's last checkpoint */
  resume?: boolean;
  group?: string | null;
  /** the split's seed when it is not the run's seed (the loss lesson: one split for all its runs, whatever their seed) */
  splitSeed?: number;
  /** false: keep no checkpoints (the loss lesson's runs, which only report scores); default true */
  checkpoints?: boolean;
}

export interface RunInfo {
  runId: string;
  backend: string;
  trainImages: number;
  trainAfterSampling: number;
  valImages: number;
  totalEpochs: number;
  params: number;
  startEpoch: number;
  /** classes with no positive among the validation images (their F1 is not measurable) */
  classesWithoutValPositives: number[];
  /** positives per class among the training images before the sampler (what count-based α weights are computed from) */
  trainClassCounts: number[];
  /** epochs already done, when resumed */
  history: EpochLogs[];
  /** the 'auto' probe's figures, when it ran (or the remembered ones) */
  backendProbe: ProbeFigure[] | null;
  /** how the 'auto' backend was chosen, when the setting is Auto */
  autoBackend: AutoBackendOutcome | null;
  /**
   * where the images come from: the store, how it is read, whether in a feed worker beside the
   * training thread (src/worker/feedReader.ts), and whether they are held in memory
   */
  data: { storage: 'opfs' | 'idb'; via: 'sync' | 'blob'; feedWorker: boolean; inMemoryBytes: number | null };
  /** transfer runs: the pretrained weights the backbone started from (null: random initialisation) */
  weightsFrom: RunWeightsFrom | null;
  /** the memory estimate checked before training (src/core/memoryEstimate.ts): a run that would not fit never starts; 'warn' may not fit */
  memory: { verdict: 'ok' | 'warn'; totalBytes: number; message: string | null };
}

export interface BatchProgress {
  runId: string;
  epoch: number;
  phase: number;
  batch: number;
  batchesPerEpoch: number;
  loss: number;
  /** images/s over the last batches */
  imagesPerSecond: number;
  /** seconds since the epoch started */
  seconds: number;
  numTensors: number;
  /** bytes held by tensors on the backend (GPU memory on webgpu/webgl) */
  numBytes: number;
  /** fraction of the epoch's time spent waiting for data */
  stallFraction: number;
  /** steps so far replayed from a recording of their GPU commands, of all steps so far (webgpu) */
  stepsReplayed: number;
  steps: number;
  /** why steps are not being replayed, or null */
  replayOff: string | null;
}

export type RunEndStatus = 'done' | 'stopped' | 'failed';

/** A fault the page asks its workers to provoke (only when opened with a `fault` query parameter: docs/reliability.md). */
export type { FaultPlan } from '../core/gpuFaults';
import type { FaultPlan } from '../core/gpuFaults';

export type ToTrainingWorker =
  /** wasmThreads: threads for the wasm backend, 1…WASM_MAX_THREADS (tfjs caps it at half the logical cores); absent = that cap */
  | { type: 'init'; backend: BackendChoice; wasmThreads?: number; checks?: StartChecks }
  | { type: 'probe'; size: number; batch: number; steps: number }
  | { type: 'train'; request: TrainRequest }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' }
  | { type: 'inject-fault'; plan: FaultPlan };

export type FromTrainingWorker =
  | { type: 'backend'; report: BackendReport }
  | { type: 'probe-result'; result: ProbeResult }
  | { type: 'run-started'; info: RunInfo }
  | { type: 'loading'; runId: string; done: number; total: number; note: string }
  | { type: 'batch'; progress: BatchProgress }
  | { type: 'epoch'; runId: string; logs: EpochLogs; valProbs: Float32Array; valTruth: Uint8Array; lrReductions: { epoch: number; lr: number }[] }
  | { type: 'paused'; runId: string; paused: boolean }
  /** resumeOn: the backends the run can resume on from its last checkpoint (its GPU device was lost), first the one it ran on */
  | { type: 'run-ended'; runId: string; status: RunEndStatus; message: string | null; resumeOn?: TrainingBackend[]; restartWorker?: boolean }
  | { type: 'error'; message: string };

// ── Ingest worker ────────────────────────────────────────────────────────────────────────

// The import's own types live beside the import (src/data/importRequest.ts): data never imports worker.
export {
  STORED_RESOLUTIONS,
  type DemoOptions,
  type ImportProgress,
  type ImportRefusal,
  type ImportRequest,
  type ImportSource,
  type ImportSummary,
  type DecodeCalibration,
} from '../data/importRequest';
import type { DecodeCalibration, DemoOptions, ImportProgress, ImportRefusal, ImportRequest, ImportSummary } from '../data/importRequest';
import type { PngDecoderWay } from '../data/pngDecoder';

export type ToIngestWorker =
  | { type: 'import'; request: ImportRequest }
  | { type: 'import-demo'; demo: DemoOptions; request: Omit<ImportRequest, 'sources'> }
  | { type: 'cancel' }
  /** time the decode pool on real-size synthetic PNGs stored at `resolution` px */
  | { type: 'calibrate'; resolution: number; pngDecoder?: PngDecoderWay };

export type FromIngestWorker =
  | { type: 'progress'; progress: ImportProgress }
  | { type: 'refused'; refusal: ImportRefusal }
  | { type: 'done'; summary: ImportSummary }
  | { type: 'calibrated'; calibration: DecodeCalibration }
  | { type: 'error'; message: string };

// ── PNG decode pool ──────────────────────────────────────────────────────────────────────

export type ToDecodeWorker = { type: 'decode'; seq: number; name: string; bytes: Uint8Array; resolution: number; decoder?: PngDecoderWay };

export type FromDecodeWorker =
  | { type: 'decoded'; seq: number; plane: Uint8Array; width: number; height: number; converted: string | null; way: PngDecoderWay }
  | { type: 'failed'; seq: number; reason: string };

// ── Feed worker ──────────────────────────────────────────────────────────────────────────
// Started by a training worker: reads a dataset's pixel slots from the pixel store (OPFS sync
// reads, or File slices) in its own thread and hands each batch over (transferred, not copied).

export type ToFeedWorker =
  | { type: 'open'; dataset: { id: string; storage: 'opfs' | 'idb'; resolution: number } }
  | { type: 'read'; seq: number; slots: number[] }
  /** a batch's buffer back (transferred) once its bytes were used: a later read fills it (PixelReader.recycle) */
  | { type: 'recycle'; buffer: ArrayBuffer }
  | { type: 'close' };

export type FromFeedWorker =
  | { type: 'opened'; via: 'sync' | 'blob' }
  | { type: 'read'; seq: number; bytes: Uint8Array }
  /** its storage handles are closed (the answer to 'close'; the worker then ends) */
  | { type: 'closed' }
  /** seq null: the open failed; name: the error's name there (NotReadableError, …) */
  | { type: 'failed'; seq: number | null; reason: string; name?: string };

// ── Predict worker ───────────────────────────────────────────────────────────────────────
// A dedicated worker per job (predict, export a model, import a model): it loads checkpoints
// into models built from the runs' configs and posts numbers back; the page never sees tfjs.
// The sample viewer keeps one alive for its class activation maps ('cam') while it is open.

export type TtaChoice = 'none' | 'flips' | 'dihedral';

export interface PredictRequest {
  jobId: string;
  datasetId: string;
  /** the runs to predict with (each needs a stored checkpoint) */
  runIds: string[];
  tta: TtaChoice;
  combine: 'mean' | 'max';
  /** crop-trained runs: tiles over the stored image ('grid') or the centre crop */
  tiling: 'grid' | 'centre';
  batchSize: number;
  /** also re-predict each run's validation images with the same weights and TTA (for thresholds) */
  validation: boolean;
}

/** predictions of one job: defined in core, where the stored prediction record uses them too */
import type { MemberPredictions, PredictResult } from '../core/predictionResult';
export type { MemberPredictions, PredictResult };

export interface PredictProgress {
  jobId: string;
  /** member index (0-based) and count */
  member: number;
  members: number;
  stage: 'loading' | 'validation' | 'test';
  /** images done / total over the whole job */
  done: number;
  total: number;
}

export type ToPredictWorker =
  | { type: 'predict'; backend: BackendChoice; checks?: StartChecks; request: PredictRequest }
  /** a run's best checkpoint as a model zip (model.json + shards + studio.json) */
  | {
      type: 'export-model';
      backend: BackendChoice;
      checks?: StartChecks;
      jobId: string;
      runId: string;
      /** one per class, written to studio.json; null: 0.5 each */
      thresholds: number[] | null;
      /** which thresholds they are, in words (studio.json's extra.thresholdsFrom) */
      thresholdsFrom: string;
    }
  /** a model zip, or model.json + its shard files, stored as an imported run of the dataset */
  | { type: 'import-model'; backend: BackendChoice; checks?: StartChecks; jobId: string; datasetId: string; files: { name: string; bytes: Uint8Array }[] }
  /**
   * the class activation map of one stored sample for one class (src/worker/camJob.ts); the worker
   * stays alive for the next one and keeps the last run's model loaded. `classIndex` -1: the class
   * the model scores highest; `stage` null: the model's default (deepest) stage.
   */
  | CamRequest
  | { type: 'inject-fault'; plan: FaultPlan }
  | { type: 'cancel' };

export type CamRequest = {
  type: 'cam';
  backend: BackendChoice;
  checks?: StartChecks;
  jobId: string;
  runId: string;
  datasetId: string;
  sampleId: string;
  classIndex: number;
  stage: string | null;
  /** the weights: 'best' (as prediction takes them) or 'last' (the newest epoch's, as the run's validation probabilities are); the other where that one is not stored */
  checkpoint: 'best' | 'last';
};

/** A stage of the model a map can be taken at (src/core/cam/gradCam.ts). */
export type { CamStage } from '../core/cam/gradCam';
import type { CamStage } from '../core/cam/gradCam';

/** Where the model's input lies on the stored image (stored pixels): the whole image, or a crop model's centre crop. */
export interface CamRegion {
  top: number;
  left: number;
  size: number;
}

export type FromPredictWorker =
  | { type: 'backend'; report: BackendReport }
  | { type: 'progress'; progress: PredictProgress }
  | { type: 'predicted'; result: PredictResult }
  | { type: 'model-zip'; jobId: string; runId: string; fileName: string; bytes: Uint8Array }
  | { type: 'imported'; jobId: string; runId: string; name: string }
  /** `map`: height × width, row-major, ReLU'd, not normalised; `probs`: the model's 28 on the same input; both transferred */
  | {
      type: 'cam-result';
      jobId: string;
      runId: string;
      sampleId: string;
      classIndex: number;
      stage: string;
      stages: CamStage[];
      width: number;
      height: number;
      map: Float32Array;
      probs: Float32Array;
      /** the stored pixels the map covers */
      region: CamRegion;
      /** the checkpoint whose weights computed it, and its epoch (0: an imported model) */
      checkpoint: 'best' | 'last';
      epoch: number;
    }
  | { type: 'cancelled'; jobId: string }
  | { type: 'failed'; jobId: string; message: string };

// ── Weights worker ───────────────────────────────────────────────────────────────────────
// A dedicated worker per job: reads a pretrained-weights file the user dropped (Keras HDF5, or a
// TF.js layers model folder or zip), or downloads the official one when the user pressed the
// button, checks it against the backbone it is for, and stores it for runs to start from.

/** A stored weights set as the page lists it (src/data/weightsStore.ts). */
export type { StoredWeightsRecord } from '../data/weightsStore';
import type { StoredWeightsRecord } from '../data/weightsStore';

export interface WeightsProgress {
  jobId: string;
  stage: 'download' | 'read' | 'check' | 'store';
  /** bytes (download, read) or tensors (check, store) done, of total (0 = unknown) */
  done: number;
  total: number;
}

export type ToWeightsWorker =
  /** backbone null: found from the file's layer names */
  | { type: 'import-weights'; jobId: string; backbone: string | null; files: { name: string; bytes: Uint8Array }[] }
  /** the official Keras Applications file of this backbone (src/core/weights/sources.ts), fetched only on the user's press */
  | { type: 'download-weights'; jobId: string; backbone: string }
  | { type: 'cancel' };

export type FromWeightsWorker =
  | { type: 'progress'; progress: WeightsProgress }
  | { type: 'weights-stored'; jobId: string; info: StoredWeightsRecord }
  | { type: 'cancelled'; jobId: string }
  | { type: 'failed'; jobId: string; message: string };

// ── PyTorch export worker ────────────────────────────────────────────────────────────────
// A dedicated worker per job: reads a run's checkpoint and its dataset's split from storage and
// writes the run as PyTorch files (src/core/torchExport: weights.npz, model.py, predict.py and, for
// the project, train.py and folds.csv) in one zip. It starts no backend.

export interface TorchExportRequest {
  jobId: string;
  runId: string;
  /** add train.py and folds.csv (the run's recipe under torchrun) */
  project: boolean;
  /** one per class, written to thresholds.csv; null: 0.5 each */
  thresholds: number[] | null;
  /** how they were chosen, in words (kept in config.json) */
  thresholdsFrom: string;
}

export interface TorchExportProgress {
  jobId: string;
  stage: 'checkpoint' | 'split' | 'files';
}

/** Cancel ends the worker: the job only reads storage. */
export type ToTorchExportWorker = { type: 'export-torch'; request: TorchExportRequest };

export type FromTorchExportWorker =
  | { type: 'progress'; progress: TorchExportProgress }
  | { type: 'torch-zip'; jobId: string; runId: string; fileName: string; bytes: Uint8Array }
  | { type: 'failed'; jobId: string; message: string };

// ── Fold group worker ────────────────────────────────────────────────────────────────────
// A dedicated worker per job, with no backend: a K-fold group's out-of-fold evaluation and the
// seed's comparison (src/core/foldGroup.ts), and the group's report zip (src/core/foldGroupReport.ts).
// Fitting every threshold mode out of fold and cross-fitted walks the whole training set many
// times (seconds at the full dataset), which the page's thread must not do.

import type { ComparisonRow, FoldPredictions, GroupEvaluation } from '../core/foldGroup';
import type { GroupReportInput } from '../core/foldGroupReport';
export type { ComparisonRow, FoldPredictions, GroupEvaluation, GroupReportInput };

export type ToFoldGroupWorker =
  | {
      type: 'evaluate';
      jobId: string;
      folds: FoldPredictions[];
      /** proportion thresholds' target rates (the training prevalence); null: the OOF truth's */
      rates: number[] | null;
      /** the test split's truth, when the dataset has it and the folds carry test predictions */
      testTruth: { ids: string[]; truth: Uint8Array } | null;
    }
  | { type: 'report'; jobId: string; input: GroupReportInput };

export type FromFoldGroupWorker =
  | { type: 'evaluated'; jobId: string; evaluation: GroupEvaluation; comparison: ComparisonRow[] }
  | { type: 'report'; jobId: string; bytes: Uint8Array; files: string[] }
  | { type: 'failed'; jobId: string; message: string };

// ── Consistency check at start (src/data/consistency.ts) ─────────────────────────────────

export type { ConsistencyReport } from '../data/consistency';
import type { ConsistencyReport } from '../data/consistency';

export type ToConsistencyWorker = { type: 'check' };

export type FromConsistencyWorker = { type: 'report'; report: ConsistencyReport } | { type: 'error'; message: string };
