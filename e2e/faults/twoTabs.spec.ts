import { expect, test, type Page } from '@playwright/test';
import { buildZip, fixtureId, samples } from '../fixtures/hpaZip';
import { gotoTab, importDemo, openImportOptions, openStudio, UNTIL_DONE } from '../fixtures/studio';

/**
 * The studio open in two tabs of one browser (two pages of one context share IndexedDB, OPFS, Web
 * Locks and BroadcastChannel, as two tabs do): one tab owns a dataset's imports and training, the
 * other says who holds it, cannot start a conflicting import or run, reads the dataset all the
 * same, and follows the first tab's lists without a reload.
 */

const storedHistory = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<{ status: string; epochs: number[] }[]>((res) => {
        const r = indexedDB.open('hpa-studio');
        r.onsuccess = () => {
          const q = r.result.transaction('runs').objectStore('runs').getAll();
          q.onsuccess = () =>
            res(q.result.map((run: { status: string; history: { epoch: number }[] }) => ({ status: run.status, epochs: run.history.map((h) => h.epoch) })));
        };
      }),
  );

test('a second tab sees who trains a dataset, cannot import into it or train on it, and follows the first tab’s lists', async ({ page: tab1 }) => {
  await openStudio(tab1, 'wasm');
  await importDemo(tab1, { train: 32, test: 8 });
  const tab2 = await tab1.context().newPage();
  await openStudio(tab2, 'wasm');
  await gotoTab(tab2, 'datasets');
  await expect(tab2.getByTestId('dataset-row')).toHaveCount(1);
  const datasetName = (await tab2.getByTestId('dataset-name').textContent())!.trim();

  // tab 1 trains on the dataset
  await gotoTab(tab1, 'train');
  await tab1.getByRole('button', { name: 'Quick demo' }).click();
  await tab1.getByLabel('Epochs', { exact: true }).fill('2');
  await tab1.getByLabel('Batch size').fill('4');
  await tab1.getByTestId('train').click();
  await expect(tab1.getByTestId('run-progress')).toContainText(/batch \d+\/\d+/, UNTIL_DONE);
  const runName = (await tab1.getByTestId('live-run').locator('.live-head strong').textContent())!.trim();
  const holder = `Training in another tab of this studio (run '${runName}', started `;

  // tab 2: the dataset's row names the holder; its resume, rename and delete wait
  const row = tab2.getByTestId('dataset-row');
  await expect(row.getByTestId('dataset-status')).toContainText(holder);
  await expect(row.getByRole('button', { name: 'Delete' })).toBeDisabled();
  await expect(row.getByRole('button', { name: 'Rename' })).toBeDisabled();
  // an import into it is refused with the holder, and nothing is written
  await openImportOptions(tab2);
  await tab2.getByLabel('Import into').selectOption({ label: datasetName });
  await tab2
    .getByTestId('file-input')
    .setInputFiles([{ name: 'test.zip', mimeType: 'application/zip', buffer: await buildZip({ test: [fixtureId(900), fixtureId(901)], size: 32 }) }]);
  await expect(tab2.getByTestId('import-error')).toContainText(`Import refused: ${holder}`);
  await expect(tab2.getByTestId('import-error')).toContainText(`dataset '${datasetName}' takes imports in one tab at a time`);
  await expect(row.getByTestId('dataset-counts')).toHaveText('32 train · 8 test');

  // tab 2: training on it is refused with the same reason; tab 1's run is listed as running there, not interrupted
  await gotoTab(tab2, 'train');
  await expect(tab2.getByTestId('setup-problem')).toHaveText(
    new RegExp(`^${holder.replace(/[()]/g, '\\$&')}\\d\\d:\\d\\d\\): this dataset trains in one tab at a time\\. Train here once that ends\\.$`),
  );
  await expect(tab2.getByTestId('train')).toBeDisabled();
  await expect(tab2.getByTestId('run-status')).toHaveText('running (in another tab of this studio)');
  await expect(tab2.getByTestId('resume-interrupted')).toHaveCount(0);

  // tab 2 reads the dataset tab 1 trains on: the explorer's viewer shows a sample's pixels
  await gotoTab(tab2, 'explore');
  const grid = tab2.getByRole('grid', { name: 'Samples' });
  await grid.getByRole('gridcell').first().click();
  await expect(tab2.getByTestId('sample-viewer').locator('.viewer-caption')).not.toHaveText('Loading pixels…');
  await expect(tab2.getByTestId('sample-viewer')).not.toContainText(/error|failed/i);
  await tab2.keyboard.press('Escape');
  await expect(tab2.getByTestId('sample-viewer')).toHaveCount(0);

  // tab 1's run ends whole; tab 2 follows without a reload
  await expect(tab1.getByTestId('run-state')).toHaveText('done', UNTIL_DONE);
  await expect(tab1.getByTestId('epoch-count')).toContainText('2 epoch(s) done');
  expect(await storedHistory(tab1)).toEqual([{ status: 'done', epochs: [1, 2] }]);
  await gotoTab(tab2, 'train');
  await expect(tab2.getByTestId('run-status')).toHaveText('done');
  await expect(tab2.getByTestId('setup-problem')).toHaveCount(0);
  await expect(tab2.getByTestId('train')).toBeEnabled();

  // a dataset tab 1 imports appears in tab 2's list, first as importing there, then ready
  await gotoTab(tab1, 'datasets');
  await tab1
    .getByTestId('file-input')
    .setInputFiles([{ name: 'second.zip', mimeType: 'application/zip', buffer: await buildZip({ train: samples(300, 2000), size: 64 }) }]);
  await gotoTab(tab2, 'datasets');
  const second = tab2.getByTestId('dataset-row').filter({ hasText: 'second' });
  await expect(second.getByTestId('dataset-status')).toContainText('Importing in another tab of this studio (started ');
  await expect(second.getByRole('button', { name: 'Delete' })).toBeDisabled();
  await expect(tab1.getByTestId('import-summary')).toContainText('300 samples imported', UNTIL_DONE);
  await expect(second.getByTestId('dataset-status')).toHaveText('ready');
  await expect(second.getByTestId('dataset-counts')).toHaveText('300 train · 0 test');
  await expect(tab2.getByTestId('dataset-row')).toHaveCount(2);
});
