/**
 * The dedicated training worker. Recreated per run (WebGPU frees GPU memory only when its
 * backend is disposed). Speaks only the messages of ./protocol.
 */
import * as tf from '@tensorflow/tfjs';
import { selectBackend, setWasmThreadsPreference } from './backend';
import { rememberChecks } from './startChecks';
import { measureTrainingSteps, median } from '../core/probe';
import { TrainingController } from '../core/train/controller';
import type { FromTrainingWorker, ToTrainingWorker } from './protocol';
import { RunFailure, explainFailure, runTraining } from './runTraining';
import { typedPost } from './typedPost';
import { armFault } from './faultInjection';

const post = typedPost<FromTrainingWorker>();

let controller: TrainingController | null = null;
let runId: string | null = null;

async function handle(msg: ToTrainingWorker): Promise<void> {
  try {
    switch (msg.type) {
      case 'init': {
        setWasmThreadsPreference(msg.wasmThreads);
        rememberChecks(msg.checks); // passed in the page's earlier workers: not rerun
        post({ type: 'backend', report: await selectBackend(msg.backend) });
        break;
      }
      case 'probe': {
        const { losses, stepTimesMs } = await measureTrainingSteps(tf, msg);
        const stepMs = median(stepTimesMs.slice(1).length ? stepTimesMs.slice(1) : stepTimesMs);
        post({
          type: 'probe-result',
          result: {
            backend: tf.getBackend(),
            size: msg.size,
            batch: msg.batch,
            steps: msg.steps,
            losses,
            firstStepMs: stepTimesMs[0],
            stepMs,
            imagesPerSecond: (msg.batch * 1000) / stepMs,
          },
        });
        break;
      }
      case 'train': {
        if (controller) throw new Error('a run is already training in this worker');
        // 'paused' is said once the batch in flight has finished: until then the page says 'pausing…'
        controller = new TrainingController(() => post({ type: 'paused', runId: msg.request.runId, paused: true }));
        runId = msg.request.runId;
        try {
          await runTraining(msg.request, controller, post);
        } catch (e) {
          const message = e instanceof RunFailure ? e.message : explainFailure(e, msg.request.config.batchSize, msg.request.config.inputSize, tf.getBackend());
          post({ type: 'run-ended', runId: msg.request.runId, status: 'failed', message });
        } finally {
          controller = null;
        }
        break;
      }
      case 'pause':
        controller?.pause();
        break;
      case 'resume':
        controller?.resume();
        if (runId) post({ type: 'paused', runId, paused: false });
        break;
      case 'stop':
        controller?.stop();
        break;
      case 'inject-fault':
        armFault(msg.plan);
        break;
    }
  } catch (e) {
    post({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  }
}

// Control messages act at once; the rest run in order (a 'train' sent right after 'init' waits
// until the backend is chosen).
let queue: Promise<void> = Promise.resolve();
self.onmessage = (event: MessageEvent<ToTrainingWorker>) => {
  const msg = event.data;
  if (msg.type === 'pause' || msg.type === 'resume' || msg.type === 'stop') void handle(msg);
  else queue = queue.then(() => handle(msg));
};
