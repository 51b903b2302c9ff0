/**
 * The self-checks a backend runs when a worker starts it: each speed-up of src/accel that applies to
 * the backend (its registry: src/accel/entries.ts and registry.ts, in their order) is run beside
 * tfjs and kept on only where this GPU and browser give the same answers; a failure turns it off and
 * says why in the status line.
 *
 * They cost seconds on a software adapter (SwiftShader on a 2-core EPYC: ~4 s, and ~6 s more for the
 * step replay's training run), and a page starts a worker per run and per prediction, while the
 * 'auto' backend starts webgpu twice in one worker. So a pass is remembered: in the worker, and in
 * the page, which hands the passes a worker reported (`BackendReport.checks`) to the next one it
 * starts. A pass is reused only for the same backend, adapter, tfjs version and the studio's
 * `HPA_*` flags; its speed-up is then switched on as the check would have left it (the entry's
 * adopt). A failure is not remembered: that check runs again at the next start, and its fallback is
 * set up again.
 */
import * as tf from '@tensorflow/tfjs';
import { accelFlagSettings } from '../accel/flags';
import { skipCheck, startChecksFor } from '../accel/registry';
import type { AdapterInfo, StartChecks, TrainingBackend } from './protocol';

/** Passes known to this worker: its own, and those its page handed over. */
const known: StartChecks = {};

/** Adds passes reported by other workers of the page (from the init message). */
export function rememberChecks(passes: StartChecks | undefined): void {
  if (passes) Object.assign(known, passes);
}

/** Every pass this worker knows, for its BackendReport. */
export const knownChecks = (): StartChecks => ({ ...known });

/** What a pass depends on: the backend, the adapter, tfjs, and the studio's flags as set now. */
function scope(backend: TrainingBackend, adapter: AdapterInfo | null): string {
  const flags = accelFlagSettings();
  const gpu =
    backend === 'webgpu' && adapter
      ? [adapter.vendor, adapter.architecture, adapter.device, adapter.description, adapter.fallback ? 'fallback' : ''].join('/')
      : '';
  return [backend, `tfjs ${tf.version.tfjs}`, gpu, ...flags].join(' | ');
}

/** What a start's checks came to: the status words, and how many checks there were and were reused. */
export interface StartCheckResult {
  /** the status words, each after a '; ', in the order the checks run */
  words: string;
  /** the checks this backend has */
  checks: number;
  /** of them, passes of an earlier start on this page, not rerun */
  reused: number;
}

/** Runs (or reuses) the start checks of the backend tfjs has just started. */
export async function runStartChecks(backend: TrainingBackend, adapter: AdapterInfo | null, o: { checkStepReplay?: boolean } = {}): Promise<StartCheckResult> {
  const where = scope(backend, adapter);
  let words = '';
  let reused = 0;
  // a caller that will not replay (a bench job timing tfjs-built steps): no check, and no replay
  const skipped = backend === 'webgpu' && o.checkStepReplay === false ? 'step replay' : null;
  const checks = startChecksFor({ backend, softwareAdapter: adapter?.fallback === true }).filter((c) => c.id !== skipped);
  for (const c of checks) {
    const key = `${where} | ${c.id}`;
    const pass = known[key];
    if (pass !== undefined) {
      c.adopt();
      words += `; ${pass}`;
      reused++;
      continue;
    }
    const why = await c.run();
    if (why === null) {
      known[key] = c.passed();
      words += `; ${known[key]}`;
    } else {
      const said = c.failed(why);
      if (said) words += `; ${said}`;
    }
  }
  if (skipped) words += `; ${skipCheck(skipped)}`;
  if (reused) words += `; ${reused === checks.length ? 'all' : `${reused} of`} ${checks.length} checks passed at an earlier start on this page, not rerun`;
  return { words, checks: checks.length, reused };
}
