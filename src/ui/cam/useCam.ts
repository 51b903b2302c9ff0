import { useCallback, useEffect, useRef, useState } from 'react';
import type { FromPredictWorker } from '../../worker/protocol';
import { CamSession, type CamWant } from './camSession';

export type CamResult = Extract<FromPredictWorker, { type: 'cam-result' }>;

export interface CamState {
  status: 'idle' | 'computing' | 'done' | 'error' | 'cancelled';
  /** the newest map that arrived for a request of this viewer (it may be for an earlier sample or class while the next computes) */
  result: CamResult | null;
  message: string | null;
  /** the backend the worker runs on, once it said */
  backend: string | null;
}

/** Quiet time before a request goes out: holding ← or → through samples asks only for the one it stops at. */
export const CAM_DEBOUNCE_MS = 150;

/**
 * The class activation map for `want` (null: none), from a worker this hook keeps while it is
 * mounted. A change of `want` asks again after a short quiet time; an answer to an earlier
 * request is dropped by its job id. `cancel` ends the worker; `retry` asks again.
 */
export function useCam(want: CamWant | null): CamState & { cancel: () => void; retry: () => void } {
  const session = useRef<CamSession | null>(null);
  const job = useRef<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const [state, setState] = useState<CamState>({ status: 'idle', result: null, message: null, backend: null });
  const [attempt, setAttempt] = useState(0);
  const key = want ? JSON.stringify(want) : null;

  useEffect(() => () => session.current?.stop(), []);

  useEffect(() => {
    if (key === null) {
      job.current = null;
      setState((s) => ({ ...s, status: 'idle', message: null }));
      return;
    }
    const request = JSON.parse(key) as CamWant;
    job.current = null;
    setState((s) => ({ ...s, status: 'computing', message: null }));
    timer.current = setTimeout(() => {
      session.current ??= new CamSession();
      job.current = session.current.request(request, (msg) => {
        if (msg.type === 'backend') {
          setState((s) => ({ ...s, backend: msg.report.active }));
          return;
        }
        if (!('jobId' in msg) || msg.jobId !== job.current) return;
        if (msg.type === 'cam-result') setState((s) => ({ ...s, status: 'done', result: msg, message: null }));
        else if (msg.type === 'failed') setState((s) => ({ ...s, status: 'error', message: msg.message }));
      });
    }, CAM_DEBOUNCE_MS);
    return () => {
      if (timer.current !== null) clearTimeout(timer.current);
    };
  }, [key, attempt]);

  const cancel = useCallback(() => {
    if (timer.current !== null) clearTimeout(timer.current);
    job.current = null;
    session.current?.stop();
    setState((s) => ({ ...s, status: 'cancelled', message: null }));
  }, []);
  const retry = useCallback(() => setAttempt((n) => n + 1), []);
  return { ...state, cancel, retry };
}
