/**
 * The chunk sum's layout (./chunkSum.ts): lanes per value and values per workgroup for the split
 * reductions GAPNet's step runs. The WGSL runs in the e2e webgpu test through the chunk sum's own
 * start check (both ways, four cases: 64, 16, 2 and 1 lanes; SwiftShader, where the studio then
 * keeps one thread per value, so the column reduction's and the filter gradient's checks run that
 * way there) and in the GPU kit, where lanes stay on. A dispatch long enough for the backend to
 * split it over y and z (over 65,535 workgroups: ≥ 262,144 vec4 values) is not exercised.
 */
import { describe, expect, it } from 'vitest';
import { chunkSumPlan } from './chunkSum';

describe('chunkSumPlan', () => {
  it('gives a value up to 64 lanes, each adding at least 8 chunks, and fills 256-thread workgroups', () => {
    for (const [columns, chunks] of [
      [288, 1024],
      [32, 1024],
      [4608, 114],
      [5, 3],
      [1, 1],
      [3, 700],
      [9216, 29],
      [1024, 32],
      [7, 16],
      [7, 15],
    ]) {
      const p = chunkSumPlan(columns, chunks);
      expect(Number.isInteger(Math.log2(p.lanes))).toBe(true);
      expect(p.lanes).toBeLessThanOrEqual(64);
      if (p.lanes > 1) expect(p.lanes * 8).toBeLessThanOrEqual(chunks);
      if (p.lanes < 64) expect(p.lanes * 2 * 8).toBeGreaterThan(chunks);
      expect(p.lanes * p.perGroup).toBe(256);
      expect(p.workgroups * p.perGroup).toBeGreaterThanOrEqual(columns);
      expect((p.workgroups - 1) * p.perGroup).toBeLessThan(columns);
    }
  });
  it("spreads GAPNet-PL's first conv at 256 px, batch 32, over 64 lanes: its filter gradient's 288 vec4 values on 72 workgroups instead of 288 threads, its bias gradient's 32 on 8", () => {
    expect(chunkSumPlan(288, 1024)).toEqual({ lanes: 64, perGroup: 4, workgroups: 72 });
    expect(chunkSumPlan(32, 1024)).toEqual({ lanes: 64, perGroup: 4, workgroups: 8 });
  });
  it('keeps one lane (the chunk-order sum, bit for bit as before) below 16 chunks', () => {
    expect(chunkSumPlan(36864 / 4, 15).lanes).toBe(1);
    expect(chunkSumPlan(10, 16).lanes).toBe(2);
  });
});
