import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { FUSED_LOSS_FLAG } from '../accel/flags';
import { knownChecks, runStartChecks, type StartCheckResult } from './startChecks';

/** the kernels tfjs ran during f (a check runs its kernel and tfjs's; a reused pass runs none) */
async function kernelsRun(f: () => Promise<StartCheckResult>): Promise<StartCheckResult & { kernels: number }> {
  let result: StartCheckResult = { words: '', checks: 0, reused: 0 };
  const p = await tf.profile(async () => {
    result = await f();
    return tf.scalar(0);
  });
  return { ...result, kernels: p.kernels.filter((k) => k.name !== 'Reshape' && k.name !== 'Identity').length };
}

describe('start checks (the fused Adam and the one-gather augmentation on the cpu backend)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('runs each check at the first start and says it passed', async () => {
    const first = await kernelsRun(() => runStartChecks('cpu', null));
    expect(first.kernels).toBeGreaterThan(10);
    expect(first.words).toBe('; Adam fused into one kernel per weight (checked); crops and flips of a batch in one gather (checked)');
    expect([first.checks, first.reused]).toEqual([2, 0]);
    expect(Object.keys(knownChecks())).toHaveLength(2);
  });

  it('reuses a pass at a later start in the same worker: no kernel runs, and the status says so', async () => {
    const again = await kernelsRun(() => runStartChecks('cpu', null));
    expect(again.kernels).toBe(0);
    expect(again.words).toBe(
      '; Adam fused into one kernel per weight (checked); crops and flips of a batch in one gather (checked); all 2 checks passed at an earlier start on this page, not rerun',
    );
    expect([again.checks, again.reused]).toEqual([2, 2]);
  });

  it("checks again when one of the studio's flags differs from the passes' start", async () => {
    tf.env().set(FUSED_LOSS_FLAG, false);
    try {
      const flagged = await kernelsRun(() => runStartChecks('cpu', null));
      expect(flagged.kernels).toBeGreaterThan(10);
      expect(flagged.words).not.toContain('earlier start');
      expect(flagged.reused).toBe(0);
      expect(Object.keys(knownChecks())).toHaveLength(4); // the passes under both flag values
    } finally {
      tf.env().set(FUSED_LOSS_FLAG, true);
    }
  });

  it('a fresh worker given the passes of another (as the page hands them over) does not rerun them; one given none does', async () => {
    const passes = knownChecks();
    vi.resetModules();
    const fresh = await import('./startChecks');
    const unchecked = await kernelsRun(() => fresh.runStartChecks('cpu', null));
    expect(unchecked.kernels).toBeGreaterThan(10);
    vi.resetModules();
    const handed = await import('./startChecks');
    handed.rememberChecks(passes);
    const reused = await kernelsRun(() => handed.runStartChecks('cpu', null));
    expect(reused.kernels).toBe(0);
    expect(reused.words).toContain('all 2 checks passed at an earlier start on this page, not rerun');
  });

  it('keys a pass by backend: wasm passes do not stand for cpu', async () => {
    vi.resetModules();
    const fresh = await import('./startChecks');
    const cpuPasses = knownChecks();
    const asWasm = Object.fromEntries(Object.entries(cpuPasses).map(([k, v]) => [k.replace(/^cpu /, 'wasm '), v]));
    fresh.rememberChecks(asWasm);
    const r = await kernelsRun(() => fresh.runStartChecks('cpu', null));
    expect(r.kernels).toBeGreaterThan(10);
  });
});
