/** The jobs the bench page's worker runs (bench/browser/benchWorker.ts), and what it answers. */
import type { StartChecks } from '../../src/worker/protocol';
import type { PredictSpec, TrainSpec, TrainTiming } from '../lib/trainSteps';

export type BrowserBackend = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

/** each job carries the start-check passes of the page's earlier workers (src/worker/startChecks.ts) */
export type BenchJob = { checks?: StartChecks } & (
  | ({ kind: 'train'; backend: BrowserBackend } & TrainSpec)
  | ({ kind: 'predict'; backend: BrowserBackend } & PredictSpec)
  /** read `batches` batches of the newest imported dataset through storedBatchSource (streaming path) */
  /** stepMs: the simulated GPU step of the 'beside a step' pair (the thread is free while it runs, as while a GPU trains) */
  | { kind: 'feed'; batch: number; batches: number; runs: number; stepMs: number }
  /** upload [batch, size, size, 4] uint8 batches to webgpu: the byte path vs tfjs's float32 path, interleaved */
  | { kind: 'upload'; size: number; batch: number; runs: number }
  /** augment a float32 [batch, stored, stored, 4] batch to size px: one gather vs image by image, interleaved */
  | { kind: 'augment'; backend: BrowserBackend; stored: number; size: number; batch: number; runs: number }
  /** start the backend in a new worker (its start checks, step replay's included), handed the page's passes or (fresh) none */
  | { kind: 'start'; backend: BrowserBackend; fresh: boolean }
  /** the 'auto' backend probe of a run's model (src/worker/autoBackend.ts) in a new worker, nothing remembered */
  | { kind: 'auto-probe'; model: string; size: number; batch: number }
);

export interface BackendNote {
  active: string | null;
  reason: string;
  adapter: string;
  /** wasm: the threads its kernels use (src/worker/backend.ts) */
  wasmThreads?: number;
  /** the start-check passes the job's worker knows, for the next job */
  checks?: StartChecks;
}

export type BenchAnswer =
  | { ok: true; kind: 'train'; backend: BackendNote; timing: TrainTiming }
  | { ok: true; kind: 'predict'; backend: BackendNote; runMs: number[]; views: number }
  | {
      ok: true;
      kind: 'feed';
      resolution: number;
      samples: number;
      storage: string;
      via: string;
      /** whether the studio's reader ran in a feed worker (src/worker/feedReader.ts) */
      feedWorker: boolean;
      /**
       * ms per run: the studio's reader (feed worker, batches given back for reuse), the same with a
       * fresh buffer per batch (the before), the same reads in this thread, File slices (the before)
       */
      runMs: number[];
      freshMs: number[];
      threadMs: number[];
      blobMs: number[];
      /** ms per run with a simulated GPU step of stepMs after each batch: feed worker, reads in this thread */
      besideStepMs: number[];
      freshBesideStepMs: number[];
      threadBesideStepMs: number[];
      /** ms per run of the same steps with no data: the floor of the two above */
      stepsOnlyMs: number[];
      samplesPerRun: number;
    }
  | { ok: true; kind: 'upload'; backend: BackendNote; bytesMs: number[]; floatMs: number[] }
  | { ok: true; kind: 'augment'; backend: BackendNote; gatherMs: number[]; perImageMs: number[]; gatherKernels: number; perImageKernels: number }
  /** words: the status line's words for the backend started (each check's outcome) */
  | {
      ok: true;
      kind: 'start';
      backend: BackendNote;
      ms: number;
      /** the backend's start checks, and how many of them were passes of earlier workers, not rerun */ checks: number;
      reused: number;
      words: string;
    }
  /** ms: to a measured choice; figures: each backend's words (src/core/backendChoice.ts figureWords) */
  | { ok: true; kind: 'auto-probe'; backend: BackendNote; ms: number; chosen: string; figures: string; reason: string }
  | { ok: false; error: string; backend?: BackendNote };
