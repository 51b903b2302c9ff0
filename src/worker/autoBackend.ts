/**
 * 'Auto' backend for a run: a short measured probe of *this* model (its input size and batch)
 * on the backends that start here, then the fastest. On small CNNs WebGL can beat WebGPU
 * (tfjs issue 8156) and on a machine without a usable GPU wasm beats both: only a measurement
 * on the user's machine decides it.
 *
 * The probe is time-boxed (the rules are in src/core/backendChoice.ts): one warm-up and two timed
 * steps per backend; wasm first on a software adapter; a backend whose step falls clearly behind
 * the best one so far is stopped, its step left to finish unread; webgpu and webgl are skipped on
 * a software adapter where wasm already beat them for this model. A choice the page remembers for
 * this adapter, model, input size, batch and wasm threads is used without measuring.
 */
import * as tf from '@tensorflow/tfjs';
import { makeLoss } from '../core/losses';
import { buildRunModel } from '../core/models/runModel';
import { accelTraining } from '../accel/training';
import {
  TIMED_STEPS,
  adapterKey,
  describeChoice,
  describeFigures,
  fastest,
  findRemembered,
  gpuSkipReason,
  probeOrder,
  stepDeadlineMs,
  type AutoChoice,
  type ChoiceScope,
  type Leader,
  type ProbeBackend,
  type ProbeFigure,
} from '../core/backendChoice';
import type { RunConfig } from '../core/runConfig';
import { probeWebGpuAdapter, selectBackend, wasmThreadsPreference } from './backend';
import type { AutoBackendOutcome, BackendReport } from './protocol';

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** One step's wall time, or null when it outran its deadline (the step is left to finish unread). */
async function timeStep(step: () => Promise<void>, deadlineMs: number | null): Promise<number | null> {
  const t0 = performance.now();
  const done = step(); // the step's ops are recorded and sent here; only the read of its loss is awaited
  if (deadlineMs === null) {
    await done;
    return performance.now() - t0;
  }
  const left = deadlineMs - (performance.now() - t0);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const finished = left > 0 && (await Promise.race([done.then(() => true), new Promise<false>((r) => (timer = setTimeout(() => r(false), left)))]));
  clearTimeout(timer);
  if (!finished) {
    done.catch(() => undefined);
    return null;
  }
  return performance.now() - t0;
}

/** Times the run's model on the active backend against the best backend so far. */
async function measure(config: RunConfig, leader: Leader | null): Promise<{ imagesPerSecond: number | null; note: string; leader: Leader | null }> {
  const model = buildRunModel(config);
  // the optimizer training will use; selectBackend installed the gradients it will use (src/accel)
  const optimizer = accelTraining.optimizer(config.lr);
  const loss = makeLoss({ kind: 'bce' });
  const b = config.batchSize;
  const x = tf.randomUniform([b, config.inputSize, config.inputSize, 4], 0, 255, 'float32', 1);
  const y = tf.tidy(() => tf.cast(tf.greater(tf.randomUniform([b, 28], 0, 1, 'float32', 2), 0.8), 'float32'));
  const step = () => {
    const l = optimizer.minimize(() => loss(y, model.apply(x, { training: true }) as tf.Tensor), true) as tf.Scalar;
    return l.data().then(
      () => l.dispose(),
      (e: unknown) => {
        l.dispose();
        throw e;
      },
    );
  };
  try {
    const warmDeadline = stepDeadlineMs(leader, true);
    const warm = await timeStep(step, warmDeadline); // shader compilation, kernel set-up
    if (warm === null)
      return {
        imagesPerSecond: null,
        note: `stopped: its first step took over ${seconds(warmDeadline!)}; ${leader!.backend} measured in full in ${seconds(leader!.wholeMs)}`,
        leader: null,
      };
    const steps: number[] = [];
    for (let i = 0; i < TIMED_STEPS; i++) {
      const deadline = stepDeadlineMs(leader, false);
      const ms = await timeStep(step, deadline);
      if (ms === null)
        return {
          imagesPerSecond: null,
          note: `stopped: under ${((b * 1000) / deadline!).toFixed(1)} img/s, a step took over twice ${leader!.backend}'s`,
          leader: null,
        };
      steps.push(ms);
    }
    const stepMs = steps.reduce((a, c) => a + c, 0) / steps.length;
    return {
      imagesPerSecond: (b * 1000) / stepMs,
      note: '',
      leader: { backend: tf.getBackend() as ProbeBackend, wholeMs: warm + stepMs * steps.length, stepMs },
    };
  } finally {
    tf.dispose([x, y]);
    optimizer.dispose();
    model.dispose();
  }
}

