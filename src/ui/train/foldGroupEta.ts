/**
 * The ETA of a K-fold run group: the fold in flight's own ETA (its windowed estimate, src/core/eta.ts)
 * plus, for each fold still waiting, the mean time of the folds done, or, before any is done, the
 * time the fold in flight will have taken. Every fold trains the same recipe on nearly the same
 * number of images, so a finished fold is the best evidence for the next.
 */
import type { FoldMemberStatus } from '../../data/catalog';

export interface GroupEtaInput {
  members: readonly { status: FoldMemberStatus; seconds: number | null }[];
  /** the fold in flight: seconds since it started, and its own ETA (null while it is estimating) */
  current: { elapsed: number; eta: number | null } | null;
}

/** Seconds left for the whole group, or null while there is no evidence yet. */
export function groupEta({ members, current }: GroupEtaInput): number | null {
  const done = members.filter((m) => m.status === 'done' && m.seconds !== null).map((m) => m.seconds!);
  const waiting = members.filter((m) => m.status === 'pending').length;
  const perDone = done.length ? done.reduce((a, b) => a + b, 0) / done.length : null;
  let left: number;
  if (!current) left = 0;
  else if (current.eta !== null) left = current.eta;
  else if (perDone !== null) left = Math.max(0, perDone - current.elapsed);
  else return null;
  if (!waiting) return left;
  const perFold = perDone ?? (current && current.eta !== null ? current.elapsed + current.eta : null);
  return perFold === null ? null : left + waiting * perFold;
}
