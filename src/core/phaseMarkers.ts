// The phase markers of a run's curves, tfjs-free so that the page's charts and reports can draw them.

/**
 * Where a run's phases begin after its first: the epoch (1-based) that starts each new phase and its
 * name, for the phase markers on the curves. Histories stored before phases were recorded have none.
 */
export function phaseStarts(history: readonly { epoch: number; phase?: number; phaseName?: string }[]): { epoch: number; phaseName: string }[] {
  const starts: { epoch: number; phaseName: string }[] = [];
  for (let i = 1; i < history.length; i++) {
    const h = history[i];
    if (h.phase !== undefined && h.phase !== history[i - 1].phase) starts.push({ epoch: h.epoch, phaseName: h.phaseName ?? `phase ${h.phase + 1}` });
  }
  return starts;
}
