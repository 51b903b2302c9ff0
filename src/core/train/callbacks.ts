/**
 * Behaviour is added to the loop through callbacks (as in PyTorch Lightning), not flags: the LR
 * schedule, early stopping, checkpoints and progress reporting are all callbacks.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Checkpoint } from './checkpoint';
import type { BatchLogs, EpochLogs } from './logs';

/** Validation predictions of one epoch: row-major [rows × classes]. */
export interface ValPredictions {
  rows: number;
  numClasses: number;
  probs: Float32Array;
  truth: Uint8Array;
}

export interface TrainerContext {
  readonly model: tf.LayersModel;
  readonly optimizer: tf.Optimizer;
  readonly history: readonly EpochLogs[];
  readonly phase: number;
  learningRate: number;
  /** ends the current phase after this epoch (the next phase, if any, still runs) */
  stopPhase(reason: string): void;
  /** ends the run after this epoch */
  stopRun(reason: string): void;
  /** the current weights, optimizer state and history as a checkpoint */
  checkpoint(): Promise<Checkpoint>;
}

export interface TrainingCallback {
  onTrainStart?(ctx: TrainerContext): void | Promise<void>;
  onPhaseStart?(ctx: TrainerContext): void | Promise<void>;
  onEpochStart?(ctx: TrainerContext, epoch: number): void | Promise<void>;
  onBatchEnd?(ctx: TrainerContext, logs: BatchLogs): void | Promise<void>;
  onEpochEnd?(ctx: TrainerContext, logs: EpochLogs, val: ValPredictions): void | Promise<void>;
  onTrainEnd?(ctx: TrainerContext, result: { stoppedBy: string | null }): void | Promise<void>;
}
