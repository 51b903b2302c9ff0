/**
 * Learnability floor of the synthetic data: can a class be read off the mean intensity of each
 * channel? Generates samples (default 2,000 at 128 px, seed 1) or reads a dataset zip's train split,
 * writes per-sample features and labels to a CSV, and runs scripts/learnability-floor.py
 * (/usr/bin/python3 with scikit-learn) on it: a one-vs-rest logistic regression, held-out macro F1.
 *
 *   npx tsx scripts/learnability-floor.ts [--samples 2000] [--size 128] [--seed 1] [--zip data.zip] [--csv out.csv]
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type FileEntry, Uint8ArrayReader, Uint8ArrayWriter, ZipReader } from '@zip.js/zip.js';
import { decode } from 'fast-png';
import { parseLabelCsv } from '../src/core/csv';
import { NUM_CLASSES } from '../src/core/labels';
import { planDataset, renderSample, type SampleChannels } from '../src/synth/index';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    samples: { type: 'string', default: '2000' },
    size: { type: 'string', default: '128' },
    seed: { type: 'string', default: '1' },
    zip: { type: 'string' },
    csv: { type: 'string', default: join(tmpdir(), 'hpa-learnability-floor.csv') },
  },
});

function stats(a: Uint8Array) {
  let m = 0;
  for (const v of a) m += v;
  m /= a.length;
  let s = 0;
  for (const v of a) s += (v - m) ** 2;
  return { mean: m, std: Math.sqrt(s / a.length) };
}

function corr(a: Uint8Array, b: Uint8Array): number {
  const sa = stats(a);
  const sb = stats(b);
  let c = 0;
  for (let i = 0; i < a.length; i++) c += (a[i] - sa.mean) * (b[i] - sb.mean);
  return c / a.length / (sa.std * sb.std + 1e-9);
}

/** Mean absolute 4-neighbour Laplacian of green over its std: fine texture (dots, lines) vs smooth fills. */
function texture(g: Uint8Array, n: number): number {
  let e = 0;
  for (let y = 1; y < n - 1; y++)
    for (let x = 1; x < n - 1; x++) {
      const p = y * n + x;
      e += Math.abs(4 * g[p] - g[p - 1] - g[p + 1] - g[p - n] - g[p + n]);
    }
  return e / ((n - 2) * (n - 2)) / (stats(g).std + 1e-9);
}

function features(s: SampleChannels, n: number): number[] {
  const ch = [s.red, s.green, s.blue, s.yellow].map(stats);
  return [...ch.map((c) => c.mean), ...ch.map((c) => c.std), corr(s.green, s.blue), corr(s.green, s.red), corr(s.green, s.yellow), texture(s.green, n)];
}

const header = ['Id', 'f_red', 'f_green', 'f_blue', 'f_yellow', 's_std_r', 's_std_g', 's_std_b', 's_std_y', 's_corr_gb', 's_corr_gr', 's_corr_gy', 's_tex_g'];
for (let c = 0; c < NUM_CLASSES; c++) header.push(`y${c}`);
const rows: string[] = [header.join(',')];
const row = (id: string, f: number[], labels: number[]) => {
  const y = new Array(NUM_CLASSES).fill(0);
  for (const c of labels) y[c] = 1;
  rows.push([id, ...f.map((v) => v.toFixed(5)), ...y].join(','));
};

const t0 = performance.now();
let source: string;
if (values.zip) {
  const reader = new ZipReader(new Uint8ArrayReader(readFileSync(values.zip)), { useWebWorkers: false });
  const entries = new Map((await reader.getEntries()).map((e) => [e.filename, e as FileEntry]));
  const read = async (name: string) => {
    const e = entries.get(name);
    if (!e) throw new Error(`${values.zip}: no entry ${name}`);
    return e.getData(new Uint8ArrayWriter());
  };
  const train = parseLabelCsv(new TextDecoder().decode(await read('train.csv')));
  for (const r of train) {
    const ch = {} as SampleChannels;
    let n = 0;
    for (const c of ['red', 'green', 'blue', 'yellow'] as const) {
      const img = decode(await read(`train/${r.id}_${c}.png`));
      ch[c] = img.data as Uint8Array;
      n = img.width;
    }
    row(r.id, features(ch, n), r.labels);
  }
  await reader.close();
  source = `${values.zip} (train split, ${train.length} samples)`;
} else {
  const size = Number(values.size);
  const seed = Number(values.seed);
  const plan = planDataset({ train: Number(values.samples), test: 0, size, seed });
  for (const s of plan.train) row(s.id, features(renderSample({ ...s, size, seed }), size), s.labels);
  source = `${plan.train.length} generated samples at ${size} px, seed ${seed}`;
}
writeFileSync(values.csv, rows.join('\n') + '\n');
console.log(`${source}: features in ${((performance.now() - t0) / 1000).toFixed(1)} s → ${values.csv}`);
const out = execFileSync('/usr/bin/python3', [join(root, 'scripts/learnability-floor.py'), values.csv], { encoding: 'utf8' });
process.stdout.write(out);
