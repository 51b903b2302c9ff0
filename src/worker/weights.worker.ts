/**
 * The dedicated weights worker, created per job (read a dropped weights file, or download the
 * official one) and terminated after it. Speaks only the messages of ./protocol.
 */
import type { FromWeightsWorker, ToWeightsWorker } from './protocol';
import { runWeightsJob, WeightsJobFailure } from './weightsJob';
import { WeightsFileError } from '../core/weights/kerasH5';
import { UnknownBackboneError } from '../core/weights/detectBackbone';
import { typedPost } from './typedPost';

const post = typedPost<FromWeightsWorker>();
const controller = new AbortController();

async function handle(msg: Exclude<ToWeightsWorker, { type: 'cancel' }>): Promise<void> {
  try {
    const info = await runWeightsJob(msg, controller.signal, post);
    post({ type: 'weights-stored', jobId: msg.jobId, info });
  } catch (e) {
    if (controller.signal.aborted) post({ type: 'cancelled', jobId: msg.jobId });
    else
      post({
        type: 'failed',
        jobId: msg.jobId,
        message:
          e instanceof WeightsJobFailure || e instanceof WeightsFileError || e instanceof UnknownBackboneError
            ? e.message
            : e instanceof Error
              ? `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}`
              : String(e),
      });
  }
}

let queue: Promise<void> = Promise.resolve();
self.onmessage = (event: MessageEvent<ToWeightsWorker>) => {
  const msg = event.data;
  if (msg.type === 'cancel') controller.abort();
  else queue = queue.then(() => handle(msg));
};
