import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { alignIds, formatFoldsCsv, formatProbsCsv, probsCsvLines, formatThresholdsCsv, parseFoldsCsv, parseProbsCsv, parseThresholdsCsv } from './csv';
import fixture from './fixtures/multilabel-f1.json';

const FIX = join(__dirname, 'fixtures');

describe('probs.csv (Id,0,…,27)', () => {
  it('reads the fixture (rows shuffled) into the same float32 values as the JSON, after aligning ids', () => {
    const t = parseProbsCsv(readFileSync(join(FIX, 'ml-probs.csv'), 'utf8'), { file: 'ml-probs.csv' });
    const where = alignIds(fixture.ids, t.ids, { reference: 'truth', other: 'ml-probs.csv' });
    const want = Float32Array.from(fixture.probs);
    for (let r = 0; r < 500; r++) for (let c = 0; c < 28; c++) expect(t.probs[where[r] * 28 + c]).toBe(want[r * 28 + c]);
  });

  it('round-trips float32 exactly, BOM and CRLF tolerated', () => {
    const probs = Float32Array.from({ length: 56 }, (_, i) => Math.fround(Math.sin(i) ** 2));
    const text = '\uFEFF' + formatProbsCsv(['a', 'b'], probs).replace(/\n/g, '\r\n');
    const back = parseProbsCsv(text);
    expect(back.ids).toEqual(['a', 'b']);
    expect([...back.probs]).toEqual([...probs]);
  });

  it('line by line (as the page makes it in slices) it is the same text', () => {
    const probs = Float32Array.from({ length: 84 }, (_, i) => Math.fround(Math.cos(i) ** 2));
    const lines = [...probsCsvLines(['a', 'b', 'c'], probs)];
    expect(lines).toHaveLength(4);
    expect(lines.join('\n') + '\n').toBe(formatProbsCsv(['a', 'b', 'c'], probs));
    expect(() => [...probsCsvLines(['a'], probs)]).toThrow('84 probabilities for 1 ids × 28 classes');
  });

  it('names the line and class of a bad value, and a bad header', () => {
    const head = 'Id,' + Array.from({ length: 28 }, (_, c) => c).join(',');
    const row = (v: string) => 'x,' + new Array(27).fill('0.5').join(',') + ',' + v;
    expect(() => parseProbsCsv(`${head}\n${row('1.5')}\n`, { file: 'p.csv' })).toThrow("p.csv, line 2: class 27: '1.5' is not a probability in [0, 1]");
    expect(() => parseProbsCsv(`${head}\n${row('0.1')}\n${row('0.2')}\n`, { file: 'p.csv' })).toThrow(/line 3: duplicate Id x/);
    expect(() => parseProbsCsv('Id,Predicted\n', { file: 'p.csv' })).toThrow(/p.csv, line 1: header/);
    expect(() => parseProbsCsv(`${head}\nx,0.5\n`, { file: 'p.csv' })).toThrow(/line 2: expected 29 fields, found 2/);
  });
});

describe('thresholds.csv (class,threshold)', () => {
  it('round-trips and accepts any row order', () => {
    const t = Float64Array.from({ length: 28 }, (_, c) => (c + 1) / 40);
    expect([...parseThresholdsCsv(formatThresholdsCsv(t))]).toEqual([...t]);
    const lines = formatThresholdsCsv(t).trim().split('\n');
    expect([...parseThresholdsCsv([lines[0], ...lines.slice(1).reverse()].join('\n'))]).toEqual([...t]);
  });

  it('names missing, repeated and out-of-range classes', () => {
    const rows = (n: number) => ['class,threshold', ...Array.from({ length: n }, (_, c) => `${c},0.5`)];
    expect(() => parseThresholdsCsv(rows(27).join('\n'), { file: 't.csv' })).toThrow('t.csv: no threshold for class(es) 27');
    expect(() => parseThresholdsCsv([...rows(28), '3,0.2'].join('\n'), { file: 't.csv' })).toThrow('t.csv, line 30: class 3 appears twice');
    expect(() => parseThresholdsCsv([...rows(27), '28,0.2'].join('\n'), { file: 't.csv' })).toThrow(/line 29: class '28'/);
    expect(() => parseThresholdsCsv([...rows(27), '27,abc'].join('\n'), { file: 't.csv' })).toThrow(/line 29: threshold 'abc'/);
  });
});

describe('folds.csv (Id,fold) and id alignment', () => {
  it('round-trips folds and rejects non-integers', () => {
    const f = parseFoldsCsv(formatFoldsCsv(['a', 'b', 'c'], [0, 4, 1]));
    expect(f.ids).toEqual(['a', 'b', 'c']);
    expect([...f.folds]).toEqual([0, 4, 1]);
    expect(() => parseFoldsCsv('Id,fold\na,x\n', { file: 'f.csv' })).toThrow("f.csv, line 2: fold 'x' is not an integer ≥ 0");
  });

  it('alignIds maps by id and names the first few missing or extra ids', () => {
    expect([...alignIds(['a', 'b', 'c'], ['c', 'a', 'b'], { reference: 'truth.csv', other: 'sub.csv' })]).toEqual([1, 2, 0]);
    expect(() => alignIds(['a', 'b', 'c', 'd', 'e'], ['a'], { reference: 'truth.csv', other: 'sub.csv' })).toThrow(
      'sub.csv: 4 Id(s) of truth.csv are missing: b, c, d, … (4 in all)',
    );
    expect(() => alignIds(['a'], ['a', 'z'], { reference: 'truth.csv', other: 'sub.csv' })).toThrow('sub.csv: 1 Id(s) are not in truth.csv: z');
  });
});
