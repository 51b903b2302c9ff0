import { readFileSync } from 'node:fs';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { readZipFiles } from '../src/core/zipFiles';
import { axeViolations, layoutProblems } from './fixtures/layout';
import { gotoTab, importDemo, openStudio, UNTIL_DONE } from './fixtures/studio';

async function download(page: Page, trigger: Locator): Promise<{ name: string; bytes: Buffer }> {
  const [d] = await Promise.all([page.waitForEvent('download'), trigger.click()]);
  return { name: d.suggestedFilename(), bytes: readFileSync((await d.path())!) };
}

/** The stored runs' fold (config.split.fold) and the epochs of their history, read straight from IndexedDB. */
const storedFolds = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<{ fold: number; epochs: number[]; group: string | null }[]>((res) => {
        const r = indexedDB.open('hpa-studio');
        r.onsuccess = () => {
          const q = r.result.transaction('runs').objectStore('runs').getAll();
          q.onsuccess = () =>
            res(
              (q.result as { config: { split: { fold: number } }; history: { epoch: number }[]; group: string | null }[])
                .map((x) => ({ fold: x.config.split.fold, epochs: x.history.map((h) => h.epoch), group: x.group }))
                .sort((a, b) => a.fold - b.fold),
            );
        };
      }),
  );

