import { describe, expect, it } from 'vitest';
import type { TrainerContext } from './callbacks';
import { earlyStopping } from './earlyStopping';
import type { EpochLogs } from './logs';
import { reduceLrOnPlateau } from './reduceLrOnPlateau';

/** A context that only records what the callbacks ask of it (no model needed for these rules). */
function context(lr: number) {
  const stops: string[] = [];
  const ctx = {
    learningRate: lr,
    stopPhase: (r: string) => void stops.push(r),
    stopRun: (r: string) => void stops.push(`run: ${r}`),
  } as unknown as TrainerContext;
  return { ctx, stops };
}

const logs = (epoch: number, valLoss: number, valMacroF1 = 0): EpochLogs => ({
  epoch,
  phase: 0,
  phaseName: 'p',
  loss: 1,
  valLoss,
  valMacroF1,
  valPerClassF1: [],
  learningRate: 0,
  trainImages: 1,
  imagesPerSecond: 1,
  seconds: 1,
});

describe('ReduceLROnPlateau', () => {
  it('multiplies the LR by the factor after `patience` epochs without improvement of val loss', () => {
    const { ctx } = context(1e-3);
    const cb = reduceLrOnPlateau({ monitor: 'val_loss', factor: 0.1, patience: 2 });
    cb.onPhaseStart!(ctx);
    const losses = [1.0, 0.9, 0.95, 0.92, 0.91, 0.8, 0.85, 0.85];
    losses.forEach((v, i) => cb.onEpochEnd!(ctx, logs(i + 1, v), undefined as never));
    expect(cb.reductions.map((r) => r.epoch)).toEqual([4, 8]);
    expect(ctx.learningRate).toBeCloseTo(1e-5, 12);
  });

  it('monitors val macro F1 as a quantity to maximise, and respects the minimum LR', () => {
    const { ctx } = context(1e-2);
    const cb = reduceLrOnPlateau({ monitor: 'val_macro_f1', factor: 0.5, patience: 1, minLr: 4e-3 });
    [0.1, 0.2, 0.2, 0.15, 0.1, 0.05].forEach((f, i) => cb.onEpochEnd!(ctx, logs(i + 1, 0, f), undefined as never));
    expect(cb.reductions).toEqual([
      { epoch: 3, lr: 5e-3 },
      { epoch: 4, lr: 4e-3 },
    ]);
    expect(ctx.learningRate).toBe(4e-3);
  });
});

describe('EarlyStopping', () => {
  it('stops the phase after `patience` epochs without improvement, and starts afresh each phase', () => {
    const { ctx, stops } = context(1e-3);
    const cb = earlyStopping({ monitor: 'val_loss', patience: 3 });
    [0.5, 0.4, 0.45, 0.41, 0.4].forEach((v, i) => cb.onEpochEnd!(ctx, logs(i + 1, v), undefined as never));
    expect(cb.stoppedAt).toBe(5);
    expect(stops).toHaveLength(1);
    expect(stops[0]).toMatch(/val_loss did not improve for 3 epochs/);
    cb.onPhaseStart!(ctx);
    cb.onEpochEnd!(ctx, logs(6, 0.9), undefined as never);
    expect(stops).toHaveLength(1);
  });
});
