import { useRef } from 'react';

/**
 * The value of the last render whose `key` was the same: derived data rebuilt on every change of
 * the lesson (a new object each epoch) keeps its identity while its content is unchanged, so the
 * memoised charts and tables below it skip their redraw.
 */
export function useStable<T>(value: T, key: string): T {
  const ref = useRef<{ key: string; value: T } | null>(null);
  if (!ref.current || ref.current.key !== key) ref.current = { key, value };
  return ref.current.value;
}
