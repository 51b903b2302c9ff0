import { useState } from 'react';
import { useStudio } from './store';
import { WASM_MAX_THREADS, type AdapterInfo, type BackendChoice } from '../worker/protocol';

const CHOICES: { value: BackendChoice; label: string }[] = [
  { value: 'auto', label: 'Auto (measured per model: webgpu, webgl, wasm)' },
  { value: 'webgpu', label: 'WebGPU' },
  { value: 'webgl', label: 'WebGL' },
  { value: 'wasm', label: 'WASM (CPU, SIMD)' },
  { value: 'cpu', label: 'CPU (slow)' },
];

/** tfjs runs wasm on at most half the logical cores (and 8): more cannot be asked for. */
function maxWasmThreads(): number {
  return Math.max(1, Math.min(WASM_MAX_THREADS, Math.floor((navigator.hardwareConcurrency || 1) / 2)));
}

function adapterWords(adapter: AdapterInfo | null | undefined): string {
  if (adapter === undefined) return 'starting…';
  if (adapter === null) return 'no WebGPU adapter';
  return `${[adapter.vendor, adapter.architecture].filter(Boolean).join(' ') || 'unknown'}${adapter.fallback ? ' (software fallback)' : ''}`;
}

/**
 * The bottom bar, one line: which backend trains, on which adapter, and what the worker is doing;
 * why (each backend's attempt, the start checks), the training check of the backend in use and the
 * settings are a click away (Details).
 */
export function StatusBar() {
  const [open, setOpen] = useState(false);
  const backend = useStudio((s) => s.backend);
  const adapter = useStudio((s) => s.adapter);
  const probes = useStudio((s) => s.probes);
  const checking = useStudio((s) => s.checking);
  const error = useStudio((s) => s.workerError);
  const training = useStudio((s) => s.live !== null && s.live.phase !== 'ended');
  const measuring = useStudio((s) => s.live !== null && s.live.phase === 'loading' && (s.live.loading?.note.startsWith('measuring') ?? false));
  const choice = useStudio((s) => s.backendChoice);
  const setChoice = useStudio((s) => s.setBackendChoice);
  const wasmThreads = useStudio((s) => s.wasmThreads);
  const setWasmThreads = useStudio((s) => s.setWasmThreads);
  const used = backend?.attempts.find((a) => a.used);
  const active = backend?.active ?? null;
  const check = active ? probes[active] : undefined;
  const state =
    error || (backend && !active) ? 'error' : measuring ? 'measuring' : training ? 'training' : !backend ? 'starting…' : checking ? 'checking' : 'ready';
  return (
    <footer className="status-bar" role="status" aria-label="Backend status">
      <div className="status-line">
        <span data-testid="backend-active">
          Backend: <strong>{backend ? (backend.active ?? 'none') : 'starting…'}</strong>
        </span>
        <span data-testid="backend-adapter" className="status-adapter">
          Adapter: {adapterWords(backend ? backend.adapter : adapter)}
        </span>
        <span data-testid="backend-state" className={`status-state status-${state === 'starting…' ? 'starting' : state}`}>
          {state}
        </span>
        {error && (
          <span className="status-error" data-testid="worker-error" title={error}>
            {error}
          </span>
        )}
        <button
          type="button"
          className="status-details-toggle"
          aria-expanded={open}
          aria-controls="status-details"
          data-testid="backend-details"
          onClick={() => setOpen(!open)}
        >
          Details
        </button>
      </div>
      <div id="status-details" className="status-details" hidden={!open} data-testid="status-details">
        <div data-testid="backend-reason">
          {backend
            ? backend.attempts
                .filter((a) => !a.used && !a.reason.startsWith('not needed'))
                .map((a) => `${a.backend} not used: ${a.reason}`)
                .concat(used ? [`${used.backend}: ${used.reason}`] : [])
                .join(' · ')
            : 'the worker is starting its backend…'}
        </div>
        <div data-testid="backend-check">
          {check
            ? `Training check: ${check.steps} steps on ${check.backend}, loss ${check.losses[0].toFixed(3)} → ${check.losses[check.losses.length - 1].toFixed(3)}, ${check.imagesPerSecond.toFixed(1)} img/s`
            : active && checking
              ? 'Training check: running…'
              : active
                ? `Training check: not run on ${active} in this page (a run's worker trains at once: its own steps show whether ${active} trains)`
                : ''}
        </div>
        {backend?.wasmThreads !== undefined && (
          <div data-testid="backend-threads">{backend.wasmThreads > 1 ? `wasm threads: on (${backend.wasmThreads})` : 'wasm threads: off (1)'}</div>
        )}
        {backend && <div className="hint">tfjs {backend.tfjsVersion}</div>}
        <div className="status-settings">
          <label>
            Backend setting{' '}
            <select aria-label="Backend setting" value={choice} onChange={(e) => setChoice(e.target.value as BackendChoice)}>
              {CHOICES.map((c) => (
                <option key={c.value} value={c.value}>
                  {c.label}
                </option>
              ))}
            </select>
          </label>
          <label>
            wasm threads{' '}
            <select aria-label="wasm threads" value={wasmThreads} onChange={(e) => setWasmThreads(Number(e.target.value))}>
              <option value={0}>auto (half the logical cores, ≤ {WASM_MAX_THREADS})</option>
              {Array.from({ length: maxWasmThreads() }, (_, i) => i + 1).map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </label>
        </div>
      </div>
    </footer>
  );
}
