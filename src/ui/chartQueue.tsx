/**
 * One chart redraw per slot. When an epoch ends, five charts change at once, and drawn in one
 * render they make one long task. Charts take their data through `useQueuedValue`, which hands new values
 * over one chart at a time, a frame or more apart, so the main thread never blocks for long.
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';

const SLOT_MS = 60;
const queue: (() => void)[] = [];
let timer: ReturnType<typeof setTimeout> | null = null;

function pump(): void {
  const job = queue.shift();
  if (!job) {
    timer = null;
    return;
  }
  job();
  timer = setTimeout(pump, SLOT_MS);
}

export function useQueuedValue<T>(value: T): T {
  const [shown, setShown] = useState(value);
  const latest = useRef(value);
  latest.current = value;
  useEffect(() => {
    if (Object.is(value, shown)) return;
    let queued = true;
    queue.push(() => {
      if (queued) setShown(() => latest.current);
    });
    timer ??= setTimeout(pump, 0);
    return () => {
      queued = false;
    };
  }, [value, shown]);
  return shown;
}

/** Mounts a heavy part (a chart, a large table) only when its turn in the queue comes: a first draw is the costliest. */
export function ChartSlot({ minHeight, children }: { minHeight: number; children: ReactNode }) {
  const [ready, setReady] = useState(false);
  useEffect(() => {
    let queued = true;
    queue.push(() => {
      if (queued) setReady(true);
    });
    timer ??= setTimeout(pump, 0);
    return () => {
      queued = false;
    };
  }, []);
  return ready ? <>{children}</> : <div style={{ minHeight }} aria-busy="true" />;
}
