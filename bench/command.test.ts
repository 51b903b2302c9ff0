import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BENCH_PARTS, parseOnly } from './lib/parts';
import { markdown, type Machine, type Row } from './lib/report';
import { rates, stat } from './lib/stats';

const BIN = join(__dirname, '../bin/hpa-studio.mjs');

describe('bench', () => {
  it('a figure is the median ± half the range of its runs', () => {
    expect(stat([30, 10, 20, 50])).toMatchObject({ median: 25, spread: 20, min: 10, max: 50, runs: 4 });
    expect(stat([7])).toMatchObject({ median: 7, spread: 0, runs: 1 });
    expect(rates(16, [100, 200])).toEqual([160, 80]);
  });

  it('the table has one row per figure with ours, reference, ratio and runs; skipped figures say why', () => {
    const m: Machine = {
      date: '2026-11-26',
      cpu: 'AMD EPYC',
      cores: 2,
      ramGiB: 24,
      os: 'Debian GNU/Linux 12 (bookworm)',
      node: 'v20.20.2',
      chromium: '156.0',
      tfjs: '4.22.0',
      torch: '1.13',
      loadStart: [1.2, 1, 1],
      loadEnd: [1.4, 1, 1],
    };
    const rows: Row[] = [
      {
        section: 'training',
        what: 'train gapnet-pl 64 px b16 — Node wasm',
        unit: 'img/s',
        ours: stat([100, 120, 110]),
        ref: stat([200, 220]),
        status: 'measured',
        notes: 'n',
      },
      {
        section: 'training',
        what: 'train gapnet-pl 256 px b32 — Chromium webgpu',
        unit: 'img/s',
        ours: null,
        ref: stat([40]),
        status: 'skipped',
        notes: 'skipped (too slow: est. 900 s)',
      },
    ];
    const md = markdown(m, rows, { quick: true, seconds: 100 });
    expect(md).toMatch(/AMD EPYC, 2 cores, 24 GiB RAM/);
    expect(md).toMatch(/load average \(1\/5\/15 min\): 1\.20 \/ 1\.00 \/ 1\.00 at start/);
    expect(md).toMatch(/\| what \| ours \(median ± spread\) \| reference \(median ± spread\) \| ratio \| runs \| notes \|/);
    expect(md).toContain('| train gapnet-pl 64 px b16 — Node wasm | 110 ± 10.0 img/s | 210 ± 10.0 img/s | 0.52 | 3 / 2 | n |');
    expect(md).toContain('| train gapnet-pl 256 px b32 — Chromium webgpu | skipped | 40.0 ± 0 img/s | – | 0 / 1 | skipped (too slow: est. 900 s) |');
  });

  it('a bad --ingest-samples exits 2 naming the flag', () => {
    const r = spawnSync(process.execPath, [BIN, 'bench', '--ingest-samples', 'many'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--ingest-samples must be a whole number/);
  });

  it('--only picks parts in the bench order; every part without it; an unknown part exits 2 naming the flag and the parts', () => {
    expect(parseOnly('transfer')).toEqual(['transfer']);
    expect(parseOnly('gpu-kit, transfer')).toEqual(['transfer', 'gpu-kit']);
    expect(parseOnly(undefined)).toEqual([...BENCH_PARTS]);
    expect(() => parseOnly('transfer,resnet')).toThrow(/unknown: resnet/);
    const r = spawnSync(process.execPath, [BIN, 'bench', '--only', 'resnet'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--only takes a comma-separated list of training, inference, ingest, transfer, gpu-kit/);
  });

  it('a run of some parts says which in its table', () => {
    const m: Machine = {
      date: '2026-12-07',
      cpu: 'AMD EPYC',
      cores: 2,
      ramGiB: 24,
      os: 'Debian',
      node: 'v20',
      chromium: '150',
      tfjs: '4.22.0',
      torch: '1.13',
      loadStart: [1, 1, 1],
      loadEnd: [1, 1, 1],
    };
    expect(markdown(m, [], { quick: true, seconds: 1, parts: ['transfer'] })).toMatch(/parts run \(--only\): transfer; the others are not in this table/);
    expect(markdown(m, [], { quick: true, seconds: 1 })).not.toMatch(/parts run/);
  });
});
