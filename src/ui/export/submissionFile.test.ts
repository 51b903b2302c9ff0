import { describe, expect, it } from 'vitest';
import { parseLabelCsv } from '../../core/csv';
import { buildSubmissionFile, expectedSubmissionIds } from './submissionFile';

const C = 28;
function labels(rows: number[][]): Uint8Array {
  const m = new Uint8Array(rows.length * C);
  rows.forEach((r, i) => r.forEach((c) => (m[i * C + c] = 1)));
  return m;
}

describe('submission file', () => {
  it('lists the ids in the sample submission order whatever order they were predicted in, and scores against truth', () => {
    const order = ['c', 'a', 'b'];
    const f = buildSubmissionFile(['a', 'b', 'c'], labels([[1], [2, 5], []]), order, [
      { id: 'a', labels: [1] },
      { id: 'b', labels: [2] },
      { id: 'c', labels: [0] },
    ]);
    expect(parseLabelCsv(f.text, { labelColumn: 'Predicted', allowEmpty: true })).toEqual([
      { id: 'c', labels: [] },
      { id: 'a', labels: [1] },
      { id: 'b', labels: [2, 5] },
    ]);
    expect(f.emptyRows).toBe(1);
    // classes 1 and 2: F1 1; class 0: FN → 0; class 5: FP → 0; others empty → 0 under the 'zero' rule
    expect(f.testMacroF1).toBeCloseTo(2 / 28, 12);
  });

  it('sorted test ids when the dataset had no sample_submission.csv', () => {
    expect(expectedSubmissionIds(null, ['b', 'c', 'a'])).toEqual(['a', 'b', 'c']);
    expect(expectedSubmissionIds(['z', 'y'], ['y', 'z'])).toEqual(['z', 'y']);
  });

  it('is refused, naming the id, when a test id has no prediction or a predicted id is not a test id', () => {
    expect(() => buildSubmissionFile(['a'], labels([[1]]), ['a', 'b'], null)).toThrow(/lacks 1 test id\(s\): b/);
    expect(() => buildSubmissionFile(['a', 'q'], labels([[1], [2]]), ['a'], null)).toThrow(/Id q is not a test id/);
  });
});
