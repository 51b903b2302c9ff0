/**
 * The dedicated predict worker, created per job (predict, export a model, import a model) and
 * terminated after it, so WebGPU frees its memory. Speaks only the messages of ./protocol.
 */
import { selectBackend } from './backend';
import { rememberChecks } from './startChecks';
import type { FromPredictWorker, ToPredictWorker } from './protocol';
import { PredictFailure, runExportJob, runImportJob, runPredictJob } from './predictRun';
import { ModelPackageError } from '../core/modelPackage';
import { typedPost } from './typedPost';

const post = typedPost<FromPredictWorker>();

const controller = new AbortController();

async function handle(msg: Exclude<ToPredictWorker, { type: 'cancel' }>): Promise<void> {
  const jobId = msg.type === 'predict' ? msg.request.jobId : msg.jobId;
  try {
    rememberChecks(msg.checks); // passed in the page's earlier workers: not rerun
    const report = await selectBackend(msg.backend);
    post({ type: 'backend', report });
    if (!report.active) throw new PredictFailure(`No backend could start: ${report.attempts.map((a) => `${a.backend}: ${a.reason}`).join('; ')}`);
    if (msg.type === 'predict') await runPredictJob(msg.request, controller.signal, post);
    else if (msg.type === 'export-model') await runExportJob(jobId, msg.runId, msg.thresholds, post);
    else await runImportJob(jobId, msg.datasetId, msg.files, post);
  } catch (e) {
    if (controller.signal.aborted) post({ type: 'cancelled', jobId });
    else
      post({
        type: 'failed',
        jobId,
        message:
          e instanceof PredictFailure || e instanceof ModelPackageError
            ? e.message
            : e instanceof Error
              ? `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}`
              : String(e),
      });
  }
}

let queue: Promise<void> = Promise.resolve();
self.onmessage = (event: MessageEvent<ToPredictWorker>) => {
  const msg = event.data;
  if (msg.type === 'cancel') controller.abort();
  else queue = queue.then(() => handle(msg));
};
