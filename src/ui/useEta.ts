import { useState } from 'react';
import { emptyEta, updateEta, windowRate, type Eta } from '../core/eta';

/**
 * The windowed rate and ETA (src/core/eta.ts) of a job whose progress reaches this component as
 * `done` of `total` at `tMs` (any clock that goes forward within the job); `job` names the job, and
 * a new one starts afresh. Null while estimating.
 */
export function useEta(job: string | null, done: number | null, total: number, tMs: number): { perSecond: number | null; seconds: number | null } {
  const [state, setState] = useState<{ job: string | null; eta: Eta }>({ job, eta: emptyEta });
  let current = state.job === job ? state.eta : emptyEta;
  if (done !== null) current = updateEta(current, done, total, tMs);
  // a report this component has not seen yet: keep it (React re-renders at once, and the same report then changes nothing)
  if (current !== state.eta || state.job !== job) setState({ job, eta: current });
  return { perSecond: windowRate(current.window), seconds: current.seconds };
}
