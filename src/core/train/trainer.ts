/**
 * The training loop: phases of epochs of batches from a BatchSource, Adam, augmentation on the
 * backend, validation with per-class F1 after every epoch, callbacks for everything else, and a
 * controller to pause/resume/stop between batches.
 *
 * How a step runs and which Adam takes it are the caller's to give (`stepRunner`, `optimizer`):
 * by default each step goes through tfjs with tfjs's Adam; the studio's workers, CLI and bench pass
 * src/accel's (accelTraining: the fused Adam, and steps replayed from a recording on webgpu).
 *
 * Repeatability: the same seed gives the same batch order, augmentation and dropout masks, so the
 * same run on the same backend gives the same losses (weights are initialised by the caller's
 * seeded createModel).
 */
import * as tf from '@tensorflow/tfjs';
import {
  applyTransforms,
  batchSide,
  batchTensor,
  drawTransforms,
  evalTransforms,
  transformFeeds,
  transformPlan,
  transformPlanKey,
  type AugmentOptions,
} from '../augment';
import { countsAtThresholds, f1Report, type EmptyClassRule } from '../metrics';
import { Rng } from '../rng';
import type { BatchSource } from './batchSource';
import type { TrainerContext, TrainingCallback, ValPredictions } from './callbacks';
import { captureCheckpoint, restoreCheckpoint, type Checkpoint } from './checkpoint';
import type { TrainingController } from './controller';
import { setTrainable } from './freeze';
import { claimUpload, plainSteps, type StepResult, type StepRunnerFactory } from './stepRunner';
import { yieldToEvents } from './yieldToEvents';
import type { LossFn } from '../losses';
import type { Trainable } from '../lossSchedule';
import type { EpochLogs } from './logs';

export type { LossFn };

export interface TrainingPhase {
  name: string;
  epochs: number;
  loss: LossFn;
  /** Adam learning rate; every phase starts a new optimizer */
  lr: number;
  /** which layers train (the rest frozen); default 'all' */
  trainable?: Trainable;
}

export interface TrainOptions {
  phases: TrainingPhase[];
  batchSize: number;
  seed: number;
  augment: AugmentOptions;
  callbacks?: TrainingCallback[];
  controller?: TrainingController;
  /** threshold for the validation macro F1 (default 0.5) */
  threshold?: number;
  emptyClass?: EmptyClassRule;
  /** stored with every checkpoint */
  meta?: Record<string, unknown>;
  /**
   * Continue a run from one of its checkpoints: weights, Adam state, learning rate and history
   * are restored and the epochs it had done are skipped (batch order and augmentation of the
   * remaining epochs are those of the uninterrupted run). Schedule callbacks start afresh.
   */
  resumeFrom?: Checkpoint;
  /** Makes each phase's optimizer, an Adam (default: tfjs's) */
  optimizer?: OptimizerFactory;
  /** Runs the steps of each phase and of validation (default: each through tfjs, plainSteps) */
  stepRunner?: StepRunnerFactory;
}

export type OptimizerFactory = (learningRate: number) => tf.Optimizer;

/** tfjs's Adam: β1 0.9, β2 0.999, ε the backend's. */
export const tfjsAdam: OptimizerFactory = (learningRate) => tf.train.adam(learningRate);

export interface TrainResult {
  history: EpochLogs[];
  /** why training ended before its planned epochs, or null */
  stoppedBy: string | null;
  /** the optimizer of the last phase has been disposed; the model is left as trained */
  epochsRun: number;
}

function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  // tfjs optimizers read `learningRate` on every step but declare it protected.
  (optimizer as unknown as { learningRate: number }).learningRate = lr;
}

function getLearningRate(optimizer: tf.Optimizer): number {
  return (optimizer as unknown as { learningRate: number }).learningRate;
}

