/**
 * Keeps the best checkpoint (by a monitored value) and the last one, and hands each new one to
 * `save` (IndexedDB in the browser, a file in Node).
 */
import type { TrainingCallback } from './callbacks';
import type { Checkpoint } from './checkpoint';
import { improves, monitorValue, type Monitor } from './logs';

export interface BestLastCheckpointOptions {
  monitor: Monitor;
  save?: (kind: 'best' | 'last', checkpoint: Checkpoint) => void | Promise<void>;
}

export interface BestLastCheckpoint extends TrainingCallback {
  best: Checkpoint | null;
  bestValue: number;
  last: Checkpoint | null;
}

export function bestLastCheckpoint(o: BestLastCheckpointOptions): BestLastCheckpoint {
  const cb: BestLastCheckpoint = {
    best: null,
    bestValue: NaN,
    last: null,
    async onEpochEnd(ctx, logs) {
      const c = await ctx.checkpoint();
      cb.last = c;
      await o.save?.('last', c);
      const v = monitorValue(logs, o.monitor);
      if (cb.best === null || improves(o.monitor, v, cb.bestValue)) {
        cb.best = c;
        cb.bestValue = v;
        await o.save?.('best', c);
      }
    },
  };
  return cb;
}
