/**
 * The consistency check at start (src/data/consistency.ts, in its own worker), once per page
 * load: when it repaired something left by an unclean exit (a killed tab, a crash mid-write) a short
 * notice says what; when all was well nothing shows. Its state is in `data-state` ('checking',
 * 'clean', 'repaired', 'failed') for whoever needs to know the check has run.
 */
import { useEffect, useState } from 'react';
import type { ConsistencyReport } from '../worker/protocol';
import { useStudio } from './store';
import { consistencyWorker } from './workerClient';

let check: Promise<ConsistencyReport> | null = null;

function runCheck(): Promise<ConsistencyReport> {
  check ??= new Promise((resolve, reject) => {
    const client = consistencyWorker();
    client.start(
      (msg) => {
        client.stop();
        if (msg.type === 'report') resolve(msg.report);
        else reject(new Error(msg.message));
      },
      (message) => {
        client.stop();
        reject(new Error(message));
      },
    );
    client.post({ type: 'check' });
  });
  return check;
}

type State = { kind: 'checking' } | { kind: 'clean' } | { kind: 'repaired'; repairs: string[] } | { kind: 'failed'; message: string };

export function ConsistencyNotice() {
  const refreshDatasets = useStudio((s) => s.refreshDatasets);
  const refreshRuns = useStudio((s) => s.refreshRuns);
  const [state, setState] = useState<State>({ kind: 'checking' });
  const [dismissed, setDismissed] = useState(false);
  useEffect(() => {
    let live = true;
    runCheck().then(
      async (report) => {
        if (report.repairs.length) await Promise.all([refreshDatasets(), refreshRuns()]);
        if (live) setState(report.repairs.length ? { kind: 'repaired', repairs: report.repairs } : { kind: 'clean' });
      },
      (e: Error) => live && setState({ kind: 'failed', message: e.message }),
    );
    return () => {
      live = false;
    };
  }, [refreshDatasets, refreshRuns]);
  const shown = (state.kind === 'repaired' || state.kind === 'failed') && !dismissed;
  return (
    <div className="consistency-notice" data-testid="consistency-check" data-state={state.kind} role={shown ? 'status' : undefined} hidden={!shown}>
      {state.kind === 'repaired' && <span data-testid="consistency-repairs">Repaired after an unclean exit: {state.repairs.join('; ')}.</span>}
      {state.kind === 'failed' && <span>The storage check at start failed ({state.message}); datasets and runs are shown as stored.</span>}{' '}
      <button onClick={() => setDismissed(true)}>Dismiss</button>
    </div>
  );
}
