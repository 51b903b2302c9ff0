/**
 * The bench worker: training steps and predict on the studio's own backend selection
 * (src/worker/backend.ts: the same wasm set-up and training kernels as the training worker), and
 * the data feed: samples/s that the pixel store + storedBatchSource deliver for the newest dataset.
 */
import { listDatasets, listSamples } from '../../src/data/catalog';
import { openPixelReader, type PixelReader } from '../../src/data/pixelStore';
import { storedBatchSource } from '../../src/data/storedBatchSource';
import { openFeedReader } from '../../src/worker/feedReader';
import * as tf from '@tensorflow/tfjs';
import { applyTransforms, batchTensor, cutEachImage, drawTransforms, UINT8_TO_FLOAT32, type SampleTransform } from '../../src/core/augment';
import { Rng } from '../../src/core/rng';
import { registerWebGpuUint8Upload } from '../../src/accel/webgpu/uint8Upload';
import { STEP_REPLAY_FLAG } from '../../src/accel/flags';
import { selectBackend } from '../../src/worker/backend';
import { chooseAutoBackend } from '../../src/worker/autoBackend';
import { figureWords } from '../../src/core/backendChoice';
import { DEFAULT_RUN, type RunConfig } from '../../src/core/runConfig';
import { rememberChecks } from '../../src/worker/startChecks';
import { timePredict, timeTraining } from '../lib/trainSteps';
import type { BackendReport } from '../../src/worker/protocol';
import type { BackendNote, BenchAnswer, BenchJob } from './jobs';

/**
 * `replays`: whether the job may replay steps (src/accel/webgpu/stepReplay.ts); the replay's
 * self-check (seconds on SwiftShader, in every fresh worker) runs only then, and otherwise replay is off.
 */
async function backend(name: 'webgpu' | 'webgl' | 'wasm' | 'cpu', replays = false): Promise<BackendNote> {
  return noteOf(await selectBackend(name, { checkStepReplay: replays }));
}

function noteOf(r: BackendReport): BackendNote {
  const a = r.adapter;
  return {
    active: r.active,
    reason: r.attempts.map((t) => `${t.backend}: ${t.used ? 'used' : t.reason}`).join('; '),
    adapter: a ? `${a.vendor} ${a.architecture} ${a.description}${a.fallback ? ' (software fallback)' : ''}`.trim() : '',
    checks: r.checks,
    ...(r.wasmThreads !== undefined ? { wasmThreads: r.wasmThreads } : {}),
  };
}

