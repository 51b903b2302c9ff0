import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = join(__dirname, '../../bin/hpa-studio.mjs');
const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });

describe('hpa-studio CLI', () => {
  it('--help lists the commands and exits 0', () => {
    const r = run('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Usage: hpa-studio <command>/);
    expect(r.stdout).toMatch(/backend-info/);
  });

  it('an unknown command exits 2 with a message naming it', () => {
    const r = run('frobnicate');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown command 'frobnicate'/);
  });

  it('a bad flag exits 2 and points at --help', () => {
    const r = run('backend-info', '--nope');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--nope/);
    expect(r.stderr).toMatch(/backend-info --help/);
  });

  it('backend-info --json reports the active backend and a training check whose loss falls', () => {
    const out = execFileSync(process.execPath, [BIN, 'backend-info', '--json'], { encoding: 'utf8' });
    const report = JSON.parse(out);
    expect(report.active).toBe('wasm'); // the CLI trains on wasm, cpu being the fallback
    expect(report.backends.find((b: { name: string }) => b.name === 'wasm').available).toBe(true);
    expect(report.backends.find((b: { name: string }) => b.name === 'cpu').available).toBe(true);
    expect(report.check.losses.at(-1)).toBeLessThan(report.check.losses[0]);
  });
});
