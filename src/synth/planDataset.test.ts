import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KAGGLE_TRAIN_CSV } from '../../fixtures/kaggle/kaggleFiles';
import { parseLabelCsv } from '../core/csv';
import { NUM_CLASSES } from '../core/labels';
import { LABEL_SETS, LABEL_SET_IMAGES } from './labelSets';
import { CAP_DOMINANT_KEEP, planDataset } from './planDataset';

// The real competition labels (a vendored fixture).
const realRows = parseLabelCsv(readFileSync(KAGGLE_TRAIN_CSV, 'utf8'));
const key = (labels: readonly number[]) => [...labels].sort((a, b) => a - b).join(' ');
const realSets = new Map<string, number>();
for (const r of realRows) realSets.set(key(r.labels), (realSets.get(key(r.labels)) ?? 0) + 1);

/** Class prevalence and the (0, 25) co-occurrence among rows, each row weighted. */
function prevalence(rows: { labels: readonly number[] }[], weight: (labels: readonly number[]) => number = () => 1) {
  const byClass = new Array(NUM_CLASSES).fill(0);
  let both = 0;
  let total = 0;
  for (const r of rows) {
    const w = weight(r.labels);
    total += w;
    for (const c of r.labels) byClass[c] += w;
    if (r.labels.includes(0) && r.labels.includes(25)) both += w;
  }
  return { byClass: byClass.map((v) => v / total), both: both / total };
}

/**
 * Sampling tolerance for a prevalence p estimated from n independent samples: 4 binomial standard
 * deviations (a correct sampler exceeds it for one of 29 checks with probability ≈ 0.2 %) plus 0.002
 * absolute slack for the rare classes, where the normal approximation is poor. A sampler that ignored
 * the real counts (e.g. uniform over the 577 sets) misses class 0 by more than 20 points.
 */
const tolerance = (p: number, n: number) => 4 * Math.sqrt((p * (1 - p)) / n) + 0.002;

describe('planDataset', () => {
  it('the committed label sets are exactly those of the real train.csv, with their counts', () => {
    expect(LABEL_SET_IMAGES).toBe(realRows.length);
    expect(LABEL_SETS.length).toBe(realSets.size);
    for (const [labels, n] of LABEL_SETS) expect(realSets.get(key(labels)), key(labels)).toBe(n);
  });

  it('gives the same plan for the same options and a different one for another seed', () => {
    const a = planDataset({ train: 50, test: 20, size: 64, seed: 11 });
    expect(planDataset({ train: 50, test: 20, size: 64, seed: 11 })).toEqual(a);
    const b = planDataset({ train: 50, test: 20, size: 64, seed: 12 });
    expect(b.train.map((s) => s.id)).not.toEqual(a.train.map((s) => s.id));
    // the image size does not change which samples there are
    expect(planDataset({ train: 50, test: 20, size: 128, seed: 11 })).toEqual(a);
  });

  it('makes unique UUID-shaped ids, each split sorted, every sample with a real label set', () => {
    const plan = planDataset({ train: 400, test: 150, size: 32, seed: 3 });
    expect(plan.train).toHaveLength(400);
    expect(plan.test).toHaveLength(150);
    const all = [...plan.train, ...plan.test];
    expect(new Set(all.map((s) => s.id)).size).toBe(all.length);
    for (const s of all) {
      expect(s.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(s.labels.length).toBeGreaterThan(0);
      expect(s.labels).toEqual([...s.labels].sort((a, b) => a - b));
      expect(realSets.has(key(s.labels)), key(s.labels)).toBe(true);
    }
    for (const split of [plan.train, plan.test]) expect(split.map((s) => s.id)).toEqual(split.map((s) => s.id).sort());
  });

  it('matches the real class prevalence and co-occurrence over 5,000 samples', () => {
    const n = 5000;
    const plan = planDataset({ train: n, test: 0, size: 16, seed: 2024 });
    const real = prevalence(realRows);
    const got = prevalence(plan.train);
    for (let c = 0; c < NUM_CLASSES; c++) expect(Math.abs(got.byClass[c] - real.byClass[c]), `class ${c}`).toBeLessThanOrEqual(tolerance(real.byClass[c], n));
    expect(Math.abs(got.both - real.both)).toBeLessThanOrEqual(tolerance(real.both, n));
    // every label set comes from the real file, so co-occurrence is real; mean labels per image ≈ 1.634
    const mean = plan.train.reduce((s, r) => s + r.labels.length, 0) / n;
    expect(Math.abs(mean - 50782 / 31072)).toBeLessThan(0.04);
  });

  it('capDominant keeps sets with class 0 or 25 one time in four, as documented', () => {
    const n = 5000;
    const plan = planDataset({ train: n, test: 0, size: 16, seed: 99, capDominant: true });
    const expected = prevalence(realRows, (l) => (l.includes(0) || l.includes(25) ? CAP_DOMINANT_KEEP : 1));
    const got = prevalence(plan.train);
    for (let c = 0; c < NUM_CLASSES; c++)
      expect(Math.abs(got.byClass[c] - expected.byClass[c]), `class ${c}`).toBeLessThanOrEqual(tolerance(expected.byClass[c], n));
    expect(got.byClass[0]).toBeLessThan(0.2);
    expect(got.byClass[25]).toBeLessThan(0.14);
    for (const s of plan.train) expect(realSets.has(key(s.labels))).toBe(true);
  });

  it('rejects invalid options, naming the option', () => {
    expect(() => planDataset({ train: -1, test: 0, size: 64, seed: 1 })).toThrow(/train/);
    expect(() => planDataset({ train: 1, test: 1.5, size: 64, seed: 1 })).toThrow(/test/);
    expect(() => planDataset({ train: 1, test: 1, size: 15, seed: 1 })).toThrow(/size/);
    expect(() => planDataset({ train: 1, test: 1, size: 513, seed: 1 })).toThrow(/size/);
    expect(() => planDataset({ train: 1, test: 1, size: 64, seed: 0.5 })).toThrow(/seed/);
  });
});