async function feed(job: Extract<BenchJob, { kind: 'feed' }>): Promise<BenchAnswer> {
  const ds = (await listDatasets()).sort((a, b) => b.createdAt - a.createdAt)[0];
  if (!ds) return { ok: false, error: 'no dataset imported' };
  const samples = (await listSamples(ds.id)).filter((s) => s.split === 'train');
  const rows = Array.from(samples, (_, i) => i);
  const need = job.batch * job.batches;
  const batchesPerRun = Math.ceil(Math.min(need, samples.length) / job.batch);
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  // `step` ms between batches with this thread free (a timer), as while a GPU runs a step. Each
  // batch is given back at once (recycle, as the trainer does once a step has its bytes) unless
  // `fresh`: then every batch is read into a new buffer, as before buffers were recycled.
  const time = async (reader: PixelReader, epoch: number, step = 0, fresh = false) => {
    // the reads this run started, awaited after its timing: the batches read ahead and never
    // taken must not run into the next way's timing (File slices went on for ~100 ms), and are
    // given back, as at the end of a training epoch, which reads no batch it does not take (else
    // the next run would start with no buffer to reuse)
    const pending = new Set<Promise<Uint8Array>>();
    const taken = new Set<Uint8Array>();
    const source = await storedBatchSource({
      readMany: (slots) => {
        const p = reader.readMany(slots);
        pending.add(p);
        return p;
      },
      recycle: fresh ? undefined : (bytes) => reader.recycle(bytes),
      slots: samples.map((s) => s.slot),
      labelSets: samples.map((s) => s.labels),
      imageSize: ds.resolution,
      trainRows: rows,
      valRows: [],
      inMemoryBytes: 0, // the streaming path a full-size dataset takes
    });
    // the garbage an earlier way left (dropped 8 MB batches, File slices) is collected now, not
    // during this timing (the bench's Chromium runs with --js-flags=--expose-gc; drive.ts)
    (globalThis as { gc?: () => void }).gc?.();
    let n = 0;
    const t0 = performance.now();
    for await (const b of source.trainBatches(epoch, job.batch, 7)) {
      if (n && step) await sleep(step);
      taken.add(b.x as Uint8Array);
      source.release?.(b);
      n += b.y.length / 28;
      if (n >= need) break;
    }
    const ms = performance.now() - t0;
    for (const r of await Promise.allSettled(pending)) if (r.status === 'fulfilled' && !taken.has(r.value) && !fresh) reader.recycle(r.value);
    return ms;
  };
  // the studio's reader (a feed worker reading through sync access handles into given-back
  // buffers); the same with a new buffer per batch (the way before buffers were given back: a feed
  // worker of its own, since a reader whose batches never come back would leave the studio's no
  // buffer to reuse at its next run's start); the same reads in this thread (the way before the feed
  // worker); and File slices (the way before sync reads)
  const studio = await openFeedReader(ds);
  const studioFresh = await openFeedReader(ds);
  const thread = await openPixelReader(ds);
  const blob = await openPixelReader(ds, { via: 'blob' });
  try {
    const readers = { studio, studioFresh, thread, blob };
    const order = ['studio', 'studioFresh', 'thread', 'blob', 'studioStep', 'studioFreshStep', 'threadStep'] as const;
    const ms: Record<(typeof order)[number], number[]> = {
      studio: [],
      studioFresh: [],
      thread: [],
      blob: [],
      studioStep: [],
      studioFreshStep: [],
      threadStep: [],
    };
    // the steps alone (the same timers, no data): what the 'beside a step' runs cannot beat
    const stepsOnly: number[] = [];
    for (let r = 0; r < job.runs; r++) {
      // the same shuffled order for every way in a round; the round's first way rotates
      for (let i = 0; i < order.length; i++) {
        const way = order[(i + r) % order.length];
        const reader =
          readers[way.startsWith('studioFresh') ? 'studioFresh' : way.startsWith('studio') ? 'studio' : way.startsWith('thread') ? 'thread' : 'blob'];
        ms[way].push(await time(reader, r + 1, way.endsWith('Step') ? job.stepMs : 0, way.startsWith('studioFresh') || way === 'blob'));
        await Promise.all([studio.drained(), studioFresh.drained()]); // batches read ahead and never taken: not during the next timing
      }
      const t0 = performance.now();
      for (let k = 1; k < batchesPerRun; k++) await sleep(job.stepMs);
      stepsOnly.push(performance.now() - t0);
    }
    return {
      ok: true,
      kind: 'feed',
      resolution: ds.resolution,
      samples: samples.length,
      storage: ds.storage,
      via: studio.via,
      feedWorker: studio.inWorker,
      runMs: ms.studio,
      freshMs: ms.studioFresh,
      threadMs: ms.thread,
      blobMs: ms.blob,
      besideStepMs: ms.studioStep,
      freshBesideStepMs: ms.studioFreshStep,
      threadBesideStepMs: ms.threadStep,
      stepsOnlyMs: stepsOnly,
      samplesPerRun: Math.min(need, samples.length),
    };
  } finally {
    await Promise.all([studio.close(), studioFresh.close(), thread.close(), blob.close()]);
  }
}

/**
 * One uint8 batch to a float32 tensor on webgpu, as training does it (batchTensor), then its last
 * value read back, so the upload and the widening are done and little else is timed: the byte
 * path (src/accel/webgpu/uint8Upload.ts) and tfjs's float32 path (kernel unregistered), alternating
 * run by run.
 */
async function upload(job: Extract<BenchJob, { kind: 'upload' }>): Promise<BenchAnswer> {
  const note = await backend('webgpu');
  if (note.active !== 'webgpu') return { ok: false, error: `webgpu did not start: ${note.reason}`, backend: note };
  const bytes = new Uint8Array(job.batch * job.size * job.size * 4);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24;
  const once = async () => {
    const t0 = performance.now();
    const x = batchTensor(bytes, job.batch, 4);
    const s = tf.slice(x, [job.batch - 1, job.size - 1, job.size - 1, 3], [1, 1, 1, 1]); // the last value: needs all of the upload
    await s.data();
    tf.dispose([x, s]);
    return performance.now() - t0;
  };
  const bytesMs: number[] = [];
  const floatMs: number[] = [];
  for (let r = -1; r < job.runs; r++) {
    registerWebGpuUint8Upload();
    const b = await once();
    tf.unregisterKernel(UINT8_TO_FLOAT32, 'webgpu');
    const f = await once();
    if (r >= 0) {
      bytesMs.push(b);
      floatMs.push(f);
    } // r = -1: warm-up (shader compilation)
  }
  registerWebGpuUint8Upload();
  return { ok: true, kind: 'upload', backend: note, bytesMs, floatMs };
}

/**
 * A training batch's random crops and dihedral turns on the job's backend: the studio's one gather
 * (applyTransforms) against image by image, alternating run by run on the same batch and transforms,
 * each run ending with a read of the last value so that the backend's work is in the time. Also the
 * number of kernels each launches (tf.profile).
 */
