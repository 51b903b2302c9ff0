/**
 * The page's memory of its workers' start-check passes (src/worker/startChecks.ts): every
 * worker's backend report brings the passes it knows, and every worker the page starts gets them,
 * so a check that passed at one start is not rerun at the next (seconds on a software adapter).
 * Kept for the page's life only: a reload, a new browser or a new build checks afresh.
 */
import type { StartChecks } from '../worker/protocol';

let passes: StartChecks = {};

/** Adds the passes of a worker's backend report. */
export function rememberStartChecks(checks: StartChecks | undefined): void {
  if (checks) passes = { ...passes, ...checks };
}

/** The passes to hand to a worker being started. */
export const startCheckPasses = (): StartChecks => passes;
