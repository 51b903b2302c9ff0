// CLI tests of split, score and thresholds: main([...]) in-process on the committed fixtures.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureConsole } from '../captureConsole';
import { main } from '../main';
import { labelDistribution } from '../../core/split';
import { parseFoldsCsv, parseLabelCsv, parseThresholdsCsv } from '../../core/csv';
import fixture from '../../core/fixtures/multilabel-f1.json';

const FIX = join(__dirname, '../../core/fixtures');
const TRUTH = join(FIX, 'ml-truth.csv');
const SUB = join(FIX, 'ml-submission.csv');
const PROBS = join(FIX, 'ml-probs.csv');
const tmp = mkdtempSync(join(tmpdir(), 'hpa-cli-'));

const { out, err } = captureConsole();

const run = (...args: string[]) => main(args);
const stdout = () => out.join('\n');
const stderr = () => err.join('\n');
const write = (name: string, text: string) => {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
};

describe('hpa-studio score', () => {
  it("prints scikit-learn's macro F1 with six decimals and a 28-row per-class table", async () => {
    expect(await run('score', '--truth', TRUTH, '--pred', SUB)).toBe(0);
    const lines = stdout().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^macro F1 ${fixture.sklearn.macroZero.toFixed(6)} `));
    expect(lines[0]).toMatch(/class 27 — scored 0, rule 'zero'/);
    const rows = lines.filter((l) => /^\s+\d+\s{2}/.test(l));
    expect(rows).toHaveLength(28);
    expect(rows[26]).toMatch(/Cytoplasmic bodies\s+0\s+0\s+\d+\s+0/);
  });

  it('--json and --empty-class one/skip equal f1_score(zero_division=0/1) and the mean over non-empty classes', async () => {
    for (const [rule, want] of [
      ['zero', fixture.sklearn.macroZero],
      ['one', fixture.sklearn.macroOne],
      ['skip', fixture.sklearn.macroSkip],
    ] as const) {
      out.length = 0;
      expect(await run('score', '--truth', TRUTH, '--pred', SUB, '--empty-class', rule, '--json')).toBe(0);
      const r = JSON.parse(stdout());
      expect(r.emptyClass).toBe(rule);
      expect(Math.abs(r.macroF1 - want)).toBeLessThan(1e-9);
      r.perClass.forEach((s: { f1: number | null }, c: number) => c !== 27 && expect(Math.abs(s.f1! - fixture.sklearn.perClassF1[c])).toBeLessThan(1e-9));
    }
  });

  it('a bad label names the file and line, exit 1', async () => {
    const bad = readFileSync(SUB, 'utf8').split('\n');
    bad[2] = bad[2].split(',')[0] + ',3 41';
    const p = write('bad-sub.csv', bad.join('\n'));
    expect(await run('score', '--truth', TRUTH, '--pred', p)).toBe(1);
    expect(stderr()).toMatch(new RegExp(`bad-sub.csv, line 3: label '41' is not a class id 0..27`));
  });

  it('missing and extra ids are errors naming the first few, exit 1', async () => {
    const lines = readFileSync(SUB, 'utf8').trim().split('\n');
    const short = write('short.csv', lines.slice(0, -5).join('\n') + '\n');
    expect(await run('score', '--truth', TRUTH, '--pred', short)).toBe(1);
    expect(stderr()).toMatch(/short.csv: 5 Id\(s\) of .*ml-truth.csv are missing: [0-9a-f-]+, [0-9a-f-]+, [0-9a-f-]+, … \(5 in all\)/);
    err.length = 0;
    const extra = write('extra.csv', [...lines, 'ffffffff-0000-0000-0000-000000000000,1'].join('\n'));
    expect(await run('score', '--truth', TRUTH, '--pred', extra)).toBe(1);
    expect(stderr()).toMatch(/extra.csv: 1 Id\(s\) are not in .*ml-truth.csv: ffffffff-0000/);
  });

  it('usage mistakes exit 2; a missing file exits 1 naming it', async () => {
    expect(await run('score', '--pred', SUB)).toBe(2);
    expect(stderr()).toMatch(/--truth is required/);
    expect(await run('score', '--truth', TRUTH, '--pred', SUB, '--empty-class', 'nan')).toBe(2);
    expect(await run('score', '--truth', join(tmp, 'nope.csv'), '--pred', SUB)).toBe(1);
    expect(stderr()).toMatch(/cannot read --truth .*nope.csv: no such file/);
    expect(await run('score', '--help')).toBe(0);
    expect(stdout()).toMatch(/Usage: hpa-studio score --truth/);
  });
});

describe('hpa-studio split', () => {
  const truthSets = parseLabelCsv(readFileSync(TRUTH, 'utf8')).map((r) => r.labels);

  it('writes Id,fold for every row in file order and prints the LD of that split', async () => {
    const o = join(tmp, 'folds.csv');
    expect(await run('split', '--labels', TRUTH, '--folds', '5', '--seed', '3', '--out', o)).toBe(0);
    const f = parseFoldsCsv(readFileSync(o, 'utf8'));
    expect(f.ids).toEqual(parseLabelCsv(readFileSync(TRUTH, 'utf8')).map((r) => r.id));
    expect(new Set(f.folds)).toEqual(new Set([0, 1, 2, 3, 4]));
    const ld = labelDistribution(truthSets, f.folds, 5);
    expect(stdout()).toContain(`LD ${ld.toExponential(3)} (a random split`);
    expect(stdout()).toMatch(/fold sizes: \d+, \d+, \d+, \d+, \d+/);
    expect(stdout()).toMatch(/class 27 per fold: 0, 0, 0, 0, 0/);
    out.length = 0;
    expect(await run('split', '--labels', TRUTH, '--folds', '5', '--seed', '3', '--json')).toBe(0);
    expect(JSON.parse(stdout()).ld).toBe(ld);
  });

  it('--holdout 0.2: fold 0 is the hold-out, about 100 of 500 rows (stratification trades exact size for balance)', async () => {
    expect(await run('split', '--labels', TRUTH, '--holdout', '0.2', '--json')).toBe(0);
    const s = JSON.parse(stdout());
    expect(s.method).toBe('hold-out 0.2');
    expect(s.sizes[0] + s.sizes[1]).toBe(500);
    expect(Math.abs(s.sizes[0] - 100)).toBeLessThanOrEqual(15);
  });

  it('both or neither of --folds/--holdout, or a bad K, exit 2; a bad labels file exits 1 naming the line', async () => {
    expect(await run('split', '--labels', TRUTH, '--folds', '5', '--holdout', '0.2')).toBe(2);
    expect(await run('split', '--labels', TRUTH)).toBe(2);
    expect(await run('split', '--labels', TRUTH, '--folds', '1')).toBe(2);
    expect(stderr()).toMatch(/--folds must be an integer ≥ 2/);
    const bad = write('bad-train.csv', 'Id,Target\na,0\nb,\n');
    expect(await run('split', '--labels', bad, '--folds', '2')).toBe(1);
    expect(stderr()).toMatch(/bad-train.csv, line 3: Id b has no label/);
  });
});

describe('hpa-studio thresholds', () => {
  const search = fixture.search;

  it('per-class: writes the numpy brute-force thresholds and prints their macro F1', async () => {
    const o = join(tmp, 'thresholds.csv');
    expect(await run('thresholds', '--truth', TRUTH, '--probs', PROBS, '--mode', 'per-class', '--out', o)).toBe(0);
    expect([...parseThresholdsCsv(readFileSync(o, 'utf8'))]).toEqual(search.perClass.thresholds);
    expect(stdout()).toContain(`macro F1 ${search.perClass.macroF1.toFixed(6)} on these probabilities`);
    expect(stdout()).toMatch(/no positives in --truth for classes 26, 27/);
  });

  it('every mode reports the macro F1 numpy found for it', async () => {
    const want = { global: search.global.macroF1, 'per-class': search.perClass.macroF1, lipton: search.lipton.macroF1, proportion: search.proportion.macroF1 };
    for (const [mode, f1] of Object.entries(want)) {
      out.length = 0;
      expect(await run('thresholds', '--truth', TRUTH, '--probs', PROBS, '--mode', mode, '--json')).toBe(0);
      const r = JSON.parse(stdout());
      expect(Math.abs(r.macroF1 - f1), mode).toBeLessThan(1e-9);
      expect(r.thresholds).toHaveLength(28);
    }
  });

  it('--at-least-one adds the forced score; --rates train uses the real prevalence', async () => {
    expect(await run('thresholds', '--truth', TRUTH, '--probs', PROBS, '--mode', 'global', '--at-least-one')).toBe(0);
    expect(stdout()).toMatch(/macro F1 0\.\d{6} with the top class forced on/);
    out.length = 0;
    expect(await run('thresholds', '--truth', TRUTH, '--probs', PROBS, '--mode', 'proportion', '--rates', 'train', '--json')).toBe(0);
    expect(JSON.parse(stdout()).thresholds).not.toEqual(search.proportion.thresholds);
  });

  it('a bad probability names file, line and class (exit 1); bad flags exit 2', async () => {
    const lines = readFileSync(PROBS, 'utf8').split('\n');
    const cells = lines[4].split(',');
    cells[6] = '1.7';
    lines[4] = cells.join(',');
    const bad = write('bad-probs.csv', lines.join('\n'));
    expect(await run('thresholds', '--truth', TRUTH, '--probs', bad, '--mode', 'global')).toBe(1);
    expect(stderr()).toMatch(/bad-probs.csv, line 5: class 5: '1.7' is not a probability in \[0, 1\]/);
    expect(await run('thresholds', '--truth', TRUTH, '--probs', PROBS, '--mode', 'best')).toBe(2);
    expect(stderr()).toMatch(/threshold mode 'best' is not one of global, per-class, lipton, proportion/);
    expect(await run('thresholds', '--truth', TRUTH, '--probs', PROBS, '--mode', 'global', '--step', '0.3')).toBe(2);
  });
});

describe('the real binary', () => {
  it('node bin/hpa-studio.mjs score exits 0 and prints the sklearn score', async () => {
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync(process.execPath, [join(__dirname, '../../../bin/hpa-studio.mjs'), 'score', '--truth', TRUTH, '--pred', SUB], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(new RegExp(`^macro F1 ${fixture.sklearn.macroZero.toFixed(6)} `));
  });
});
