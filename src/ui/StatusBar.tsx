import { useStudio } from './store';
import { WASM_MAX_THREADS, type BackendChoice } from '../worker/protocol';

const CHOICES: { value: BackendChoice; label: string }[] = [
  { value: 'auto', label: 'Auto (webgpu → webgl → wasm → cpu)' },
  { value: 'webgpu', label: 'WebGPU' },
  { value: 'webgl', label: 'WebGL' },
  { value: 'wasm', label: 'WASM (CPU, SIMD)' },
  { value: 'cpu', label: 'CPU (slow)' },
];

/** tfjs runs wasm on at most half the logical cores (and 8): more cannot be asked for. */
function maxWasmThreads(): number {
  return Math.max(1, Math.min(WASM_MAX_THREADS, Math.floor((navigator.hardwareConcurrency || 1) / 2)));
}

/** The bottom bar: which backend trains, on which adapter, and why. */
export function StatusBar() {
  const backend = useStudio((s) => s.backend);
  const probe = useStudio((s) => s.probe);
  const error = useStudio((s) => s.workerError);
  const choice = useStudio((s) => s.backendChoice);
  const setChoice = useStudio((s) => s.setBackendChoice);
  const wasmThreads = useStudio((s) => s.wasmThreads);
  const setWasmThreads = useStudio((s) => s.setWasmThreads);
  const used = backend?.attempts.find((a) => a.used);
  const adapter = backend?.adapter;
  return (
    <footer className="status-bar" role="status" aria-label="Backend status">
      <span data-testid="backend-active">
        Backend: <strong>{backend ? (backend.active ?? 'none') : 'starting…'}</strong>
      </span>
      {backend?.wasmThreads !== undefined && (
        <span data-testid="backend-threads">{backend.wasmThreads > 1 ? `wasm threads: on (${backend.wasmThreads})` : 'wasm threads: off (1)'}</span>
      )}
      <span data-testid="backend-adapter">
        Adapter:{' '}
        {adapter
          ? `${[adapter.vendor, adapter.architecture].filter(Boolean).join(' ') || 'unknown'}${adapter.fallback ? ' (software fallback)' : ''}`
          : 'no WebGPU adapter'}
      </span>
      <span data-testid="backend-reason" title={backend?.attempts.map((a) => `${a.backend}: ${a.reason}`).join('\n')}>
        {backend
          ? backend.attempts
              .filter((a) => !a.used && !a.reason.startsWith('not needed'))
              .map((a) => `${a.backend} not used: ${a.reason}`)
              .concat(used ? [`${used.backend}: ${used.reason}`] : [])
              .join(' · ')
          : ''}
      </span>
      <span data-testid="backend-check">
        {probe
          ? `Training check: ${probe.steps} steps on ${probe.backend}, loss ${probe.losses[0].toFixed(3)} → ${probe.losses[probe.losses.length - 1].toFixed(3)}, ${probe.imagesPerSecond.toFixed(1)} img/s`
          : backend?.active
            ? 'Training check: running…'
            : ''}
      </span>
      {error && (
        <span className="status-error" data-testid="worker-error">
          {error}
        </span>
      )}
      <label className="status-setting">
        Backend setting{' '}
        <select aria-label="Backend setting" value={choice} onChange={(e) => setChoice(e.target.value as BackendChoice)}>
          {CHOICES.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
        </select>
      </label>
      <label className="status-setting">
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
    </footer>
  );
}
