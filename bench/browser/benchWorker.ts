/**
 * The bench worker: training steps and predict on the studio's own backend selection
 * (src/worker/backend.ts: the same wasm set-up and training kernels as the training worker), and
 * the data feed: samples/s that the pixel store + storedBatchSource deliver for the newest dataset.
 */
import { listDatasets, listSamples } from '../../src/data/catalog';
import { openPixelReader } from '../../src/data/pixelStore';
import { storedBatchSource } from '../../src/data/storedBatchSource';
import { selectBackend } from '../../src/worker/backend';
import { timePredict, timeTraining } from '../lib/trainSteps';
import type { BackendNote, BenchAnswer, BenchJob } from './jobs';

async function backend(name: 'webgpu' | 'webgl' | 'wasm' | 'cpu'): Promise<BackendNote> {
  const r = await selectBackend(name);
  const a = r.adapter;
  return {
    active: r.active,
    reason: r.attempts.map((t) => `${t.backend}: ${t.used ? 'used' : t.reason}`).join('; '),
    adapter: a ? `${a.vendor} ${a.architecture} ${a.description}${a.fallback ? ' (software fallback)' : ''}`.trim() : '',
  };
}

async function feed(job: Extract<BenchJob, { kind: 'feed' }>): Promise<BenchAnswer> {
  const ds = (await listDatasets()).sort((a, b) => b.createdAt - a.createdAt)[0];
  if (!ds) return { ok: false, error: 'no dataset imported' };
  const samples = (await listSamples(ds.id)).filter((s) => s.split === 'train');
  const reader = await openPixelReader(ds);
  const rows = Array.from(samples, (_, i) => i);
  const runMs: number[] = [];
  const need = job.batch * job.batches;
  for (let r = 0; r < job.runs; r++) {
    const source = await storedBatchSource({
      read: (slot) => reader.read(slot),
      slots: samples.map((s) => s.slot),
      labelSets: samples.map((s) => s.labels),
      imageSize: ds.resolution,
      trainRows: rows,
      valRows: [],
      inMemoryBytes: 0, // the streaming path a full-size dataset takes
    });
    let n = 0;
    const t0 = performance.now();
    for await (const b of source.trainBatches(r + 1, job.batch, 7)) {
      n += b.y.length / 28;
      if (n >= need) break;
    }
    runMs.push(performance.now() - t0);
  }
  reader.close();
  return { ok: true, kind: 'feed', resolution: ds.resolution, samples: samples.length, storage: ds.storage, runMs, samplesPerRun: Math.min(need, samples.length) };
}

async function run(job: BenchJob): Promise<BenchAnswer> {
  if (job.kind === 'feed') return feed(job);
  const note = await backend(job.backend);
  if (note.active !== job.backend) return { ok: false, error: `${job.backend} did not start: ${note.reason}`, backend: note };
  if (job.kind === 'train') return { ok: true, kind: 'train', backend: note, timing: await timeTraining(job) };
  const p = await timePredict(job);
  return { ok: true, kind: 'predict', backend: note, runMs: p.runMs, views: p.views };
}

self.onmessage = async (e: MessageEvent<BenchJob>) => {
  try {
    self.postMessage(await run(e.data));
  } catch (err) {
    self.postMessage({ ok: false, error: String((err as Error)?.stack ?? err) } satisfies BenchAnswer);
  }
};
