import { expect, test } from '@playwright/test';
import { countsAtThresholds, f1Report } from '../src/core/metrics';
import { buildZip, fixtureId } from './fixtures/hpaZip';
import { gotoTab, openImportOptions, openStudio, UNTIL_DONE, storedValidation, storedRunEpochs } from './fixtures/studio';
import { demo, quickRecipe } from './fixtures/trainRecipes';

test.describe('training in the studio', () => {
  test('demo → one short epoch on webgpu: loss points, 28-row table, a slider moves macro F1 to the core value', async ({ page }) => {
    await openStudio(page, 'webgpu');
    await demo(page);
    await quickRecipe(page, 1);
    // stream the images from storage, as a dataset too large for memory is (the demo set would be held in memory)
    await page.getByLabel('Images in memory up to (MB; 0 = stream)').fill('0');
    await page.getByTestId('train').click();
    await expect(page.getByTestId('run-info')).toContainText('webgpu');
    // a feed worker beside the training worker reads the stored pixels through OPFS sync access handles (feedReader.ts)
    await expect(page.getByTestId('data-path')).toHaveText('images: OPFS by sync reads in a feed worker, streamed (3 batches read ahead)');
    await expect(page.getByTestId('epoch-count')).toContainText('1 epoch(s) done', UNTIL_DONE);
    await expect(page.getByTestId('run-state')).toContainText('done');
    // after two steps recorded alike, the epoch's later full batches replayed their GPU commands (stepReplay.ts)
    await expect(page.getByTestId('step-replay')).toHaveText(/^[1-9]\d* of \d+ steps replayed$/);
    await gotoTab(page, 'evaluate');
    await expect(page.getByTestId('per-class-table').locator('tbody tr')).toHaveCount(28);
    const { probs, truth } = await storedValidation(page);
    const expected = f1Report(countsAtThresholds(Uint8Array.from(truth), Float32Array.from(probs), 0.3, 28), 'zero').macroF1;
    // the view shows this run's validation rows once the epoch's data has reached it
    await expect(page.getByText(`${truth.length / 28} validation rows`)).toBeVisible();
    await page.getByLabel('Global threshold').fill('0.3');
    const shown = async () => Number((await page.getByTestId('macro-f1').textContent())!.match(/(\d\.\d{4})/)?.[1] ?? NaN);
    await expect.poll(shown).toBeCloseTo(expected, 4);
  });

  test('pause and resume continue the same run; the dataset it reads cannot be deleted under it', async ({ page }) => {
    // webgpu on SwiftShader is slow enough that the run is still going when Pause is pressed
    await openStudio(page, 'webgpu');
    await demo(page);
    await quickRecipe(page, 2);
    await page.getByLabel('Batch size').fill('4');
    await page.getByTestId('train').click();
    await expect(page.getByTestId('run-progress')).toContainText(/batch \d+\/\d+/);
    await page.getByTestId('pause').click();
    // 'paused' once the batch in flight when Pause was pressed has finished; from then nothing moves
    await expect(page.getByTestId('run-state')).toHaveText('paused');
    const batchText = async () => (await page.getByTestId('run-position').textContent())!;
    expect(await batchText()).toMatch(/^epoch \d+\/\d+ · batch \d+\/\d+$/);
    const at = await batchText();
    await page.waitForTimeout(2000);
    expect(await batchText()).toBe(at);
    // the paused run still holds the dataset's files: a delete is refused, nothing is lost
    await gotoTab(page, 'datasets');
    await expect(page.getByTestId('live-chip-state')).toHaveText('paused');
    const datasetRows = page.getByTestId('dataset-row');
    page.once('dialog', (d) => d.accept());
    await datasetRows.getByRole('button', { name: 'Delete' }).click();
    await expect(page.getByTestId('dataset-error')).toHaveText(
      /^Dataset 'Demo 32 px \(seed \d+\)' is being read by a training run or a prediction: stop it \(or let it finish\), then delete\. Nothing was deleted\.$/,
    );
    await expect(datasetRows).toHaveCount(1);
    // while the run holds the chunk files, test images can still be appended to the same dataset
    const name = (await datasetRows.getByRole('cell').first().textContent())!.trim();
    await openImportOptions(page);
    await page.getByLabel('Import into').selectOption({ label: name });
    await page
      .getByTestId('file-input')
      .setInputFiles([{ name: 'test.zip', mimeType: 'application/zip', buffer: await buildZip({ test: [fixtureId(700), fixtureId(701)], size: 32 }) }]);
    await expect(page.getByTestId('import-summary')).toContainText('2 samples imported, 0 skipped');
    await expect(datasetRows.getByTestId('dataset-counts')).toHaveText('48 train · 10 test');
    await expect(page.getByTestId('dataset-error')).toHaveCount(0); // a new import clears the old message
    await gotoTab(page, 'train');
    await page.getByTestId('resume').click();
    await expect(page.getByTestId('run-state')).toContainText('done', UNTIL_DONE);
    await expect(page.getByTestId('epoch-count')).toContainText('2 epoch(s) done');
    await expect(page.getByTestId('run-row')).toHaveCount(1);
    await expect(page.getByTestId('run-status')).toHaveText('done');
    // the run read every batch of both epochs from the files it kept; once it ends, they are released
    await gotoTab(page, 'datasets');
    page.once('dialog', (d) => d.accept());
    await datasetRows.getByRole('button', { name: 'Delete' }).click();
    await expect(datasetRows).toHaveCount(0);
    await expect(page.getByTestId('dataset-error')).toHaveCount(0);
  });

  test('after a reload an interrupted run offers to resume from its last epoch, and resumes', async ({ page }) => {
    await openStudio(page, 'webgpu');
    await demo(page);
    await quickRecipe(page, 3);
    await page.getByTestId('train').click();
    await expect(page.getByTestId('epoch-count')).toContainText(/[12] epoch\(s\) done/, UNTIL_DONE);
    await page.reload();
    await expect(page.getByTestId('run-status')).toHaveText('interrupted');
    const button = page.getByTestId('resume-interrupted');
    await expect(button).toHaveText(/Resume from epoch [12]/);
    const from = Number((await button.textContent())!.match(/epoch (\d)/)![1]);
    await button.click();
    await expect(page.getByTestId('run-state')).toContainText('done', UNTIL_DONE);
    await expect(page.getByTestId('epoch-count')).toContainText('3 epoch(s) done');
    await expect(page.getByTestId('run-row')).toHaveCount(1);
    const epochs = await storedRunEpochs(page);
    expect(epochs).toEqual([1, 2, 3]);
    expect(from).toBeGreaterThanOrEqual(1);
  });
});
