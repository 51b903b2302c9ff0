import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { gotoTab, importDemo, openStudio, UNTIL_DONE } from './fixtures/studio';

test.describe('the loss lesson', () => {
  test('trains its variants over seeds with one progress bar, states what it found with mean ± spread, and keeps it across a reload', async ({ page }) => {
    // about the lesson, not backend choice: wasm is pinned so that no run measures every backend first
    await openStudio(page, 'wasm');
    await importDemo(page, { train: 48, test: 8 });
    await gotoTab(page, 'lesson');
    // e2e size: BCE and focal, two seeds, one epoch at 32 px (the full lesson is 4 variants × 3 seeds)
    await page.getByLabel('Lesson input size').fill('32');
    await page.getByLabel('Lesson epochs').fill('1');
    await page.getByLabel('Seeds').fill('2');
    await page.getByLabel('Variant Focal γ=2 + α').uncheck();
    await page.getByLabel('Variant BCE + upsampling').uncheck();
    await expect(page.getByText('4 runs (2 variants × 2 seeds)')).toBeVisible();
    await page.getByTestId('lesson-start').click();

    // one progress bar for the whole lesson, with the run it is on
    await expect(page.getByTestId('lesson-progress')).toBeVisible();
    await expect(page.getByTestId('lesson-progress-text')).toContainText(/run [1-4] of 4: (BCE|Focal γ=2), seed [12]/, UNTIL_DONE);
    await expect(page.getByTestId('lesson-status')).toHaveText('done', UNTIL_DONE);
    await expect(page.getByTestId('lesson-progress-text')).toHaveText(/^done: 4 runs in \d+/);
    expect(await page.getByTestId('lesson-progress').getAttribute('value')).toBe('1');

    const check = async () => {
      // the rare/common table: every variant's mean ± spread over its 2 seeds, focal's paired difference beside it
      const summary = page.getByTestId('lesson-summary');
      await expect(summary.locator('thead th')).toHaveText(['Classes', /^BCE2 seeds$/, /^Focal γ=22 seeds$/]);
      await expect(summary.locator('tr[data-group="all"] td').first()).toHaveText(/^\d\.\d{3} ± \d\.\d{3}$/);
      await expect(summary.locator('tr[data-group="all"] td').nth(1)).toHaveText(/^\d\.\d{3} ± \d\.\d{3}Δ [+−±]\d\.\d{3} ± \d\.\d{3}/);
      // what this run found, in sentences that claim no more than the seeds show
      const findings = page.getByTestId('lesson-finding');
      await expect(findings).toHaveCount(2);
      await expect(findings.first()).toHaveText(
        /^Focal γ=2 (raised rare-class F1 by \d\.\d{3} ± \d\.\d{3} over BCE|lowered rare-class F1 by \d\.\d{3} ± \d\.\d{3} against BCE|vs BCE, rare-class F1 at threshold 0\.5: (no difference beyond seed noise at this budget \([+−±]\d\.\d{3} ± \d\.\d{3}, 2 seeds\)|not measured \(no rare class has validation positives on this split\)))/,
      );
      await expect(page.getByTestId('lesson-spread-definition')).toContainText('half the range');
      // 48 images leave classes without validation positives: the page says why their F1 is missing
      await expect(page.getByTestId('lesson-notes')).toContainText(/No validation positives for class(es)? \d+ \(.+\): (its|their) F1 cannot be measured/);
      await expect(page.getByTestId('lesson-class-table').locator('tbody tr')).toHaveCount(28);
      await expect(page.getByTestId('lesson-class-table').getByText('no validation positives: its F1 cannot be measured').first()).toBeVisible();
      // the mechanism: the gradient shares of both variants after their epoch
      const shares = page.getByTestId('gradient-share');
      await expect(shares.locator('tr[data-variant="bce"] td').first()).toHaveText(/^\d+\.\d %$/);
      await expect(shares.locator('tr[data-variant="focal"] td').nth(1)).toHaveText(/^\d+\.\d %$/);
      await expect(page.getByTestId('loss-vs-pt')).toBeVisible();
      // the lesson lists its own runs
      await expect(page.getByTestId('lesson-run-row')).toHaveCount(4);
      for (const row of await page.getByTestId('lesson-run-row').all()) {
        await expect(row.locator('td').nth(0)).toHaveText(/^(BCE|Focal γ=2)$/);
        await expect(row.locator('td').nth(2)).toHaveText('done');
        await expect(row.locator('td').nth(3)).toHaveText('1/1');
        await expect(row.locator('td').nth(5)).toHaveText('wasm');
      }
    };
    // its many short runs stay out of the Runs table and the comparison unless asked for
    const lessonRunsInRunsTable = async () => {
      await gotoTab(page, 'train');
      await expect(page.getByTestId('run-row')).toHaveCount(0);
      await page.getByLabel('Show lesson runs (4)').check();
      await expect(page.getByTestId('run-row')).toHaveCount(4);
      await expect(page.getByTestId('run-row').first()).toContainText(/lesson · (BCE|Focal γ=2) · seed [12]/);
      await page.getByLabel('Show lesson runs (4)').uncheck();
      await expect(page.getByTestId('run-row')).toHaveCount(0);
      await gotoTab(page, 'lesson');
    };
    await check();
    await lessonRunsInRunsTable();
    const finding = await page.getByTestId('lesson-finding').first().textContent();

    // the report downloads: the per-class table with the rare/common/all rows as CSV, everything as JSON
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('lesson-export-csv').click()]);
    expect(csv.suggestedFilename()).toMatch(/^loss-lesson-.+\.csv$/);
    const rows = readFileSync((await csv.path())!, 'utf8')
      .trim()
      .split('\n');
    expect(rows.length).toBe(1 + 28 + 3);
    expect(rows[0]).toMatch(/^class,name,rare,val_positives,train_positives,bce_at05_mean,bce_at05_spread,bce_at05_seeds,/);
    expect(rows[0]).toContain('focal_minus_bce_at05_verdict');
    const [json] = await Promise.all([page.waitForEvent('download'), page.getByTestId('lesson-export-json').click()]);
    const report = JSON.parse(readFileSync((await json.path())!, 'utf8')) as { findings: string[]; lesson: { runs: unknown[] } };
    expect(report.findings[0]).toBe(finding);
    expect(report.lesson.runs.length).toBe(4);

    // the results are stored (IndexedDB): a reload shows the same lesson
    await page.reload();
    await gotoTab(page, 'lesson');
    await expect(page.getByTestId('lesson-status')).toHaveText('done', UNTIL_DONE);
    await check();
    await lessonRunsInRunsTable();
    await expect(page.getByTestId('lesson-finding').first()).toHaveText(finding!);
  });
});