async function augment(job: Extract<BenchJob, { kind: 'augment' }>): Promise<BenchAnswer> {
  const note = await backend(job.backend);
  if (note.active !== job.backend) return { ok: false, error: `${job.backend} did not start: ${note.reason}`, backend: note };
  const o = { size: job.size, mode: 'crop' as const, flips: true, rotate90: true };
  const x = tf.tidy(() => tf.floor(tf.randomUniform([job.batch, job.stored, job.stored, 4], 0, 256, 'float32', 1)) as tf.Tensor4D);
  const rng = new Rng('bench:augment');
  const once = async (f: (t: SampleTransform[]) => tf.Tensor4D, t: SampleTransform[]) => {
    const t0 = performance.now();
    const y = f(t);
    const s = tf.slice(y, [job.batch - 1, job.size - 1, job.size - 1, 3], [1, 1, 1, 1]);
    await s.data();
    tf.dispose([y, s]);
    return performance.now() - t0;
  };
  const gather = (t: SampleTransform[]) => applyTransforms(x, t, o);
  const each = (t: SampleTransform[]) => cutEachImage(x, t, job.size);
  const gatherMs: number[] = [];
  const perImageMs: number[] = [];
  for (let r = -1; r < job.runs; r++) {
    const t = drawTransforms(job.batch, job.stored, o, rng);
    const g = await once(gather, t);
    const e = await once(each, t);
    if (r >= 0) {
      gatherMs.push(g);
      perImageMs.push(e);
    } // r = -1: warm-up (shader compilation)
  }
  const t = drawTransforms(job.batch, job.stored, o, rng);
  const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(gather(t), each(t)))));
  const same = (await diff.data())[0];
  diff.dispose();
  if (same !== 0) return { ok: false, error: `the one gather and image by image differ by ${same} on ${job.backend}`, backend: note };
  const kernels = async (f: (t: SampleTransform[]) => tf.Tensor4D) =>
    (await tf.profile(() => f(t))).kernels.filter((k) => !['Reshape', 'Identity'].includes(k.name)).length;
  const gatherKernels = await kernels(gather);
  const perImageKernels = await kernels(each);
  x.dispose();
  return { ok: true, kind: 'augment', backend: note, gatherMs, perImageMs, gatherKernels, perImageKernels };
}

async function run(job: BenchJob): Promise<BenchAnswer> {
  if (job.kind === 'start') {
    const t0 = performance.now();
    const r = await selectBackend(job.backend, { checkStepReplay: true });
    const ms = performance.now() - t0;
    const note = noteOf(r);
    if (note.active !== job.backend) return { ok: false, error: `${job.backend} did not start: ${note.reason}`, backend: note };
    const used = r.attempts.find((t) => t.used);
    const checks = used?.checks ?? { count: 0, reused: 0 };
    return { ok: true, kind: 'start', backend: note, ms, checks: checks.count, reused: checks.reused, words: used?.reason ?? '' };
  }
  if (job.kind === 'auto-probe') {
    const config: RunConfig = { ...DEFAULT_RUN, model: job.model, inputSize: job.size, batchSize: job.batch };
    const t0 = performance.now();
    const { report, outcome } = await chooseAutoBackend(config, []);
    const ms = performance.now() - t0;
    return {
      ok: true,
      kind: 'auto-probe',
      backend: noteOf(report),
      ms,
      chosen: report.active ?? 'none',
      figures: outcome.choice.figures.map(figureWords).join(' · '),
      reason: outcome.reason,
    };
  }
  if (job.kind === 'feed') return feed(job);
  if (job.kind === 'upload') return upload(job);
  if (job.kind === 'augment') return augment(job);
  // training jobs replay unless their kernel set or flags say otherwise; predict() replays too
  const replays = (job.kind === 'train' && job.kernels !== 'tfjs' && job.flags?.[STEP_REPLAY_FLAG] !== false) || job.kind === 'predict';
  const note = await backend(job.backend, replays);
  if (note.active !== job.backend) return { ok: false, error: `${job.backend} did not start: ${note.reason}`, backend: note };
  if (job.kind === 'train') return { ok: true, kind: 'train', backend: note, timing: await timeTraining(job) };
  const p = await timePredict(job);
  return { ok: true, kind: 'predict', backend: note, runMs: p.runMs, views: p.views };
}

self.onmessage = async (e: MessageEvent<BenchJob>) => {
  try {
    rememberChecks(e.data.checks);
    self.postMessage(await run(e.data));
  } catch (err) {
    self.postMessage({ ok: false, error: String((err as Error)?.stack ?? err) } satisfies BenchAnswer);
  }
};
