/** The page's handle on the ingest worker: one import at a time, cancellable. */
import type { FromIngestWorker, ToIngestWorker } from '../worker/protocol';

export class IngestClient {
  private worker: Worker | null = null;

  constructor(private readonly onMessage: (msg: FromIngestWorker) => void) {}

  get busy(): boolean {
    return this.worker !== null;
  }

  start(msg: Exclude<ToIngestWorker, { type: 'cancel' }>): void {
    if (this.worker) throw new Error('an import is already running');
    const worker = new Worker(new URL('../worker/ingest.worker.ts', import.meta.url), { type: 'module', name: 'ingest' });
    worker.onmessage = (e: MessageEvent<FromIngestWorker>) => {
      if (e.data.type === 'done' || e.data.type === 'refused' || e.data.type === 'error') this.finish();
      this.onMessage(e.data);
    };
    worker.onerror = (e) => {
      this.finish();
      this.onMessage({ type: 'error', message: `ingest worker failed: ${e.message || 'script error'}` });
    };
    this.worker = worker;
    worker.postMessage(msg);
  }

  cancel(): void {
    this.worker?.postMessage({ type: 'cancel' } satisfies ToIngestWorker);
  }

  private finish() {
    // Let the worker close its storage handles before it goes.
    const w = this.worker;
    this.worker = null;
    setTimeout(() => w?.terminate(), 1000);
  }
}
