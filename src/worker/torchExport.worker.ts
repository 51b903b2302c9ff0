/**
 * The dedicated PyTorch export worker, created per job and terminated after it (or to cancel it).
 * Speaks only the messages of ./protocol.
 */
import type { FromTorchExportWorker, ToTorchExportWorker } from './protocol';
import { runTorchExportJob, TorchExportFailure } from './torchExportJob';
import { TorchExportError } from '../core/torchExport/project';
import { typedPost } from './typedPost';

const post = typedPost<FromTorchExportWorker>();

self.onmessage = (event: MessageEvent<ToTorchExportWorker>) => {
  const { jobId } = event.data.request;
  runTorchExportJob(event.data.request, post).catch((e: unknown) => {
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
