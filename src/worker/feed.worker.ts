/**
 * The feed worker: reads pixel slots for a training worker (./feedReader.ts) in a thread of its
 * own. OPFS sync reads block the thread that makes them, so made in the training worker they
 * stopped its step loop for as long as a batch took to read; here they run while the training
 * thread encodes steps and the GPU trains. Speaks only the feed messages of ./protocol.
 */
import { openPixelReader, type PixelReader } from '../data/pixelStore';
import type { FromFeedWorker, ToFeedWorker } from './protocol';
import { typedPost } from './typedPost';

const post = typedPost<FromFeedWorker>();
const reason = (e: unknown) => (e instanceof Error ? e.message : String(e));
const nameOf = (e: unknown) => (e instanceof Error ? e.name : undefined);

let reader: Promise<PixelReader> | null = null;

self.onmessage = async (event: MessageEvent<ToFeedWorker>) => {
  const msg = event.data;
  if (msg.type === 'open') {
    reader = openPixelReader(msg.dataset);
    try {
      post({ type: 'opened', via: (await reader).via });
    } catch (e) {
      post({ type: 'failed', seq: null, reason: reason(e), name: nameOf(e) });
    }
  } else if (msg.type === 'read') {
    try {
      if (!reader) throw new Error('the feed worker was asked to read before it opened a dataset');
      const bytes = await (await reader).readMany(msg.slots);
      post({ type: 'read', seq: msg.seq, bytes }, [bytes.buffer]);
    } catch (e) {
      post({ type: 'failed', seq: msg.seq, reason: reason(e), name: nameOf(e) });
    }
  } else if (msg.type === 'recycle') {
    (await reader?.catch(() => null))?.recycle(new Uint8Array(msg.buffer));
  } else if (msg.type === 'close') {
    await (await reader?.catch(() => null))?.close();
    post({ type: 'closed' });
    self.close();
  }
};
