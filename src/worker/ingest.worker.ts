/** The ingest worker: imports dropped archives (or a generated demo set) into browser storage. */
import { ImportRefused, runImport } from '../data/ingest';
import { opfsSyncAvailable } from '../data/pixelStore';
import { SourceError } from '../data/sources';
import { demoSynthOptions, writeDatasetZip } from '../synth/index';
import { calibrateDecode } from './calibrateDecode';
import { DecodePool } from './decodePool';
import type { FromIngestWorker, ImportRequest, ToIngestWorker } from './protocol';
import { typedPost } from './typedPost';

const post = typedPost<FromIngestWorker>();

let controller: AbortController | null = null;

async function importSources(request: ImportRequest, signal: AbortSignal) {
  const pool = new DecodePool(undefined, request.pngDecoder);
  try {
    const summary = await runImport(request, {
      decode: (name, bytes, resolution) => pool.decode(name, bytes, resolution),
      progress: (progress) => post({ type: 'progress', progress }),
      signal,
      storageKind: async () => ((await opfsSyncAvailable()) ? 'opfs' : 'idb'),
      estimate: async () => {
        const e = await navigator.storage.estimate();
        return { quota: e.quota ?? 0, usage: e.usage ?? 0 };
      },
      concurrency: pool.size * 4,
    });
    if (summary.timing) summary.timing = { ...summary.timing, decodeWorkers: pool.size, decodeBusy: pool.busyFraction() };
    post({ type: 'done', summary });
  } finally {
    pool.terminate();
  }
}

self.onmessage = async (event: MessageEvent<ToIngestWorker>) => {
  const msg = event.data;
  if (msg.type === 'cancel') {
    controller?.abort();
    return;
  }
  controller = new AbortController();
  const { signal } = controller;
  try {
    if (msg.type === 'import') {
      await importSources(msg.request, signal);
    } else if (msg.type === 'calibrate') {
      post({ type: 'calibrated', calibration: await calibrateDecode(msg.resolution, signal, msg.pngDecoder) });
    } else {
      // The demo goes through exactly the same import path as a dropped zip.
      const { demo } = msg;
      const chunks: Uint8Array[] = [];
      const t0 = performance.now();
      const total = demo.train + demo.test;
      await writeDatasetZip(
        demoSynthOptions(demo),
        new WritableStream<Uint8Array>({ write: (c) => void chunks.push(c) }),
        (done) => post({ type: 'progress', progress: { phase: 'generating', done, total, bytes: 0, elapsedMs: performance.now() - t0 } }),
        signal,
      );
      const file = new File(chunks as Uint8Array<ArrayBuffer>[], `hpa-demo-${demo.size}px-seed${demo.seed}.zip`, { type: 'application/zip' });
      await importSources({ ...msg.request, sources: [{ kind: 'file', file }] }, signal);
    }
  } catch (e) {
    if (e instanceof ImportRefused) post({ type: 'refused', refusal: { message: e.message, space: e.space } });
    else if (e instanceof SourceError) post({ type: 'refused', refusal: { message: e.message } });
    else if (signal.aborted) post({ type: 'refused', refusal: { message: 'import cancelled' } });
    else post({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  } finally {
    controller = null;
  }
};
