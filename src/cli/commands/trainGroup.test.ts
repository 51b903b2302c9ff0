// `train --folds K --all-folds` end to end on a tiny synthetic zip (3 folds, 1 epoch, 32 px), `predict` on the group
// folder, and the independent check: sklearn in Debian's Python recomputes the comparison table from the fold runs' CSVs.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Uint8ArrayReader, Uint8ArrayWriter, ZipReader, type FileEntry } from '@zip.js/zip.js';
import { describe, expect, it } from 'vitest';
import { captureConsole } from '../captureConsole';
import { main } from '../main';
import { parseFoldsCsv, parseLabelCsv, parseProbsCsv, parseThresholdsCsv } from '../../core/csv';
import { labelsByMethod, type GroupThresholds } from '../../core/foldGroup';
import { labelMatrix } from '../../core/metrics';
import { makeDatasetZip } from '../../synth';

const tmp = mkdtempSync(join(tmpdir(), 'hpa-group-'));
const p = (...names: string[]) => join(tmp, ...names);
const { out, err } = captureConsole();
const K = 3;
const group = p('group');
const PYTHON = '/usr/bin/python3';
const sklearn = existsSync(PYTHON) ? spawnSync(PYTHON, ['-c', 'import sklearn, numpy; print(sklearn.__version__)'], { encoding: 'utf8' }) : null;
const sklearnVersion = sklearn?.status === 0 ? sklearn.stdout.trim() : null;

const csvRows = (file: string) =>
  readFileSync(file, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => l.split(','));

let code = -1;

