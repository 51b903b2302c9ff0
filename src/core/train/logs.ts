/** What the training loop reports after each batch and each epoch. */

export interface BatchLogs {
  epoch: number;
  phase: number;
  /** 0-based batch index within the epoch */
  batch: number;
  batchSize: number;
  loss: number;
  /** training images seen so far in this epoch */
  images: number;
  /** seconds since the epoch started */
  seconds: number;
  /** training steps of this run so far replayed from a recording of their GPU commands (webgpu; src/accel/webgpu/stepReplay.ts) */
  stepsReplayed: number;
  /** training steps of this run so far */
  steps: number;
  /** why this phase's steps are not replayed, or null */
  replayOff: string | null;
}

export interface EpochLogs {
  /** 1-based epoch number across all phases */
  epoch: number;
  phase: number;
  phaseName: string;
  /** mean training loss over the epoch's images */
  loss: number;
  valLoss: number;
  /** macro F1 of the validation rows at the evaluation threshold */
  valMacroF1: number;
  valPerClassF1: number[];
  learningRate: number;
  trainImages: number;
  /** training images per second (excluding validation) */
  imagesPerSecond: number;
  /** wall seconds for the epoch, validation included */
  seconds: number;
}

export type Monitor = 'val_loss' | 'val_macro_f1';

export function monitorValue(logs: EpochLogs, monitor: Monitor): number {
  return monitor === 'val_loss' ? logs.valLoss : logs.valMacroF1;
}

/** Is `a` better than `b` by more than minDelta for this monitor? */
export function improves(monitor: Monitor, a: number, b: number, minDelta = 0): boolean {
  if (!Number.isFinite(b)) return Number.isFinite(a);
  return monitor === 'val_loss' ? a < b - minDelta : a > b + minDelta;
}
