/**
 * The page's handle on a dedicated worker, for the training, ingest and predict workers alike:
 * a fresh worker per start (so a run's or a prediction's GPU memory goes with it), typed messages
 * both ways (the types are those of src/worker/protocol.ts), and a script failure turned into a
 * message. Workers that start a tfjs backend get the page's start-check passes and report theirs.
 */
import type {
  FromIngestWorker,
  FromPredictWorker,
  FromTrainingWorker,
  StartChecks,
  ToIngestWorker,
  ToPredictWorker,
  ToTrainingWorker,
  FromWeightsWorker,
  ToWeightsWorker,
  FromTorchExportWorker,
  ToTorchExportWorker,
  FromFoldGroupWorker,
  ToFoldGroupWorker,
  FromConsistencyWorker,
  ToConsistencyWorker,
} from '../worker/protocol';
import { rememberStartChecks, startCheckPasses } from './startCheckPasses';
import { parseFaultFlag, type FaultPlan } from '../core/gpuFaults';

/** The fault the page was asked to provoke (its `fault` query parameter; docs/reliability.md), or null: read once. */
const faultPlan: FaultPlan | null = typeof location !== 'undefined' ? parseFaultFlag(location.search) : null;

export interface WorkerClientOptions<From, To = never> {
  /** creates the worker: `new Worker(new URL('…worker.ts', import.meta.url), …)` written out, so the bundler finds it */
  spawn: () => Worker;
  /** 'training', 'ingest', 'predict': named in failure messages */
  name: string;
  /** a reply of this worker that carries its start-check passes (its backend report) */
  passesIn?: (msg: From) => StartChecks | undefined;
  /** the message that arms a provoked fault in this kind of worker (sent first, only when the page asks for one) */
  injectFault?: (plan: FaultPlan) => To;
}

export class WorkerClient<To, From> {
  private worker: Worker | null = null;

  constructor(private readonly o: WorkerClientOptions<From, To>) {}

  /** whether a worker is running */
  get busy(): boolean {
    return this.worker !== null;
  }

  /** Ends the worker there is and starts a fresh one; its replies go to `onMessage`, a script failure to `onFailure`. */
  start(onMessage: (msg: From) => void, onFailure: (message: string) => void): void {
    this.stop();
    const worker = this.o.spawn();
    worker.onmessage = (e: MessageEvent<From>) => {
      if (this.o.passesIn) rememberStartChecks(this.o.passesIn(e.data));
      onMessage(e.data);
    };
    worker.onerror = (e) => onFailure(`${this.o.name} worker failed: ${e.message || 'script error'}`);
    this.worker = worker;
    if (faultPlan && this.o.injectFault) worker.postMessage(this.o.injectFault(faultPlan));
  }

  post(msg: To, transfer: Transferable[] = []): void {
    if (!this.worker) throw new Error(`${this.o.name} worker not started`);
    this.worker.postMessage(msg, transfer);
  }

  /** Posts to the running worker, if any (a cancel that arrives after the end does nothing). */
  postIfRunning(msg: To): void {
    this.worker?.postMessage(msg);
  }

  /** The passes to put in the first message of a worker that starts a backend: those checks are not rerun. */
  passes(): StartChecks {
    return startCheckPasses();
  }

  /** Ends the worker, at once or after `graceMs` (time to close its storage handles). */
  stop(graceMs = 0): void {
    const w = this.worker;
    this.worker = null;
    if (!w) return;
    if (graceMs > 0) setTimeout(() => w.terminate(), graceMs);
    else w.terminate();
  }
}

export const trainingWorker = () =>
  new WorkerClient<ToTrainingWorker, FromTrainingWorker>({
    spawn: () => new Worker(new URL('../worker/training.worker.ts', import.meta.url), { type: 'module', name: 'training' }),
    name: 'training',
    injectFault: (plan) => ({ type: 'inject-fault', plan }),
    passesIn: (msg) => (msg.type === 'backend' ? msg.report.checks : undefined),
  });

export const ingestWorker = () =>
  new WorkerClient<ToIngestWorker, FromIngestWorker>({
    spawn: () => new Worker(new URL('../worker/ingest.worker.ts', import.meta.url), { type: 'module', name: 'ingest' }),
    name: 'ingest',
  });

export const predictWorker = () =>
  new WorkerClient<ToPredictWorker, FromPredictWorker>({
    spawn: () => new Worker(new URL('../worker/predict.worker.ts', import.meta.url), { type: 'module', name: 'predict' }),
    name: 'predict',
    injectFault: (plan) => ({ type: 'inject-fault', plan }),
    passesIn: (msg) => (msg.type === 'backend' ? msg.report.checks : undefined),
  });

export const weightsWorker = () =>
  new WorkerClient<ToWeightsWorker, FromWeightsWorker>({
    spawn: () => new Worker(new URL('../worker/weights.worker.ts', import.meta.url), { type: 'module', name: 'weights' }),
    name: 'weights',
  });

export const torchExportWorker = () =>
  new WorkerClient<ToTorchExportWorker, FromTorchExportWorker>({
    spawn: () => new Worker(new URL('../worker/torchExport.worker.ts', import.meta.url), { type: 'module', name: 'torch-export' }),
    name: 'PyTorch export',
  });

export const foldGroupWorker = () =>
  new WorkerClient<ToFoldGroupWorker, FromFoldGroupWorker>({
    spawn: () => new Worker(new URL('../worker/foldGroup.worker.ts', import.meta.url), { type: 'module', name: 'fold-group' }),
    name: 'fold group',
  });

export const consistencyWorker = () =>
  new WorkerClient<ToConsistencyWorker, FromConsistencyWorker>({
    spawn: () => new Worker(new URL('../worker/consistency.worker.ts', import.meta.url), { type: 'module', name: 'consistency' }),
    name: 'consistency check',
  });
