import { describe, expect, it } from 'vitest';
import { readAhead } from './readAhead';

describe('readAhead', () => {
  it('yields every range in order, with at most `depth` reads started ahead of the consumer', async () => {
    const started: Array<[number, number]> = [];
    const got: Array<[number, number]> = [];
    for await (const r of readAhead(10, 4, async (s, e) => (started.push([s, e]), [s, e] as [number, number]), { depth: 2 })) {
      got.push(r);
      expect(started.length).toBeLessThanOrEqual(got.length + 2);
    }
    expect(got).toEqual([
      [0, 4],
      [4, 8],
      [8, 10],
    ]);
    expect(started).toEqual(got);
  });
  it('reports each wait, refuses a batch size below 1, and a read-ahead that fails after the consumer stopped is not an unhandled rejection', async () => {
    const waits: number[] = [];
    for await (const r of readAhead(3, 1, async (s) => (s === 0 ? 0 : Promise.reject(new Error(`slot ${s} is truncated`))), {
      onWait: (ms) => waits.push(ms),
    })) {
      expect(r).toBe(0);
      break; // reads 1 and 2 were started and fail unobserved
    }
    expect(waits).toHaveLength(1);
    await expect(readAhead(3, 0, async () => 0).next()).rejects.toThrow('batch size must be ≥ 1, got 0');
  });
});
