import { readFileSync } from 'node:fs';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { DEFAULT_RUN } from '../src/core/runConfig';
import { gotoTab, importDemo, openStudio, UNTIL_DONE } from './fixtures/studio';

async function download(page: Page, link: Locator): Promise<Buffer> {
  const [d] = await Promise.all([page.waitForEvent('download'), link.click()]);
  return readFileSync((await d.path())!);
}

/** The keys of one object store of the studio's IndexedDB, and the database's version. */
const storeKeys = (page: Page, store: string) =>
  page.evaluate(
    (name) =>
      new Promise<{ version: number; keys: unknown[] }>((res, rej) => {
        const r = indexedDB.open('hpa-studio');
        r.onerror = () => rej(r.error);
        r.onsuccess = () => {
          const db = r.result;
          const q = db.transaction(name).objectStore(name).getAllKeys();
          q.onsuccess = () => {
            res({ version: db.version, keys: q.result as unknown[] });
            db.close();
          };
        };
      }),
    store,
  );

test.describe('results survive a reload', () => {
  test('a prediction and its submission come back after a reload without predicting again; deleting the run deletes them', async ({ page }) => {
    await openStudio(page, 'wasm');
    await importDemo(page, { train: 32, test: 8 });
    await gotoTab(page, 'train');
    await page.getByRole('button', { name: 'Quick demo' }).click();
    await page.getByLabel('Epochs', { exact: true }).fill('1');
    await page.getByLabel('Batch size').fill('8');
    await page.getByTestId('train').click();
    await expect(page.getByTestId('run-status').first()).toHaveText('done', UNTIL_DONE);

    await gotoTab(page, 'predict');
    const panel = page.getByRole('region', { name: 'Predict and export' });
    await panel.getByTestId('export-run-row').first().getByRole('checkbox').check();
    await panel.getByTestId('predict').click();
    await expect(panel.getByTestId('predict-results')).toBeVisible(UNTIL_DONE);
    await expect(panel.getByTestId('prediction-stored')).toHaveAttribute('data-restored', 'false');
    await expect(panel.getByTestId('prediction-stored')).toContainText(/Kept in this browser with its run \(0\.\d\d MB\)/);
    // a choice other than the default: the stored submission is the one last offered
    await panel.getByLabel('Threshold mode').selectOption('per-class');
    const summary = await panel.getByTestId('predict-summary').textContent();
    const note = await panel.getByTestId('threshold-note').textContent();
    const f1 = await panel.getByTestId('member-f1').textContent();
    const before = await download(page, panel.getByTestId('submission-download'));
    expect(before.toString('utf8')).toMatch(/^Id,Predicted\n/);
    // the submission is written to storage after it is offered: wait for it there before reloading
    await expect
      .poll(() =>
        page.evaluate(
          () =>
            new Promise<string | null>((res) => {
              const r = indexedDB.open('hpa-studio');
              r.onsuccess = () => {
                const q = r.result.transaction('predictions').objectStore('predictions').getAll();
                q.onsuccess = () => res((q.result[0]?.submission?.choice?.mode as string | undefined) ?? null);
              };
            }),
        ),
      )
      .toBe('per-class');

    await page.reload();
    // the reload returns to Predict & export with the same run ticked: its prediction shows again, unasked
    await expect(page.getByTestId('area-predict')).toBeVisible();
    await expect(panel.getByTestId('export-run-row').first().getByRole('checkbox')).toBeChecked();
    await expect(panel.getByTestId('prediction-stored')).toHaveAttribute('data-restored', 'true');
    await expect(panel.getByTestId('predict-progress')).toHaveCount(0);
    await expect(panel.getByTestId('predict-summary')).toHaveText(summary!);
    await expect(panel.getByLabel('Threshold mode')).toHaveValue('per-class');
    await expect(panel.getByTestId('threshold-note')).toHaveText(note!);
    await expect(panel.getByTestId('member-f1')).toHaveText(f1!);
    const after = await download(page, panel.getByTestId('submission-download'));
    expect(after.equals(before)).toBe(true);
    await expect(panel.getByTestId('submission-changed')).toHaveCount(0);

    // deleting the run deletes its stored prediction
    expect((await storeKeys(page, 'predictions')).keys).toHaveLength(1);
    await gotoTab(page, 'train');
    await page.getByTestId('run-row').first().getByRole('button', { name: 'Delete' }).click();
    await expect(page.getByTestId('run-row')).toHaveCount(0);
    expect((await storeKeys(page, 'predictions')).keys).toHaveLength(0);
  });

  test('a catalog of an earlier version (3) opens with its runs and checkpoints kept and the stores added since (predictions, weights, groups)', async ({
    page,
  }) => {
    // a page of the studio's origin that does not open the catalog, to write the old version's database first
    await page.route('**/blank.html', (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>blank</title>' }));
    await page.goto('/blank.html');
    await page.evaluate(
      (config) =>
        new Promise<void>((res, rej) => {
          const r = indexedDB.open('hpa-studio', 3);
          r.onupgradeneeded = () => {
            const db = r.result;
            db.createObjectStore('datasets', { keyPath: 'id' });
            db.createObjectStore('samples', { keyPath: ['datasetId', 'id'] }).createIndex('byDataset', 'datasetId');
            db.createObjectStore('pixelChunks', { keyPath: ['datasetId', 'chunk'] });
            db.createObjectStore('runs', { keyPath: 'id' });
            db.createObjectStore('checkpoints', { keyPath: ['runId', 'kind'] });
            db.createObjectStore('lessons', { keyPath: 'id' });
          };
          r.onerror = () => rej(r.error);
          r.onsuccess = () => {
            const db = r.result;
            const tx = db.transaction(['runs', 'checkpoints'], 'readwrite');
            tx.objectStore('runs').put({
              id: 'old-run',
              name: 'a run from version 3',
              datasetId: 'gone',
              datasetName: 'an old dataset',
              createdAt: 1,
              config,
              status: 'done',
              message: null,
              backend: 'wasm',
              history: [],
              checkpointEpoch: 1,
              bestEpoch: null,
              valIds: [],
              valProbs: null,
              valTruth: null,
              lrReductions: [],
              group: null,
            });
            tx.objectStore('checkpoints').put({ runId: 'old-run', kind: 'last', epoch: 1, data: new ArrayBuffer(8) });
            tx.oncomplete = () => {
              db.close();
              res();
            };
          };
        }),
      DEFAULT_RUN,
    );
    await openStudio(page, 'wasm');
    await gotoTab(page, 'train');
    await expect(page.getByTestId('run-row')).toHaveText(/a run from version 3/);
    expect(await storeKeys(page, 'predictions')).toEqual({ version: 6, keys: [] });
    // version 5's stores for pretrained weights and version 6's for K-fold groups are there, empty
    expect(await storeKeys(page, 'weights')).toEqual({ version: 6, keys: [] });
    expect(await storeKeys(page, 'weightData')).toEqual({ version: 6, keys: [] });
    expect(await storeKeys(page, 'groups')).toEqual({ version: 6, keys: [] });
    expect((await storeKeys(page, 'checkpoints')).keys).toEqual([['old-run', 'last']]);
  });
});
