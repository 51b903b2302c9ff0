import { describe, expect, it } from 'vitest';
import reference from './fixtures/cooccurrence.json';
import { classCounts, classCountsBySplit, cooccurrence, jaccard, labelsPerSample } from './cooccurrence';
import { TRAIN_COUNTS, TRAIN_IMAGES, TRAIN_LABELS } from './labels';

const ref = reference as {
  images: number;
  labelSets: [number[], number][];
  classCounts: number[];
  cooccurrence: number[][];
  labelsPerImage: number[];
};

/** The real train.csv's label lists, rebuilt from its distinct label sets (labels shuffled in order). */
function realLabelLists(): number[][] {
  const lists: number[][] = [];
  for (const [labels, count] of ref.labelSets) for (let k = 0; k < count; k++) lists.push(k % 2 ? [...labels].reverse() : labels);
  return lists;
}

describe('label statistics of the real train.csv', () => {
  const lists = realLabelLists();

  it('class counts equal the domain table (31,072 images, 50,782 labels)', () => {
    expect(lists.length).toBe(TRAIN_IMAGES);
    const counts = classCounts(lists);
    expect(counts).toEqual([...TRAIN_COUNTS]);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(TRAIN_LABELS);
  });

  it('the co-occurrence matrix equals numpy Yᵀ·Y of the raw CSV', () => {
    const m = cooccurrence(lists);
    expect(m).toEqual(ref.cooccurrence);
    expect(m[0][25]).toBe(3631); // Nucleoplasm & Cytosol
    for (let i = 0; i < 28; i++) {
      expect(m[i][i]).toBe(TRAIN_COUNTS[i]);
      for (let j = 0; j < 28; j++) expect(m[i][j]).toBe(m[j][i]);
    }
  });

  it('labels per image: 1 → 15,126, 2 → 12,485, 3 → 3,160, 4 → 299, 5 → 2', () => {
    expect(labelsPerSample(lists)).toEqual([0, 15126, 12485, 3160, 299, 2]);
    expect(labelsPerSample(lists)).toEqual(ref.labelsPerImage);
  });
});

describe('counting rules', () => {
  it('counts a repeated label once and ignores ids outside 0..27', () => {
    expect(classCounts([[3, 3, 5], [5], [28, -1, 2.5]])).toEqual(Array.from({ length: 28 }, (_, c) => (c === 3 ? 1 : c === 5 ? 2 : 0)));
    const m = cooccurrence([[3, 3, 5]]);
    expect(m[3][5]).toBe(1);
    expect(m[3][3]).toBe(1);
    expect(labelsPerSample([[3, 3, 5], []])).toEqual([1, 0, 1]);
  });

  it('Jaccard normalisation: |i∧j| / |i∨j|, 1 on the diagonal of present classes, 0 for absent ones', () => {
    // class 0 on 4 samples, class 1 on 3, both on 2 → 2 / (4 + 3 − 2) = 0.4
    const m = cooccurrence([[0, 1], [0, 1], [0], [0], [1]], 3);
    const j = jaccard(m);
    expect(j[0][1]).toBeCloseTo(0.4, 12);
    expect(j[1][0]).toBeCloseTo(0.4, 12);
    expect(j[0][0]).toBe(1);
    expect(j[2][2]).toBe(0);
    expect(j[0][2]).toBe(0);
  });

  it('per-class counts by split keep train and test apart and sum to the overall counts', () => {
    const samples = [
      { split: 'train', labels: [0, 25] },
      { split: 'train', labels: [0] },
      { split: 'test', labels: [25] },
      { split: 'test', labels: [] },
    ];
    const by = classCountsBySplit(samples);
    expect(Object.keys(by).sort()).toEqual(['test', 'train']);
    expect(by.train[0]).toBe(2);
    expect(by.train[25]).toBe(1);
    expect(by.test[0]).toBe(0);
    expect(by.test[25]).toBe(1);
    const overall = classCounts(samples.map((s) => s.labels));
    expect(by.train.map((n, c) => n + by.test[c])).toEqual(overall);
  });
});
