/**
 * The dedicated PyTorch export worker, created per job and terminated after it. Speaks only the
 * messages of ./protocol.
 */
import type { FromTorchExportWorker, ToTorchExportWorker } from './protocol';
import { runTorchExportJob, TorchExportFailure } from './torchExportJob';
import { TorchExportError } from '../core/torchExport/project';
import { typedPost } from './typedPost';

const post = typedPost<FromTorchExportWorker>();
const controller = new AbortController();

self.onmessage = (event: MessageEvent<ToTorchExportWorker>) => {
  const msg = event.data;
  if (msg.type === 'cancel') {
    controller.abort();
    return;
  }
  const { jobId } = msg.request;
  runTorchExportJob(msg.request, controller.signal, post).catch((e: unknown) => {
    if (controller.signal.aborted) post({ type: 'cancelled', jobId });
    else
      post({
        type: 'failed',
        jobId,
        message:
          e instanceof TorchExportFailure || e instanceof TorchExportError
            ? e.message
            : e instanceof Error
              ? `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}`
              : String(e),
      });
  });
};