/** Runs the model over the validation rows (no augmentation): probabilities, truth and mean loss. */
export async function predictValidation(
  model: tf.LayersModel,
  source: BatchSource,
  o: { batchSize: number; augment: Pick<AugmentOptions, 'size' | 'mode'>; loss?: LossFn; stepRunner?: StepRunnerFactory },
): Promise<ValPredictions & { loss: number }> {
  const C = source.numClasses;
  const probs = new Float32Array(source.numVal * C);
  const truth = new Uint8Array(source.numVal * C);
  let rows = 0;
  let lossSum = 0;
  // a replaying runner repeats the batches after the first two from a recording of their GPU commands
  const runner = (o.stepRunner ?? plainSteps)();
  try {
    for await (const batch of source.valBatches(o.batchSize)) {
      const b = batch.y.length / C;
      const stored = batchSide(batch.x, b, source.channels);
      const transforms = evalTransforms(b, stored, o.augment);
      const plan = transformPlan([b, stored, stored, source.channels], transforms, o.augment);
      const bytes = batch.x instanceof Uint8Array ? batch.x : null;
      // predictions and the mean loss in one output: one read-back per batch
      const out = runner.run(
        bytes ? `validation ${b}x${stored}x${source.channels} ${transformPlanKey(plan)}` : null,
        () => ({ x: bytes!, y: batch.y }),
        () =>
          tf.tidy(() => {
            const x = applyTransforms(batchTensor(batch.x, b, source.channels, 'x'), transforms, o.augment, plan);
            const pred = model.predict(x) as tf.Tensor;
            const y = tf.tensor2d(batch.y, [b, C]);
            claimUpload(y, 'y', (f) => f.y);
            const loss = o.loss ? o.loss(y, pred) : tf.scalar(NaN);
            return tf.concat([tf.reshape(pred, [-1]), tf.reshape(loss, [1])]);
          }),
      );
      if (batch.x instanceof Uint8Array) source.release?.(batch);
      else batch.x.dispose();
      const values = await out.read;
      out.dispose();
      probs.set(values.subarray(0, b * C), rows * C);
      lossSum += values[b * C] * b;
      for (let i = 0; i < b * C; i++) truth[rows * C + i] = batch.y[i] > 0.5 ? 1 : 0;
      rows += b;
      await yieldToEvents(); // messages and finished reads get in during a long validation too
    }
  } finally {
    runner.dispose();
  }
  if (rows !== source.numVal) throw new Error(`validation gave ${rows} rows, expected ${source.numVal}`);
  return { rows, numClasses: C, probs, truth, loss: rows ? lossSum / rows : NaN };
}

