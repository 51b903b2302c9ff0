/**
 * The page's handle on a predict worker: one dedicated worker per job (so WebGPU memory is freed
 * when it ends), typed messages both ways, terminated when the job has answered. Each worker gets
 * the start-check passes of the page's earlier workers (../startCheckPasses).
 */
import type { FromPredictWorker, ToPredictWorker } from '../../worker/protocol';
import { rememberStartChecks, startCheckPasses } from '../startCheckPasses';

export class PredictClient {
  private worker: Worker | null = null;

  /** starts a fresh worker for one job; `onMessage` gets every reply */
  start(job: Exclude<ToPredictWorker, { type: 'cancel' }>, onMessage: (msg: FromPredictWorker) => void): void {
    this.stop();
    const worker = new Worker(new URL('../../worker/predict.worker.ts', import.meta.url), { type: 'module', name: 'predict' });
    worker.onmessage = (e: MessageEvent<FromPredictWorker>) => {
      if (e.data.type === 'backend') rememberStartChecks(e.data.report.checks);
      onMessage(e.data);
    };
    const jobId = job.type === 'predict' ? job.request.jobId : job.jobId;
    worker.onerror = (e) => onMessage({ type: 'failed', jobId, message: `predict worker failed: ${e.message || 'script error'}` });
    this.worker = worker;
    const transfer = job.type === 'import-model' ? job.files.map((f) => f.bytes.buffer as ArrayBuffer) : [];
    worker.postMessage({ ...job, checks: startCheckPasses() }, transfer); // the start checks this page's workers passed: not rerun
  }

  cancel(): void {
    this.worker?.postMessage({ type: 'cancel' } satisfies ToPredictWorker);
  }

  stop(): void {
    this.worker?.terminate();
    this.worker = null;
  }
}
