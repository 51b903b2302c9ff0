/**
 * The bench page: runs each job in a fresh dedicated Worker (as the studio trains: one per run),
 * handing it the start-check passes of the earlier jobs' workers, as the studio's page does
 * (src/ui/startCheckPasses.ts): a job times steps, not the backend's self-checks.
 */
import { rememberStartChecks, startCheckPasses } from '../../src/ui/startCheckPasses';
import type { BenchAnswer, BenchJob } from './jobs';

function benchJob(job: BenchJob): Promise<BenchAnswer> {
  const worker = new Worker(new URL('./benchWorker.ts', import.meta.url), { type: 'module' });
  return new Promise<BenchAnswer>((resolve) => {
    worker.onmessage = (e: MessageEvent<BenchAnswer>) => {
      rememberStartChecks('backend' in e.data ? e.data.backend?.checks : undefined);
      resolve(e.data);
    };
    worker.onerror = (e) => resolve({ ok: false, error: `worker error: ${e.message}` });
    worker.postMessage({ ...job, checks: job.kind === 'start' && job.fresh ? {} : startCheckPasses() });
  }).finally(() => worker.terminate());
}

(window as unknown as { benchJob: typeof benchJob }).benchJob = benchJob;
document.getElementById('status')!.textContent = 'bench page ready';