test('a 3-fold group trains its folds one after another, resumes mid-fold after a reload, and evaluates out of fold', async ({ page }) => {
  await openStudio(page, 'wasm');
  await importDemo(page, { train: 72, test: 12, size: 32 });
  await gotoTab(page, 'train');
  await page.getByRole('button', { name: 'Quick demo' }).click();
  await page.getByLabel('Input size', { exact: true }).fill('32');
  await page.getByLabel('Epochs', { exact: true }).fill('3');
  await page.getByLabel('Batch size').fill('8');
  await page.getByLabel('Split').selectOption('kfold');
  await page.getByLabel('K', { exact: true }).fill('3');
  const start = page.getByTestId('train-group');
  await expect(start).toHaveText('Train all 3 folds as a group');
  await start.click();

  // one progress line for the group: the first fold, then the second
  const position = page.getByTestId('group-position');
  await expect(position).toContainText('fold 1 of 3 (Fold 0)');
  await expect(page.getByTestId('group-eta')).toContainText('group ETA');
  // the group pauses (the fold in flight, after its batch) and goes on
  await expect(page.getByTestId('run-progress')).toContainText(/batch \d+\/\d+/, UNTIL_DONE);
  await page.getByTestId('group-pause').click();
  await expect(page.getByTestId('run-state')).toHaveText('paused');
  await expect(page.getByTestId('group-eta')).toHaveText('group ETA paused');
  await page.getByTestId('group-resume').click();
  await expect(page.getByTestId('run-state')).not.toHaveText('paused');
  await expect(position).toContainText('fold 2 of 3 (Fold 1)', UNTIL_DONE);
  await expect(page.getByTestId('epoch-count')).toContainText(/[12] epoch\(s\) done/, UNTIL_DONE);

  // a reload mid-fold: the group is interrupted and offers to go on from that fold's last stored epoch
  await page.reload();
  const groupRow = page.getByTestId('group-row');
  await expect(groupRow.getByTestId('group-status')).toContainText('interrupted · 1/3 folds done');
  const resume = groupRow.getByTestId('resume-group');
  await expect(resume).toHaveText(/^Resume group \(Fold 1 from epoch [12]\)$/);
  const from = Number((await resume.textContent())!.match(/epoch (\d)/)![1]);
  await resume.click();
  await expect(position).toContainText(`fold 2 of 3 (Fold 1) · epoch ${from + 1}/3 · resumed after epoch ${from}`);
  await expect(groupRow.getByTestId('group-status')).toContainText('done · 3/3 folds done', UNTIL_DONE);
  await expect(page.getByTestId('fold-row')).toHaveCount(3);
  await expect(page.getByTestId('fold-status')).toHaveText(['done', 'done', 'done']);
  await expect(page.getByTestId('run-row')).toHaveCount(0);
  // each fold trained its three epochs once: the resumed fold went on from its checkpoint, not from the start
  const folds = await storedFolds(page);
  expect(folds.map((f) => f.fold)).toEqual([0, 1, 2]);
  expect(folds.map((f) => f.epochs)).toEqual([
    [1, 2, 3],
    [1, 2, 3],
    [1, 2, 3],
  ]);
  expect(new Set(folds.map((f) => f.group)).size).toBe(1);
  expect(await axeViolations(page)).toEqual([]);

  // the group's evaluation: out of fold, every training image once; thresholds fitted out of fold with their spread across the folds
  await groupRow.getByTestId('evaluate-group').click();
  await expect(page.getByTestId('area-evaluate')).toBeVisible();
  const panel = page.getByRole('region', { name: 'Group evaluation' });
  // the header names the group as the run on show
  await expect(page.getByLabel('Current run')).toHaveValue(/^kfold:/);
  await expect(panel.getByTestId('group-oof-summary')).toContainText(
    '72 training images, each predicted once by the fold model that did not train on it (3 of 3 folds)',
  );
  await expect(panel.getByTestId('oof-threshold-row')).toHaveCount(4);
  await expect(panel.getByTestId('per-class-table').getByRole('columnheader', { name: 'Across folds' })).toBeVisible();
  await expect(panel.getByTestId('per-class-table').locator('td.spread')).toHaveCount(28);
  await expect(panel.getByTestId('per-class-table').locator('td.spread').first()).toHaveText(/^\d\.\d\d–\d\.\d\d sd \d\.\d\d$/);
  // the seed's comparison out of fold, then with the test split predicted by the three fold models
  const comparison = panel.getByTestId('group-comparison');
  await expect(comparison.getByTestId('comparison-row')).toHaveCount(6);
  await expect(comparison.getByRole('columnheader', { name: 'Test macro F1' })).toHaveCount(0);
  await panel.getByTestId('group-predict').click();
  await expect(comparison.getByRole('columnheader', { name: 'Test macro F1' })).toBeVisible(UNTIL_DONE);
  await expect(comparison.getByTestId('comparison-row').first().locator('td').last()).toHaveText(/^\d\.\d{4}$/);
  await expect(comparison.getByTestId('comparison-row').locator('th')).toHaveText([
    'Mean probability, one global threshold',
    'Mean probability, per-class thresholds',
    "Majority vote of the fold models (each at its fold's per-class thresholds)",
    /^Fold 0 model alone/,
    /^Fold 1 model alone/,
    /^Fold 2 model alone/,
  ]);
  expect(await layoutProblems(page)).toEqual([]);
  expect(await axeViolations(page)).toEqual([]);
  // the submission by the user's choice of method
  await panel.getByLabel('Group submission method').selectOption('vote');
  const submission = await download(page, panel.getByTestId('group-submission'));
  expect(submission.name).toMatch(/-vote\.csv$/);
  const lines = submission.bytes.toString('utf8').trim().split('\n');
  expect(lines[0]).toBe('Id,Predicted');
  expect(lines).toHaveLength(13);
  // the group's report: one zip
  const report = await download(page, panel.getByTestId('group-report'));
  const files = await readZipFiles(new Uint8Array(report.bytes), report.name);
  expect([...files.keys()]).toEqual(expect.arrayContaining(['config.json', 'histories.csv', 'comparison.csv', 'comparison.md', 'thresholds.csv', 'report.md']));
  const histories = new TextDecoder().decode(files.get('histories.csv')!).trim().split('\n');
  expect(histories).toHaveLength(1 + 3 * 3);
  expect(new TextDecoder().decode(files.get('comparison.csv')!).trim().split('\n')).toHaveLength(1 + 6);
});
