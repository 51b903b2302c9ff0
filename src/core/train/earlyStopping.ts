/** Ends the phase when the monitored value has not improved for `patience` epochs (Keras' EarlyStopping). */
import type { TrainingCallback } from './callbacks';
import { improves, monitorValue, type Monitor } from './logs';

export interface EarlyStoppingOptions {
  monitor: Monitor;
  patience: number;
  minDelta?: number;
}

export function earlyStopping(o: EarlyStoppingOptions): TrainingCallback & { stoppedAt: number | null } {
  let best = NaN;
  let wait = 0;
  const cb: TrainingCallback & { stoppedAt: number | null } = {
    stoppedAt: null,
    onPhaseStart() {
      best = NaN;
      wait = 0;
    },
    onEpochEnd(ctx, logs) {
      const v = monitorValue(logs, o.monitor);
      if (improves(o.monitor, v, best, o.minDelta ?? 0)) {
        best = v;
        wait = 0;
      } else if (++wait >= o.patience) {
        cb.stoppedAt = logs.epoch;
        ctx.stopPhase(`early stopping: ${o.monitor} did not improve for ${o.patience} epochs`);
      }
    },
  };
  return cb;
}
