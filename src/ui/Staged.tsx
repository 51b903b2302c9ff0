import { startTransition, useEffect, useState, type ReactNode } from 'react';

/**
 * Mounts its children a few frames after itself, in a transition: a view made of several heavy
 * parts (charts, grids) then commits them in separate short tasks instead of one long one.
 */
export function Staged({ step, minHeight = 0, children }: { step: number; minHeight?: number; children: ReactNode }) {
  const [ready, setReady] = useState(false);
  useEffect(() => {
    const id = setTimeout(() => startTransition(() => setReady(true)), step * 20);
    return () => clearTimeout(id);
  }, [step]);
  return ready ? <>{children}</> : <div style={{ minHeight }} aria-busy="true" />;
}
