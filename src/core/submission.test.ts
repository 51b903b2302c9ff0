// Submissions: ids and order of the real sample_submission.csv, validation with named rows, scoring = `hpa-studio score`.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { KAGGLE_SAMPLE_SUBMISSION_CSV } from '../../fixtures/kaggle/kaggleFiles';
import { main } from '../cli/main';
import { parseLabelCsv, type ProbsTable } from './csv';
import { buildSubmission, formatSubmission, scoreSubmission, submissionIds, validateSubmission } from './submission';

const SAMPLE = KAGGLE_SAMPLE_SUBMISSION_CSV;

function probs(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

afterEach(() => vi.restoreAllMocks());

describe('submission', () => {
  it('written for the real sample_submission.csv: exactly its 11,702 ids in its order, labels ascending, empty allowed or at least one', () => {
    const sampleText = readFileSync(SAMPLE, 'utf8');
    const ids = submissionIds({ text: sampleText });
    expect(ids).toHaveLength(11702);
    // probabilities listed in a different order (sorted descending)
    const order = [...ids].sort().reverse();
    const table: ProbsTable = { ids: order, probs: probs(order.length * 28, 1).map((p) => p * 0.6), numClasses: 28 };
    const rows = buildSubmission(ids, table, 0.5);
    const text = formatSubmission(rows, ids);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('Id,Predicted');
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(ids);
    const parsed = parseLabelCsv(text, { labelColumn: 'Predicted', allowEmpty: true });
    // the labels are those of this id's probabilities, ascending
    const r = order.indexOf(ids[5]);
    const expected = Array.from({ length: 28 }, (_, c) => c).filter((c) => table.probs[r * 28 + c] > Math.fround(0.5));
    expect(lines[6]).toBe(`${ids[5]},${expected.join(' ')}`);
    const empty = parsed.filter((p) => p.labels.length === 0).length;
    expect(empty).toBeGreaterThan(0);
    const atLeastOne = parseLabelCsv(formatSubmission(buildSubmission(ids, table, 0.5, { atLeastOne: true }), ids), {
      labelColumn: 'Predicted',
      allowEmpty: true,
    });
    expect(atLeastOne.every((p) => p.labels.length >= 1)).toBe(true);
    expect(atLeastOne.map((p) => p.id)).toEqual(ids);
  });

  it('uses the sorted test ids when there is no sample submission', () => {
    expect(submissionIds(null, ['c', 'a', 'b'])).toEqual(['a', 'b', 'c']);
    expect(() => submissionIds(null)).toThrow(/no sample_submission\.csv and no test ids/);
  });

  it('rejects probabilities missing ids, naming the first few', () => {
    const table: ProbsTable = { ids: ['a', 'b'], probs: probs(56, 2), numClasses: 28 };
    expect(() => buildSubmission(['a', 'b', 'c', 'd', 'e', 'f'], table, 0.5)).toThrow(
      'probs.csv: 4 Id(s) of sample_submission.csv are missing: c, d, e, … (4 in all)',
    );
    expect(() => buildSubmission(['a'], table, 0.5)).toThrow('probs.csv: 1 Id(s) are not in sample_submission.csv: b');
  });

  it('validates before writing: errors name the line and the id', () => {
    const ids = ['a', 'b', 'c'];
    const ok = [
      { id: 'a', labels: [0] },
      { id: 'b', labels: [] },
      { id: 'c', labels: [3, 27] },
    ];
    expect(() => validateSubmission(ok, ids)).not.toThrow();
    expect(() => validateSubmission([ok[0], ok[0], ok[2]], ids)).toThrow('submission line 3: Id a appears twice (first on line 2)');
    expect(() => validateSubmission([...ok, { id: 'x', labels: [] }], ids)).toThrow('submission line 5: Id x is not a test id');
    expect(() => validateSubmission([ok[0], { id: 'b', labels: [28] }, ok[2]], ids)).toThrow('submission line 3, Id b: label 28 is not a class id 0..27');
    expect(() => validateSubmission([ok[0], { id: 'b', labels: [1.5] }, ok[2]], ids)).toThrow(/label 1\.5 is not a class id/);
    expect(() => validateSubmission([ok[0], ok[2]], ids)).toThrow('submission lacks 1 test id(s): b');
    expect(() => validateSubmission([ok[1], ok[0], ok[2]], ids)).toThrow('submission line 2: Id b is out of order (expected a, as in the sample submission)');
  });

  it('scores a submission exactly as `hpa-studio score` does', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'hpa-sub-'));
    const ids = Array.from({ length: 60 }, (_, i) => `id${String(i).padStart(3, '0')}`);
    const p = probs(60 * 28, 5);
    const truthRows = ids.map((id, r) => ({ id, labels: [r % 28, ...(r % 3 ? [(r * 7) % 28] : [])] }));
    const truthText = 'Id,Target\n' + truthRows.map((r) => `${r.id},${[...new Set(r.labels)].sort((a, b) => a - b).join(' ')}`).join('\n') + '\n';
    const subText = formatSubmission(buildSubmission(ids, { ids, probs: p, numClasses: 28 }, 0.8), ids);
    writeFileSync(join(tmp, 'truth.csv'), truthText);
    writeFileSync(join(tmp, 'sub.csv'), subText);
    for (const rule of ['zero', 'one', 'skip'] as const) {
      const out: string[] = [];
      vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
      expect(await main(['score', '--truth', join(tmp, 'truth.csv'), '--pred', join(tmp, 'sub.csv'), '--empty-class', rule, '--json'])).toBe(0);
      vi.restoreAllMocks();
      const cli = JSON.parse(out.join('\n'));
      const mine = scoreSubmission({ text: truthText }, { text: subText }, rule);
      expect(mine.macroF1).toBe(cli.macroF1);
      expect(mine.rows).toBe(60);
      expect(mine.perClass.map((c) => [c.tp, c.fp, c.fn])).toEqual(cli.perClass.map((c: { tp: number; fp: number; fn: number }) => [c.tp, c.fp, c.fn]));
    }
    // and on the committed sklearn fixture (macro F1 checked against scikit-learn by metrics.test.ts)
    const fx = (f: string) => readFileSync(join(__dirname, 'fixtures', f), 'utf8');
    const out: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    expect(await main(['score', '--truth', join(__dirname, 'fixtures/ml-truth.csv'), '--pred', join(__dirname, 'fixtures/ml-submission.csv'), '--json'])).toBe(
      0,
    );
    expect(scoreSubmission({ text: fx('ml-truth.csv') }, { text: fx('ml-submission.csv') }).macroF1).toBe(JSON.parse(out.join('\n')).macroF1);
  });
});