export async function train(model: tf.LayersModel, source: BatchSource, o: TrainOptions): Promise<TrainResult> {
  const callbacks = o.callbacks ?? [];
  const history: EpochLogs[] = o.resumeFrom ? o.resumeFrom.history.map((h) => ({ ...h })) : [];
  const C = source.numClasses;
  let stoppedBy: string | null = null;
  let epoch = o.resumeFrom?.epoch ?? 0;
  let epochsBefore = 0;
  let started = false;
  let steps = 0;
  let replayedSettled = 0; // steps of this run replayed, counted as their losses arrive
  const emit = async <K extends keyof TrainingCallback>(hook: K, ...args: Parameters<NonNullable<TrainingCallback[K]>>) => {
    for (const cb of callbacks) await (cb[hook] as ((...a: unknown[]) => unknown) | undefined)?.apply(cb, args);
  };

  for (let phaseIndex = 0; phaseIndex < o.phases.length && stoppedBy === null; phaseIndex++) {
    const phase = o.phases[phaseIndex];
    // epochs of this phase already done by the checkpoint we resume from
    const done = Math.min(phase.epochs, Math.max(0, epoch - epochsBefore));
    epochsBefore += phase.epochs;
    if (done === phase.epochs) continue;
    setTrainable(model, phase.trainable);
    const optimizer = (o.optimizer ?? tfjsAdam)(phase.lr);
    const runner = (o.stepRunner ?? plainSteps)();
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    if (o.resumeFrom && !started) {
      const samePhase = o.resumeFrom.phase === phaseIndex;
      await restoreCheckpoint(model, o.resumeFrom, samePhase ? optimizer : undefined);
      if (samePhase) setLearningRate(optimizer, o.resumeFrom.learningRate);
    }
    let phaseStop: string | null = null;
    const ctx: TrainerContext = {
      model,
      optimizer,
      history,
      phase: phaseIndex,
      get learningRate() {
        return getLearningRate(optimizer);
      },
      set learningRate(lr: number) {
        setLearningRate(optimizer, lr);
      },
      stopPhase: (reason) => (phaseStop = reason),
      stopRun: (reason) => (stoppedBy = reason),
      checkpoint: (): Promise<Checkpoint> =>
        captureCheckpoint(model, optimizer, {
          epoch,
          phase: phaseIndex,
          learningRate: getLearningRate(optimizer),
          history: history.map((h) => ({ ...h })),
          meta: o.meta ?? {},
        }),
    };
    try {
      if (!started) await emit('onTrainStart', ctx);
      started = true;
      await emit('onPhaseStart', ctx);
      for (let e = done; e < phase.epochs && phaseStop === null && stoppedBy === null; e++) {
        epoch++;
        await emit('onEpochStart', ctx, epoch);
        if (runner.status.off === null) runner.restart(); // a replaying runner records afresh each epoch
        const t0 = performance.now();
        const rng = new Rng(`${o.seed}:augment:${epoch}`);
        let lossSum = 0;
        let images = 0;
        let batchIndex = 0;
        // Each step's loss is read after the next step is queued: on a GPU backend the GPU runs
        // step k while JavaScript fetches and encodes step k + 1 (the kit's step loop on an H200:
        // 727 → 1,131 img/s in one call, 976 → 717 in the next, whose JavaScript time also rose;
        // bench/results/gpu-h200-summary.md). So one step is in flight when Pause
        // or Stop arrives: it completes and is reported. The read
        // starts right after its step: a WebGPU read-back waits for all work submitted before it, so
        // one started after step k + 1 was queued would wait for that step too.
        type InFlight = StepResult & { b: number };
        let inFlight: InFlight | null = null;
        const settle = async (p: InFlight) => {
          const value = (await p.read)[0];
          p.dispose();
          lossSum += value * p.b;
          images += p.b;
          steps++;
          await emit('onBatchEnd', ctx, {
            epoch,
            phase: phaseIndex,
            batch: batchIndex++,
            batchSize: p.b,
            loss: value,
            images,
            seconds: (performance.now() - t0) / 1000,
            stepsReplayed: (replayedSettled += p.replayed ? 1 : 0),
            steps,
            replayOff: runner.status.off,
          });
          await yieldToEvents(); // let Pause/Stop messages and finished reads in before the next batch
        };
        try {
          for await (const batch of source.trainBatches(epoch, o.batchSize, o.seed)) {
            if (o.controller && !(await o.controller.gate())) {
              if (!(batch.x instanceof Uint8Array)) batch.x.dispose();
              stoppedBy = 'stopped by the user';
              break;
            }
            const b = batch.y.length / C;
            const stored = batchSide(batch.x, b, source.channels);
            const transforms = drawTransforms(b, stored, o.augment, rng);
            const plan = transformPlan([b, stored, stored, source.channels], transforms, o.augment);
            // A replaying runner repeats the step's recorded GPU commands with this batch's bytes
            // (the feeds); a batch held as a tensor (null key) runs through tfjs.
            const bytes = batch.x instanceof Uint8Array ? batch.x : null;
            const key = bytes ? `${b}x${stored}x${source.channels} ${transformPlanKey(plan)}` : null;
            const step = runner.run(
              key,
              () => ({ x: bytes!, y: batch.y, ...transformFeeds(plan, 'augment') }),
              () =>
                tf.tidy(() => {
                  const x = applyTransforms(batchTensor(batch.x, b, source.channels, 'x'), transforms, o.augment, plan, 'augment');
                  const y = tf.tensor2d(batch.y, [b, C]);
                  claimUpload(y, 'y', (f) => f.y);
                  return optimizer.minimize(() => phase.loss(y, model.apply(x, { training: true }) as tf.Tensor), true, variables) as tf.Scalar;
                }),
            );
            // the pixels are on the backend now (a replay writes them, tfjs uploads or copies them):
            // their buffer may take a later batch (a fresh 8 MB one costs page faults: ../bufferPool.ts)
            if (batch.x instanceof Uint8Array) source.release?.(batch);
            else batch.x.dispose();
            const previous = inFlight;
            inFlight = { ...step, b };
            if (previous) await settle(previous);
          }
          const last = inFlight;
          inFlight = null;
          if (last) await settle(last); // the step in flight when the epoch ended or Stop came
          // Stop that came while the epoch's last step was in flight: no validation, as for any stop mid-epoch
          if (stoppedBy === null && o.controller?.state === 'stopping') stoppedBy = 'stopped by the user';
        } finally {
          // only after an error: the pending read settles on its own, unobserved
          if (inFlight) {
            inFlight.read.catch(() => undefined);
            inFlight.dispose();
          }
        }
        if (stoppedBy !== null) {
          epoch--;
          break;
        }
        const trainSeconds = (performance.now() - t0) / 1000;
        // the training replay's buffers go back to tfjs's pool for validation (which replays its own)
        runner.restart();
        const val = await predictValidation(model, source, { batchSize: o.batchSize, augment: o.augment, loss: phase.loss, stepRunner: o.stepRunner });
        const report = f1Report(countsAtThresholds(val.truth, val.probs, o.threshold ?? 0.5, C), o.emptyClass ?? 'zero');
        const logs: EpochLogs = {
          epoch,
          phase: phaseIndex,
          phaseName: phase.name,
          loss: images ? lossSum / images : NaN,
          valLoss: val.loss,
          valMacroF1: report.macroF1,
          valPerClassF1: report.perClass.map((c) => c.f1),
          learningRate: getLearningRate(optimizer),
          trainImages: images,
          imagesPerSecond: images / trainSeconds,
          seconds: (performance.now() - t0) / 1000,
        };
        history.push(logs);
        await emit('onEpochEnd', ctx, logs, val);
      }
      if (phaseIndex === o.phases.length - 1 || stoppedBy !== null) await emit('onTrainEnd', ctx, { stoppedBy });
    } finally {
      runner.dispose();
      optimizer.dispose();
      setTrainable(model);
    }
  }
  return { history, stoppedBy, epochsRun: epoch };
}
