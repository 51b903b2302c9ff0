/** One worker of the PNG decode pool: PNG bytes in, an 8-bit plane at the stored resolution out. */
import { decodeChannelPng } from '../data/decodePng';
import type { FromDecodeWorker, ToDecodeWorker } from './protocol';
import { typedPost } from './typedPost';

const post = typedPost<FromDecodeWorker>();

self.onmessage = async (event: MessageEvent<ToDecodeWorker>) => {
  const { seq, bytes, resolution, decoder } = event.data;
  try {
    const d = await decodeChannelPng(bytes, resolution, decoder);
    post({ type: 'decoded', seq, plane: d.plane, width: d.width, height: d.height, converted: d.converted, way: d.way }, [d.plane.buffer]);
  } catch (e) {
    post({ type: 'failed', seq, reason: e instanceof Error ? e.message : String(e) });
  }
};
