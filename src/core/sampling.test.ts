import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KAGGLE_TRAIN_CSV } from '../../fixtures/kaggle/kaggleFiles';
import { classWeights } from './classWeights';
import { parseLabelCsv } from './csv';
import { allRows, countClasses, rareDuplication, RARE_MULTIPLIERS, rowsInFolds, rowWeights, sampleRows, weightedSample } from './sampling';
import { stratifiedKFold } from './split';

const TRAIN_CSV = KAGGLE_TRAIN_CSV;
const sets = parseLabelCsv(readFileSync(TRAIN_CSV, 'utf8'), { file: TRAIN_CSV }).map((r) => r.labels);

describe('rare-class duplication', () => {
  it('on the full train.csv: 31,072 → 33,409 rows', () => {
    expect(rareDuplication(sets, allRows(sets.length)).length).toBe(33409);
    expect(sampleRows({ kind: 'rare-duplication' }, allRows(sets.length), { labelSets: sets }).length).toBe(33409);
  });

  it('repeats each row 1 + Σ m_l times over its labels', () => {
    const small = [[0], [15], [8, 27], [26, 0], [9, 10, 17]];
    const out = [...rareDuplication(small, allRows(5))];
    const times = (r: number) => out.filter((x) => x === r).length;
    expect([0, 1, 2, 3, 4].map(times)).toEqual([1, 7, 9, 2, 9]);
    expect(RARE_MULTIPLIERS[15]).toBe(6);
  });

  it('applies to the training fold only: no validation row appears', () => {
    const folds = stratifiedKFold(sets, 5, 0);
    const train = rowsInFolds(folds, (f) => f !== 0);
    const epoch = sampleRows({ kind: 'rare-duplication' }, train, { labelSets: sets });
    expect(epoch.every((r) => folds[r] !== 0)).toBe(true);
    expect(epoch.length).toBeGreaterThan(train.length);
    expect(new Set(epoch).size).toBe(train.length);
  });

  it("'none' returns the rows unchanged", () => {
    expect([...sampleRows({ kind: 'none' }, [4, 2, 9], { labelSets: sets })]).toEqual([4, 2, 9]);
  });
});

describe('weight-based sampling', () => {
  it('draws rows in proportion to their weights, reproducibly by seed', () => {
    const rows = [10, 11, 12, 13];
    const w = [1, 2, 3, 0];
    const a = weightedSample(rows, w, 60000, 5);
    expect([...weightedSample(rows, w, 60000, 5)]).toEqual([...a]);
    expect([...weightedSample(rows, w, 100, 6)]).not.toEqual([...a.slice(0, 100)]);
    const n = (r: number) => a.filter((x) => x === r).length;
    expect(n(13)).toBe(0);
    for (const [r, share] of [
      [10, 1 / 6],
      [11, 2 / 6],
      [12, 3 / 6],
    ])
      expect(Math.abs(n(r) / 60000 - share)).toBeLessThan(0.01);
  });

  it('a row weighs the maximum class weight over its labels', () => {
    const w = new Float64Array(28).fill(1);
    w[27] = 7;
    w[8] = 3;
    expect([...rowWeights([[0], [0, 27], [8, 27, 0], [8]], allRows(4), w)]).toEqual([1, 7, 7, 3]);
  });

  it('on a real training fold with log-damped weights rare classes appear more often; length is honoured', () => {
    const folds = stratifiedKFold(sets, 5, 0);
    const train = rowsInFolds(folds, (f) => f !== 0);
    const epoch = sampleRows({ kind: 'weighted', weights: { mode: 'log-damped' }, seed: 1 }, train, { labelSets: sets });
    expect(epoch.length).toBe(train.length);
    expect(epoch.every((r) => folds[r] !== 0)).toBe(true);
    const before = countClasses(sets, train),
      after = countClasses(sets, epoch);
    for (const c of [8, 9, 10, 15, 27]) expect(after[c] / epoch.length).toBeGreaterThan((2 * before[c]) / train.length);
    expect(after[0] / epoch.length).toBeLessThan(before[0] / train.length);
    const w = classWeights({ mode: 'log-damped' }, before);
    expect(w[27]).toBeGreaterThan(w[0]);
    expect(sampleRows({ kind: 'weighted', weights: { mode: 'inverse-frequency' }, seed: 1, length: 1000 }, train, { labelSets: sets }).length).toBe(1000);
  });

  it('refuses impossible input', () => {
    expect(() => weightedSample([1, 2], [0, 0], 5, 1)).toThrow(/all sampling weights are 0/);
    expect(() => weightedSample([1, 2], [1], 5, 1)).toThrow(/1 weights for 2 rows/);
    expect(() => rareDuplication([[0]], [0], { 0: -1 })).toThrow(/class 0/);
  });
});