/** The started backend's words: `auto: …` in place of 'forced in settings', its thread note and check words kept. */
function autoReport(report: BackendReport, reason: string): BackendReport {
  const used = report.attempts.find((a) => a.used);
  if (used) used.reason = used.reason.startsWith('forced in settings') ? reason + used.reason.slice('forced in settings'.length) : `${reason}; ${used.reason}`;
  report.requested = 'auto';
  return report;
}

export async function chooseAutoBackend(
  config: RunConfig,
  remembered: readonly AutoChoice[],
  onProgress?: (msg: string) => void,
): Promise<{ report: BackendReport; outcome: AutoBackendOutcome }> {
  const t0 = performance.now();
  const { adapter } = await probeWebGpuAdapter();
  const software = adapter?.fallback === true;
  const scope: ChoiceScope = {
    adapter: adapterKey(adapter),
    model: config.model,
    inputSize: config.inputSize,
    batchSize: config.batchSize,
    wasmThreads: wasmThreadsPreference(),
  };
  const known = findRemembered(remembered, scope);
  if (known) {
    const report = await selectBackend(known.backend);
    if (report.active === known.backend) {
      const reason = describeChoice(known, true);
      return { report: autoReport(report, reason), outcome: { choice: known, remembered: true, reason } };
    }
    // the remembered backend no longer starts: measure afresh
  }
  const skipGpu = gpuSkipReason(remembered, scope, software);
  const order = probeOrder(software);
  const measured = order.filter((name) => name === 'wasm' || !skipGpu);
  const figures: ProbeFigure[] = [];
  let leader: Leader | null = null;
  for (const name of order) {
    if (!measured.includes(name)) {
      figures.push({ backend: name, imagesPerSecond: null, note: skipGpu! });
      continue;
    }
    const tb = performance.now();
    onProgress?.(`measuring ${config.model} on ${name} (${measured.indexOf(name) + 1}/${measured.length})…`);
    // on a software adapter the GPU backends' start checks take longer than the whole probe: their
    // candidates run on tfjs's own kernels (slower, and still far behind wasm there)
    const report = await selectBackend(name, software && name !== 'wasm' ? { startChecks: false } : {});
    if (report.active !== name) {
      figures.push({ backend: name, imagesPerSecond: null, note: report.attempts[0]?.reason ?? 'did not start', seconds: (performance.now() - tb) / 1000 });
      continue;
    }
    try {
      const m = await measure(config, leader);
      figures.push({ backend: name, imagesPerSecond: m.imagesPerSecond, note: m.note, seconds: (performance.now() - tb) / 1000 });
      if (m.leader && (!leader || m.leader.stepMs < leader.stepMs)) leader = m.leader;
    } catch (e) {
      figures.push({ backend: name, imagesPerSecond: null, note: e instanceof Error ? e.message : String(e), seconds: (performance.now() - tb) / 1000 });
    }
  }
  const best = fastest(figures);
  const report = await selectBackend(best ? best.backend : 'auto');
  const choice: AutoChoice = {
    ...scope,
    backend: best ? best.backend : ((report.active ?? 'wasm') as ProbeBackend),
    figures,
    measuredAt: Date.now(),
    seconds: (performance.now() - t0) / 1000,
    softwareAdapter: software,
  };
  const reason = best ? describeChoice(choice, false) : `auto: no backend could be measured (${describeFigures(figures)})`;
  if (best) return { report: autoReport(report, reason), outcome: { choice, remembered: false, reason } };
  const used = report.attempts.find((a) => a.used);
  if (used) used.reason = `${reason}; ${used.reason}`;
  return { report, outcome: { choice, remembered: false, reason } };
}
