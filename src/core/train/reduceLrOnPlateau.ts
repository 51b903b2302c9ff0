/** Multiplies the learning rate by `factor` when the monitored value has not improved for `patience` epochs (Keras' ReduceLROnPlateau). */
import type { TrainingCallback } from './callbacks';
import { improves, monitorValue, type Monitor } from './logs';

export interface ReduceLrOnPlateauOptions {
  monitor: Monitor;
  factor: number;
  patience: number;
  minLr?: number;
  minDelta?: number;
  /** epochs to wait after a reduction before counting again */
  cooldown?: number;
}

export function reduceLrOnPlateau(o: ReduceLrOnPlateauOptions): TrainingCallback & { reductions: { epoch: number; lr: number }[] } {
  if (!(o.factor > 0 && o.factor < 1)) throw new RangeError(`ReduceLROnPlateau factor must be in (0, 1), got ${o.factor}`);
  let best = NaN;
  let wait = 0;
  let cooldown = 0;
  const reductions: { epoch: number; lr: number }[] = [];
  return {
    reductions,
    onPhaseStart() {
      best = NaN;
      wait = 0;
      cooldown = 0;
    },
    onEpochEnd(ctx, logs) {
      const v = monitorValue(logs, o.monitor);
      if (cooldown > 0) cooldown--;
      if (improves(o.monitor, v, best, o.minDelta ?? 0)) {
        best = v;
        wait = 0;
        return;
      }
      if (cooldown > 0) return;
      if (++wait >= o.patience) {
        const lr = Math.max(o.minLr ?? 0, ctx.learningRate * o.factor);
        if (lr < ctx.learningRate) {
          ctx.learningRate = lr;
          reductions.push({ epoch: logs.epoch, lr });
        }
        wait = 0;
        cooldown = o.cooldown ?? 0;
      }
    },
  };
}
