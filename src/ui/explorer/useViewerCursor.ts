import { useCallback, useState } from 'react';

/**
 * Which cell of a sample grid has focus (`active`) and which sample the viewer shows (`open`), with
 * the viewer's ← → stepping, kept in bounds of `count`. The explorer and the error browser use it.
 */
export function useViewerCursor(count: number) {
  const [active, setActive] = useState(-1);
  const [open, setOpen] = useState<number | null>(null);
  const openAt = useCallback((i: number) => {
    setActive(i);
    setOpen(i);
  }, []);
  const step = useCallback(
    (d: number) => {
      if (open === null || !count) return;
      const to = Math.min(count - 1, Math.max(0, open + d));
      setOpen(to);
      setActive(to);
    },
    [open, count],
  );
  const prev = useCallback(() => step(-1), [step]);
  const next = useCallback(() => step(1), [step]);
  const close = useCallback(() => setOpen(null), []);
  /** nothing focused, nothing open (a new filter, class or group) */
  const reset = useCallback(() => {
    setActive(-1);
    setOpen(null);
  }, []);
  return { active, setActive, open, openAt, prev, next, close, reset };
}
