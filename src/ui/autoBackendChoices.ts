/**
 * The page's memory of its *Auto* backend choices (src/core/backendChoice.ts), in localStorage: a
 * run whose adapter, model, input size, batch and wasm threads were measured before trains on the
 * backend measured then, without a probe (the training worker is given the list: TrainRequest.autoChoices).
 */
import { fastest, rememberChoice, type AutoChoice } from '../core/backendChoice';
import type { AutoBackendOutcome } from '../worker/protocol';

const KEY = 'hpa-studio.autoChoice';

export function readAutoChoices(): AutoChoice[] {
  try {
    const saved = typeof localStorage !== 'undefined' ? localStorage.getItem(KEY) : null;
    const list: unknown = saved ? JSON.parse(saved) : [];
    return Array.isArray(list) ? (list as AutoChoice[]) : [];
  } catch {
    return [];
  }
}

/** Keeps a run's freshly measured choice (a remembered one, or a probe that measured nothing, is not saved again). */
export function saveAutoOutcome(outcome: AutoBackendOutcome | null): void {
  if (!outcome || outcome.remembered || !fastest(outcome.choice.figures)) return;
  try {
    localStorage.setItem(KEY, JSON.stringify(rememberChoice(readAutoChoices(), outcome.choice)));
  } catch {
    // storage full or refused: the next run measures again
  }
}
