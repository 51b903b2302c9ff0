/** The bench page: runs each job in a fresh dedicated Worker (as the studio trains: one per run). */
import type { BenchAnswer, BenchJob } from './jobs';

function benchJob(job: BenchJob): Promise<BenchAnswer> {
  const worker = new Worker(new URL('./benchWorker.ts', import.meta.url), { type: 'module' });
  return new Promise<BenchAnswer>((resolve) => {
    worker.onmessage = (e: MessageEvent<BenchAnswer>) => resolve(e.data);
    worker.onerror = (e) => resolve({ ok: false, error: `worker error: ${e.message}` });
    worker.postMessage(job);
  }).finally(() => worker.terminate());
}

(window as unknown as { benchJob: typeof benchJob }).benchJob = benchJob;
document.getElementById('status')!.textContent = 'bench page ready';