describe('hpa-studio train --all-folds', () => {
  it('trains the K folds into fold-k/ with one split, and every training image is predicted once by the fold model that did not train on it', async () => {
    const zip = await makeDatasetZip({ train: 30, test: 6, size: 32, seed: 5, capDominant: true });
    writeFileSync(p('data.zip'), zip);
    const r = new ZipReader(new Uint8ArrayReader(zip), { useWebWorkers: false });
    for (const e of await r.getEntries()) if (e.filename.endsWith('.csv')) writeFileSync(p(e.filename), await (e as FileEntry).getData(new Uint8ArrayWriter()));
    await r.close();
    // the flags of a single-fold run, plus --all-folds
    code = await main(
      ['train', '--data', p('data.zip'), '--model', 'gapnet-pl', '--loss', 'bce', '--epochs', '1', '--size', '32', '--batch', '8', '--lr', '0.001'].concat([
        '--seed',
        '3',
        '--folds',
        String(K),
        '--all-folds',
        '--out',
        group,
      ]),
    );
    expect(err.join('\n')).toBe('');
    expect(code).toBe(0);
    expect(out.filter((l) => l.startsWith('group: fold ') && !l.includes('done'))).toEqual([
      'group: fold 1 of 3 (fold-0/)',
      'group: fold 2 of 3 (fold-1/)',
      'group: fold 3 of 3 (fold-2/)',
    ]);
    expect(out.find((l) => l.startsWith('group: fold 3 of 3 done'))).toMatch(/ETA for the group 0s$/);

    const split = parseFoldsCsv(readFileSync(p('group', 'fold-0', 'folds.csv'), 'utf8'));
    expect(split.ids).toHaveLength(30);
    const oof = csvRows(p('group', 'oof_probs.csv'));
    expect(oof[0].slice(0, 3)).toEqual(['Id', 'fold', '0']);
    expect(oof.slice(1).map((r) => r[0])).toEqual(split.ids); // every training id once, in train.csv's order
    for (let k = 0; k < K; k++) {
      const dir = p('group', `fold-${k}`);
      // the same split in every fold run (same config and seed); fold k validates on (did not train on) fold k's ids
      expect(readFileSync(join(dir, 'folds.csv'), 'utf8')).toBe(readFileSync(p('group', 'fold-0', 'folds.csv'), 'utf8'));
      const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
      expect(config.split).toEqual({ kind: 'stratified-kfold', folds: K, fold: k });
      const val = parseProbsCsv(readFileSync(join(dir, 'val-probs.csv'), 'utf8'));
      expect(val.ids).toEqual(split.ids.filter((_, i) => split.folds[i] === k));
      expect(config.data.train + config.data.val).toBe(30);
      // the OOF row of each of its ids is its prediction
      val.ids.forEach((id, r) => {
        const row = oof.find((o) => o[0] === id)!;
        expect(row[1]).toBe(String(k));
        expect(row.slice(2).map((x) => Math.fround(Number(x)))).toEqual(Array.from(val.probs.subarray(r * 28, r * 28 + 28)));
      });
      for (const f of ['history.csv', 'thresholds.csv', 'model.zip', 'test-probs.csv']) expect(existsSync(join(dir, f))).toBe(true);
    }
    for (const f of [
      'config.json',
      'histories.csv',
      'oof-per-class.csv',
      'thresholds.csv',
      'thresholds-crossfit.csv',
      'comparison.md',
      'report.md',
      'group.json',
    ])
      expect(existsSync(p('group', f))).toBe(true);
    expect(csvRows(p('group', 'histories.csv'))).toHaveLength(1 + K); // one epoch per fold
    // the group's per-class thresholds of each fold are the fold runs' thresholds.csv
    const th = csvRows(p('group', 'thresholds.csv'));
    for (let k = 0; k < K; k++)
      expect(th.slice(1).map((r) => Number(r[6 + k]))).toEqual(Array.from(parseThresholdsCsv(readFileSync(p('group', `fold-${k}`, 'thresholds.csv'), 'utf8'))));

    const cmp = csvRows(p('group', 'comparison.csv'));
    expect(cmp.slice(1).map((r) => r[0])).toEqual(['mean-global', 'mean-per-class', 'vote', 'fold-0', 'fold-1', 'fold-2']);
    expect(cmp.slice(1).every((r) => r[6] !== '')).toBe(true); // the synthetic zip has test labels: test scores
    const md = out.find((l) => l.startsWith('| Method |'));
    expect(md).toBeDefined();
    const config = JSON.parse(readFileSync(p('group', 'config.json'), 'utf8'));
    expect(config).toMatchObject({ command: 'train --all-folds', split: { kind: 'stratified-kfold', folds: K, all: true }, seed: 3 });
    expect(config.foldDirs).toEqual(['fold-0', 'fold-1', 'fold-2']);
  });

  // .ci/run installs python3-sklearn and sets HPA_REQUIRE_SKLEARN: there a missing sklearn fails this test instead of skipping it
  it.skipIf(!sklearnVersion && !process.env.HPA_REQUIRE_SKLEARN && !process.env.CI)(
    `the comparison table equals sklearn's numbers from the fold runs' CSVs (sklearn ${sklearnVersion})`,
    () => {
      expect(code).toBe(0);
      const r = spawnSync(
        PYTHON,
        [join(__dirname, '..', '..', '..', 'fixtures', 'kfold', 'check_comparison.py'), group, p('train.csv'), p('test_labels.csv')],
        { encoding: 'utf8' },
      );
      expect(r.stderr).toBe('');
      const result = JSON.parse(r.stdout);
      expect(result.missing).toEqual([]);
      expect(result.rows.map((x: { key: string }) => x.key)).toEqual(['mean-global', 'mean-per-class', 'vote', 'fold-0', 'fold-1', 'fold-2']);
      expect(result.rows.every((x: { sklearn: Record<string, number> }) => Object.keys(x.sklearn).sort().join() === 'fitted,oof,test')).toBe(true);
      expect(result.max_diff).toBeLessThanOrEqual(1e-6);
      expect(result.thresholds_match).toBe(true);
      expect(r.status).toBe(0);
    },
  );

  it('predict takes the group folder: the mean of the fold models, and the submission by --method (default the best out-of-fold)', async () => {
    expect(code).toBe(0);
    out.length = 0;
    expect(await main(['predict', '--model', group, '--data', p('data.zip'), '--out', p('probs.csv'), '--method', 'vote', '--submission', p('vote.csv')])).toBe(
      0,
    );
    expect(err).toEqual([]);
    expect(out.filter((l) => l.startsWith('model '))).toHaveLength(K);
    expect(out.at(-1)).toMatch(/vote\.csv: 6 rows by vote; out-of-fold macro F1 \d\.\d{4} \(optimistic: thresholds fitted on the same predictions\)$/);
    // the same numbers as the group wrote while training (the fold models as packaged)
    const probs = parseProbsCsv(readFileSync(p('probs.csv'), 'utf8'));
    const trained = parseProbsCsv(readFileSync(p('group', 'test-probs.csv'), 'utf8'));
    expect(probs.ids).toEqual(trained.ids);
    for (let i = 0; i < probs.probs.length; i++) expect(Math.abs(probs.probs[i] - trained.probs[i])).toBeLessThan(1e-5);
    // the vote of the fold models' test probabilities at their own thresholds
    const g = JSON.parse(readFileSync(p('group', 'group.json'), 'utf8')) as { best: string; thresholds: GroupThresholds };
    const members = [0, 1, 2].map((k) => parseProbsCsv(readFileSync(p('group', `fold-${k}`, 'test-probs.csv'), 'utf8')).probs);
    const vote = parseLabelCsv(readFileSync(p('vote.csv'), 'utf8'), { labelColumn: 'Predicted', allowEmpty: true });
    expect(vote.map((r) => r.id)).toEqual(probs.ids);
    expect(labelMatrix(vote.map((r) => r.labels))).toEqual(labelsByMethod(members, 'vote', g.thresholds));

    out.length = 0;
    expect(await main(['predict', '--model', group, '--data', p('data.zip'), '--out', p('best.csv')])).toBe(0);
    expect(out.at(-1)).toMatch(new RegExp(`best-submission\\.csv: 6 rows by ${g.best} \\(the group's best out-of-fold score\\); .* \\(cross-fitted\\)$`));
    // train wrote the same submission with the same method
    expect(readFileSync(p('best-submission.csv'), 'utf8')).toBe(readFileSync(p('group', 'submission.csv'), 'utf8'));
  });

  it('rejects bad group flags with a usage error naming the flag', async () => {
    expect(await main(['train', '--data', p('data.zip'), '--out', p('x'), '--all-folds'])).toBe(2);
    expect(err.at(-1)).toMatch(/--all-folds needs --folds K/);
    expect(await main(['train', '--data', p('data.zip'), '--out', p('x'), '--folds', '3', '--fold', '1', '--all-folds'])).toBe(2);
    expect(err.at(-1)).toMatch(/give either --fold i or --all-folds, not both/);
    expect(await main(['predict', '--model', group, '--data', p('data.zip'), '--out', p('x.csv'), '--method', 'median'])).toBe(2);
    expect(err.at(-1)).toMatch(/--method 'median' is not one of mean-global, mean-per-class, vote/);
    expect(await main(['predict', '--model', p('group', 'fold-0', 'model.zip'), '--data', p('data.zip'), '--out', p('x.csv'), '--method', 'vote'])).toBe(2);
    expect(err.at(-1)).toMatch(/--method and --submission are for a group folder as --model/);
    expect(await main(['predict', '--model', p('group', 'fold-0', 'model.zip'), '--model', group, '--data', p('data.zip'), '--out', p('x.csv')])).toBe(2);
    expect(err.at(-1)).toMatch(/a group folder must be the only --model/);
    expect(await main(['predict', '--model', p('group', 'fold-0'), '--data', p('data.zip'), '--out', p('x.csv')])).toBe(1);
    expect(err.at(-1)).toMatch(/fold-0 is a folder without group\.json/);
  });
});
