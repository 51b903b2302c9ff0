/** The consistency worker: checks and repairs browser storage once at start (src/data/consistency.ts), off the page's thread. */
import { checkConsistency } from '../data/consistency';
import type { FromConsistencyWorker, ToConsistencyWorker } from './protocol';
import { typedPost } from './typedPost';

const post = typedPost<FromConsistencyWorker>();

self.onmessage = async (event: MessageEvent<ToConsistencyWorker>) => {
  if (event.data.type !== 'check') return;
  try {
    post({ type: 'report', report: await checkConsistency() });
  } catch (e) {
    post({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  }
};
