/**
 * The page's handle on the training worker: creates it, sends typed messages, and hands every
 * reply to the store. A new worker per run; `restart` disposes the old one (and its GPU memory).
 * Each worker gets the start-check passes of the page's earlier workers (./startCheckPasses).
 */
import type { BackendChoice, FromTrainingWorker, ToTrainingWorker } from '../worker/protocol';
import { rememberStartChecks, startCheckPasses } from './startCheckPasses';

export class TrainingClient {
  private worker: Worker | null = null;

  constructor(private readonly onMessage: (msg: FromTrainingWorker) => void) {}

  start(backend: BackendChoice, wasmThreads?: number): void {
    this.stop();
    const worker = new Worker(new URL('../worker/training.worker.ts', import.meta.url), { type: 'module', name: 'training' });
    worker.onmessage = (e: MessageEvent<FromTrainingWorker>) => {
      if (e.data.type === 'backend') rememberStartChecks(e.data.report.checks);
      this.onMessage(e.data);
    };
    worker.onerror = (e) => this.onMessage({ type: 'error', message: `training worker failed: ${e.message || 'script error'}` });
    this.worker = worker;
    this.send({ type: 'init', backend, checks: startCheckPasses(), ...(wasmThreads ? { wasmThreads } : {}) });
  }

  send(msg: ToTrainingWorker): void {
    if (!this.worker) throw new Error('training worker not started');
    this.worker.postMessage(msg);
  }

  stop(): void {
    this.worker?.terminate();
    this.worker = null;
  }
}
