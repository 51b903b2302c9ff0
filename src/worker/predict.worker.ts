/**
 * The dedicated predict worker, created per job (predict, export a model, import a model) and
 * terminated after it, so WebGPU frees its memory; or kept by a sample viewer for its class
 * activation maps ('cam'), one after another on one backend and one loaded run model.
 * Speaks only the messages of ./protocol.
 */
import { selectBackend } from './backend';
import { gpuDeviceLost } from './gpuDevice';
import { armFault } from './faultInjection';
import { backendsAfter, predictFallbackNote } from '../core/gpuFaults';
import { rememberChecks } from './startChecks';
import type { BackendChoice, BackendReport, FromPredictWorker, ToPredictWorker } from './protocol';
import { PredictFailure, runExportJob, runImportJob, runPredictJob } from './predictRun';
import { ModelPackageError } from '../core/modelPackage';
import { typedPost } from './typedPost';
import { CamModelCache, runCamJob } from './camJob';

const post = typedPost<FromPredictWorker>();

const controller = new AbortController();
const camModels = new CamModelCache();
/** the newest 'cam' request: one still queued behind it is dropped (the viewer has moved on) */
let latestCam: string | null = null;
let selected: { requested: BackendChoice; report: BackendReport } | null = null;

/** The backend asked for, started once per worker (a later 'cam' job reuses it); a change of backend drops the loaded model. */
async function backendFor(requested: BackendChoice): Promise<BackendReport> {
  if (selected?.requested === requested && selected.report.active) return selected.report;
  camModels.dispose();
  const report = await selectBackend(requested);
  selected = { requested, report };
  post({ type: 'backend', report });
  return report;
}

type Job = Exclude<ToPredictWorker, { type: 'cancel' | 'inject-fault' }>;

/**
 * A prediction whose GPU device was lost runs again on the next backend that starts (webgl, then
 * wasm): a prediction keeps nothing between batches, so starting over loses only time. The result
 * says so (PredictResult.fallback). Returns false when no backend is left.
 */
async function predictOnNextBackend(msg: Extract<Job, { type: 'predict' }>, failedOn: string): Promise<boolean> {
  const lost = gpuDeviceLost()!;
  for (const next of backendsAfter(failedOn)) {
    const report = await backendFor(next);
    if (!report.active) continue;
    await runPredictJob(msg.request, controller.signal, (m, t) =>
      post(m.type === 'predicted' ? { ...m, result: { ...m.result, fallback: predictFallbackNote(lost, failedOn, report.active!) } } : m, t),
    );
    return true;
  }
  return false;
}

async function handle(msg: Job): Promise<void> {
  const jobId = msg.type === 'predict' ? msg.request.jobId : msg.jobId;
  if (msg.type === 'cam' && msg.jobId !== latestCam) {
    post({ type: 'cancelled', jobId });
    return;
  }
  try {
    rememberChecks(msg.checks); // passed in the page's earlier workers: not rerun
    const report = await backendFor(msg.backend);
    if (!report.active) throw new PredictFailure(`No backend could start: ${report.attempts.map((a) => `${a.backend}: ${a.reason}`).join('; ')}`);
    if (msg.type === 'predict') {
      try {
        await runPredictJob(msg.request, controller.signal, post);
      } catch (e) {
        // the device's loss, not the job, made it fail (its reads reject, or its numbers are garbage)
        if (!gpuDeviceLost() || controller.signal.aborted || !(await predictOnNextBackend(msg, report.active))) throw e;
      }
    } else if (msg.type === 'export-model') await runExportJob(jobId, msg.runId, msg.thresholds, msg.thresholdsFrom, post);
    else if (msg.type === 'cam') await runCamJob(msg, camModels, post);
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
  else if (msg.type === 'inject-fault') armFault(msg.plan);
  else {
    if (msg.type === 'cam') latestCam = msg.jobId;
    queue = queue.then(() => handle(msg));
  }
};
