/**
 * One job in a fresh fold group worker (src/worker/foldGroup.worker.ts), as a promise: the group's
 * out-of-fold evaluation and comparison, or its report zip. The worker ends with the job.
 */
import type { FromFoldGroupWorker, ToFoldGroupWorker } from '../../worker/protocol';
import { foldGroupWorker } from '../workerClient';

type Reply<T extends ToFoldGroupWorker['type']> = Extract<FromFoldGroupWorker, { type: T extends 'evaluate' ? 'evaluated' : 'report' }>;

export function runFoldGroupJob<M extends ToFoldGroupWorker>(msg: M): Promise<Reply<M['type']>> {
  const client = foldGroupWorker();
  return new Promise((resolve, reject) => {
    client.start(
      (reply) => {
        client.stop();
        if (reply.type === 'failed') reject(new Error(reply.message));
        else resolve(reply as Reply<M['type']>);
      },
      (message) => {
        client.stop();
        reject(new Error(message));
      },
    );
    client.post(msg);
  });
}
