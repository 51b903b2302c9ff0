/**
 * The bench's child processes: each measurement runs in its own process, so a slow one can be cut
 * off by a timeout and one backend's state never leaks into the next. Each prints one JSON line.
 */
import { spawn } from 'node:child_process';

const PY = '/usr/bin/python3';

export function runChild(args: string[], timeoutMs: number): Promise<{ ok: boolean; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(args[0], args.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '',
      err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('exit', (code) => {
      clearTimeout(t);
      resolve({ ok: code === 0, out, err: code === null ? `killed after ${Math.round(timeoutMs / 1000)} s` : err.trim().split('\n').slice(-3).join(' ') });
    });
  });
}

/** bench/torch_ref.py with these arguments (Debian's /usr/bin/python3: torch CPU, torchvision, PIL). */
export async function torch<T>(args: string[], timeoutMs = 300_000): Promise<T | { error: string }> {
  const r = await runChild([PY, 'bench/torch_ref.py', ...args], timeoutMs);
  if (!r.ok) return { error: r.err };
  return JSON.parse(r.out.trim().split('\n').at(-1)!) as T;
}

/** One Node measurement (bench/node/child.ts). */
export async function nodeJob<T>(job: Record<string, unknown>, timeoutMs: number): Promise<T | { error: string }> {
  const r = await runChild([process.execPath, '--import', 'tsx', 'bench/node/child.ts', JSON.stringify(job)], timeoutMs);
  if (!r.ok) return { error: r.err };
  return JSON.parse(r.out.trim().split('\n').at(-1)!) as T;
}

export const isErr = (x: unknown): x is { error: string } => typeof x === 'object' && x !== null && 'error' in x;
/** ms as seconds, two decimals under 10 s */
export const s1 = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 0)} s`;
