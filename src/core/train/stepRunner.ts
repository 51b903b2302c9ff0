/**
 * How the trainer, validation and predict() run their steps, and the hooks a faster way needs.
 *
 * A step is a function that computes one batch through tfjs and returns its output tensor (the
 * loss; a validation batch's predictions and loss). A StepRunner runs a sequence of like steps; the
 * default, plainSteps, just calls each. Whoever sets up training may pass another: src/accel's
 * StepReplayer records a step's GPU commands on webgpu and replays them for later batches, with
 * the bytes that change from batch to batch. For that, the code that makes such a value (the batch,
 * its labels, dropout noise) says so through claimUpload, a no-op unless a runner is recording.
 * Core code never imports src/accel: the runner comes in as an option, the claim as a hook.
 */
import type * as tf from '@tensorflow/tfjs';

/** Per-step bytes by name, as a replaying runner takes them for its next step. */
export type StepFeeds = Readonly<Record<string, ArrayBufferView>>;

/** A step's output: its values once read, whether it was replayed, and what to free after. */
export interface StepResult {
  read: Promise<Float32Array>;
  replayed: boolean;
  dispose(): void;
}

/** How a runner has been doing, for the run's info line and the bench. */
export interface StepRunnerStatus {
  /** steps replayed so far */
  replayed: number;
  /** why steps are not being replayed, or null */
  off: string | null;
  /** values copied back after each replay (a reassigned variable's, as BatchNorm's moving averages) */
  carried: number;
}

/** Runs a sequence of like steps (a training phase's, a validation's, a prediction's batches). Dispose at the end. */
export interface StepRunner {
  readonly status: StepRunnerStatus;
  /**
   * One step. `key` names the step's shapes and kind (null: a step not to be repeated another way);
   * `feeds` gives its per-step bytes by name (only a replay calls it); `step` computes it through
   * tfjs and returns a float32 tensor made inside the step, which the caller no longer needs after
   * `read`.
   */
  run(key: string | null, feeds: () => StepFeeds, step: () => tf.Tensor): StepResult;
  /** Starts afresh (the trainer calls it at every epoch's start and before validation). */
  restart(): void;
  dispose(): void;
}

/** Makes a runner for one sequence of steps. */
export type StepRunnerFactory = () => StepRunner;

/** Every step through tfjs: the default. */
export const plainSteps: StepRunnerFactory = () => ({
  status: { replayed: 0, off: 'every step through tfjs (no replaying step runner given)', carried: 0 },
  run(_key, _feeds, step) {
    const out = step();
    return { read: out.data() as Promise<Float32Array>, replayed: false, dispose: () => out.dispose() };
  },
  restart() {},
  dispose() {},
});

/** The next step's bytes of a claimed upload. */
export type NextBytes = (feeds: StepFeeds) => ArrayBufferView;
export type ClaimUpload = (t: tf.TensorInfo, name: string, next: NextBytes) => void;

let claim: ClaimUpload | null = null;

/**
 * Claims the upload of tensor `t` (just made from JavaScript values) as a per-step value named
 * `name`: a replay of the step writes `next(feeds)` in its place. A no-op unless a runner is
 * recording the step.
 */
export function claimUpload(t: tf.TensorInfo, name: string, next: NextBytes): void {
  claim?.(t, name, next);
}

/** Sets (or, with null, clears) what claimUpload does: a recording runner sets it for the length of a step. */
export function setClaimUpload(hook: ClaimUpload | null): void {
  claim = hook;
}
