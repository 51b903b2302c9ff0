import { startTransition, useEffect, useState } from 'react';

/**
 * The value once it has stopped changing for `ms` (a debounce, rendered as a transition). The
 * evaluation charts follow the thresholds through this, so dragging a slider re-renders only the
 * macro F1 and the table on every move and redraws the charts when the slider rests.
 */
export function useSettled<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const id = setTimeout(() => startTransition(() => setSettled(() => value)), ms);
    return () => clearTimeout(id);
  }, [value, ms]);
  return settled;
}
