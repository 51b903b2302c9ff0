import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { NUM_CLASSES } from '../core/labels';
import { stratifiedHoldout } from '../core/split';
import { LABEL_SETS } from './labelSets';
import { classCounts, minPerClassOf, planDataset, type SynthOptions } from './planDataset';
import { renderSample } from './renderSample';
import { classesTooRareToScore, demoSynthOptions, MIN_VALIDATION_POSITIVES, TEACHING_DEMO, TEACHING_MIN_PER_CLASS } from './teachingDemo';

const key = (labels: readonly number[]) => labels.join(' ');
const realSets = new Set(LABEL_SETS.map(([labels]) => key(labels)));

describe('the teaching demo: balanced planning', () => {
  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: every class reaches the minimum in train, in a 20 % stratified hold-out and in test; only real label sets`, () => {
      const opts = demoSynthOptions({ ...TEACHING_DEMO, seed, teaching: true });
      expect(opts.minPerClass).toBe(TEACHING_MIN_PER_CLASS);
      const plan = planDataset(opts);
      expect(plan.train).toHaveLength(TEACHING_DEMO.train);
      expect(plan.test).toHaveLength(TEACHING_DEMO.test);
      const min = minPerClassOf(opts);
      expect(min).toEqual({ train: TEACHING_MIN_PER_CLASS, test: Math.ceil((TEACHING_MIN_PER_CLASS * TEACHING_DEMO.test) / TEACHING_DEMO.train) });
      for (const k of classCounts(plan.train)) expect(k).toBeGreaterThanOrEqual(min.train);
      for (const k of classCounts(plan.test)) expect(k).toBeGreaterThanOrEqual(min.test);
      // the studio's and the CLI's default split: a stratified 20 % hold-out seeded like the run
      for (const splitSeed of [1, 7]) {
        const fold = stratifiedHoldout(
          plan.train.map((s) => s.labels),
          0.2,
          splitSeed,
        );
        const val = classCounts(plan.train.filter((_, i) => fold[i] === 0));
        for (let c = 0; c < NUM_CLASSES; c++) expect(val[c], `class ${c}, split seed ${splitSeed}`).toBeGreaterThanOrEqual(MIN_VALIDATION_POSITIVES);
      }
      for (const s of [...plan.train, ...plan.test]) expect(realSets.has(key(s.labels)), key(s.labels)).toBe(true);
      expect(classesTooRareToScore(classCounts(plan.train))).toEqual([]);
    });
  }

  it('is deterministic by seed', () => {
    const opts: SynthOptions = { train: 400, test: 100, size: 64, seed: 5, minPerClass: 15 };
    expect(planDataset(opts)).toEqual(planDataset(opts));
    expect(planDataset({ ...opts, seed: 6 }).train.map((s) => s.labels)).not.toEqual(planDataset(opts).train.map((s) => s.labels));
  });

  it('draws rare classes far more often than the real distribution', () => {
    const real = classCounts(planDataset({ train: 1200, test: 0, size: 64, seed: 1, capDominant: true }).train);
    const balanced = classCounts(planDataset({ train: 1200, test: 0, size: 64, seed: 1, capDominant: true, minPerClass: 60 }).train);
    for (const c of [8, 9, 10, 15, 27]) {
      expect(real[c], `class ${c}`).toBeLessThan(10);
      expect(balanced[c], `class ${c}`).toBeGreaterThanOrEqual(60);
    }
  });

  it('a split too small for the minimum comes out as even as it can, without failing', () => {
    const plan = planDataset({ train: 100, test: 0, size: 32, seed: 1, minPerClass: 60 });
    const counts = classCounts(plan.train);
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(4);
    expect(classesTooRareToScore(counts).length).toBeGreaterThan(0);
    expect(() => planDataset({ train: 10, test: 0, size: 32, seed: 1, minPerClass: -1 })).toThrow(/minPerClass/);
    expect(() => planDataset({ train: 10, test: 0, size: 32, seed: 1, minPerClass: 2.5 })).toThrow(/minPerClass/);
  });

  it('flags the classes a 20 % hold-out would leave with fewer than 10 positives', () => {
    const counts = new Array<number>(NUM_CLASSES).fill(50);
    counts[15] = 49;
    counts[27] = 3;
    expect(classesTooRareToScore(counts)).toEqual([15, 27]);
    expect(classesTooRareToScore(counts, 0.5)).toEqual([27]);
  });
});

describe('the realistic demo is unchanged', () => {
  // Hashes computed with the generator as it was before the teaching demo existed (commit b239ed0):
  // the realistic demo's plan and pixels must stay exactly those.
  it('the same plan and pixels as before the teaching demo', () => {
    const opts = { train: 12, test: 4, size: 64, seed: 1, capDominant: true };
    expect(demoSynthOptions({ ...opts, teaching: false })).toEqual(opts);
    const hash = createHash('sha256');
    const plan = planDataset(opts);
    hash.update(JSON.stringify(plan));
    for (const s of [...plan.train, ...plan.test]) {
      const ch = renderSample({ id: s.id, labels: s.labels, size: opts.size, seed: opts.seed });
      for (const c of [ch.red, ch.green, ch.blue, ch.yellow]) hash.update(c);
    }
    expect(hash.digest('hex')).toBe('26d40d20670c9fb5fd8d51f2f04ddec165048acf4214ecf2ed8abe2b5c2eb3f7');
    const plain = planDataset({ train: 300, test: 50, size: 16, seed: 5 });
    expect(createHash('sha256').update(JSON.stringify(plain)).digest('hex')).toBe('65c2ae84d2f02cbefa9cade6167f0dde738ed99111349974bb4e32203bf817ec');
    // minPerClass 0 is the real distribution
    expect(planDataset({ train: 300, test: 50, size: 16, seed: 5, minPerClass: 0 })).toEqual(plain);
  });
});

describe('the teaching demo: images', () => {
  it('differs from the realistic image, is deterministic, and still carries the labels only in green', () => {
    const base = { id: 'x', size: 64, seed: 3 };
    const a = renderSample({ ...base, labels: [0], teaching: true });
    const b = renderSample({ ...base, labels: [0], teaching: true });
    expect(Buffer.from(a.green).equals(Buffer.from(b.green))).toBe(true);
    const real = renderSample({ ...base, labels: [0] });
    expect(Buffer.from(a.blue).equals(Buffer.from(real.blue))).toBe(false);
    for (let c = 1; c < NUM_CLASSES; c++) {
      const s = renderSample({ ...base, labels: [c], teaching: true });
      for (const ch of ['red', 'blue', 'yellow'] as const) expect(Buffer.from(s[ch]).equals(Buffer.from(a[ch])), `class ${c} ${ch}`).toBe(true);
      expect(Buffer.from(s.green).equals(Buffer.from(a.green)), `class ${c} green`).toBe(false);
    }
  });
});
