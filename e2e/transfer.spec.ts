import { readFileSync } from 'node:fs';
import { brotliDecompressSync } from 'node:zlib';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { parseProbsCsv } from '../src/core/csv';
import { gotoTab, importDemo, openStudio, UNTIL_DONE, waitForRunEnd } from './fixtures/studio';
import { axeViolations, layoutProblems } from './fixtures/layout';

/** The Keras-layout MobileNetV2 weights written by h5py (fixtures/transfer/README.md), as a user's dropped file. */
const KERAS_FILE = 'mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5';
const kerasBytes = () => brotliDecompressSync(readFileSync('fixtures/transfer/mobilenetv2.h5.br'));

async function download(page: Page, link: Locator): Promise<{ name: string; bytes: Buffer }> {
  const [d] = await Promise.all([page.waitForEvent('download'), link.click()]);
  return { name: d.suggestedFilename(), bytes: readFileSync((await d.path())!) };
}

test('MobileNetV2 from a dropped Keras .h5: the check, warm-up then fine-tune, and an exported model the studio imports again', async ({ page }) => {
  test.setTimeout(900_000);
  // the test is about transfer training, not backend choice: wasm is pinned (fastest on this machine's CPU)
  await openStudio(page, 'wasm');
  await importDemo(page, { train: 48, test: 8, size: 32 });
  await gotoTab(page, 'train');

  await page.getByLabel('Model', { exact: true }).selectOption('mobilenetv2');
  await expect(page.getByTestId('setup-switched')).toContainText("the seed's transfer recipe");
  await expect(page.getByTestId('model-info')).toContainText('MobileNetV2');
  await expect(page.getByTestId('transfer-settings')).toBeVisible();

  // the user's file: read in the browser, checked against the backbone, listed with its size
  await page.getByTestId('weights-file-input').setInputFiles({ name: KERAS_FILE, mimeType: 'application/x-hdf5', buffer: kerasBytes() });
  const report = page.getByTestId('weights-report');
  await expect(report).toContainText('Nothing missing, nothing left over', UNTIL_DONE);
  await expect(report).toContainText('widened to 4 input channels: Conv1/kernel');
  await expect(page.getByTestId('weights-row')).toHaveCount(1);
  await expect(page.getByTestId('weights-row')).toContainText('9.0 MB');
  await expect(page.getByTestId('weights-row')).toContainText('all matched');

  const setup = page.getByTestId('run-setup');
  await setup.getByLabel('Start from').selectOption({ label: `${KERAS_FILE} (9.0 MB)` });
  await setup.getByLabel('Input size').fill('32');
  await setup.getByLabel('Head').selectOption('gap');
  await setup.getByLabel('Warm-up epochs (backbone frozen)').fill('1');
  await setup.getByLabel('Fine-tune epochs').fill('1');
  await setup.getByLabel('Batch size').fill('8');
  await expect(page.getByTestId('setup-problem')).toHaveCount(0);
  await page.getByTestId('train').click();

  await expect(page.getByTestId('run-weights')).toContainText(`Backbone from ${KERAS_FILE}: `, UNTIL_DONE);
  await expect(page.getByTestId('run-weights')).toContainText('Conv1/kernel widened to four channels');
  await waitForRunEnd(page);
  // both phases ran, each named on the curves' history
  const history = page.getByTestId('epoch-history');
  await history.locator('summary').click();
  await expect(history).toContainText('warm-up (backbone frozen)');
  await expect(history).toContainText('fine-tune (all layers)');
  // the Train area after a transfer run, at a laptop's size: laid out (a long run name wraps) and accessible
  await page.setViewportSize({ width: 1280, height: 800 });
  expect(await layoutProblems(page)).toEqual([]);
  expect(await axeViolations(page)).toEqual([]);

  // export the trained model, import it again: it predicts what the trained run predicts
  await gotoTab(page, 'predict');
  const panel = page.getByRole('region', { name: 'Predict and export' });
  const rows = panel.getByTestId('export-run-row');
  await expect(rows).toHaveCount(1);
  const predict = async () => {
    await panel.getByTestId('predict').click();
    await expect(panel.getByTestId('predict-results')).toBeVisible(UNTIL_DONE);
    return parseProbsCsv((await download(page, panel.getByTestId('member-probs'))).bytes.toString('utf8'));
  };
  await rows.nth(0).getByRole('checkbox').check();
  const trained = await predict();
  const zip = await download(page, rows.nth(0).getByTestId('export-model'));
  expect(zip.name).toMatch(/\.model\.zip$/);
  await panel.getByLabel('Import model').setInputFiles({ name: 'mobilenetv2.model.zip', mimeType: 'application/zip', buffer: zip.bytes });
  await expect(panel.getByTestId('export-notice')).toContainText("Imported as 'imported · mobilenetv2.model.zip", UNTIL_DONE);
  await expect(rows).toHaveCount(2);
  const imported = await predict();
  expect(imported.ids).toEqual(trained.ids);
  let diff = 0;
  for (let i = 0; i < trained.probs.length; i++) diff = Math.max(diff, Math.abs(trained.probs[i] - imported.probs[i]));
  expect(diff).toBeLessThanOrEqual(1e-6);
});

test('a damaged weights file gets a report naming the renamed and the reshaped tensor; deleting stored weights frees them', async ({ page }) => {
  await openStudio(page, 'wasm');
  await gotoTab(page, 'train');
  await page.getByLabel('Model', { exact: true }).selectOption('mobilenetv2');
  await page.getByTestId('weights-file-input').setInputFiles({
    name: 'damaged.h5',
    mimeType: 'application/x-hdf5',
    buffer: brotliDecompressSync(readFileSync('fixtures/transfer/mobilenetv2_damaged.h5.br')),
  });
  const report = page.getByTestId('weights-report');
  await expect(report).toContainText('they stay randomly initialised', UNTIL_DONE);
  // the fixture renames Conv1/kernel to kernel_renamed and reshapes bn_Conv1/gamma to [31] (fixtures/transfer/README.md)
  await expect(page.getByTestId('weights-mismatched')).toContainText('bn_Conv1/gamma is [31] in the file, [32] in the model');
  await expect(page.getByTestId('weights-unexpected')).toContainText('Conv1/kernel_renamed');
  await expect(page.getByTestId('weights-missing')).toContainText('Conv1/kernel');
  await expect(page.getByTestId('weights-row')).toContainText('not matched');

  // not HDF5, not TF.js: a message naming the file, nothing stored
  await page.getByTestId('weights-file-input').setInputFiles({ name: 'notes.h5', mimeType: 'application/x-hdf5', buffer: Buffer.from('not an hdf5 file') });
  await expect(page.getByTestId('weights-error')).toContainText('notes.h5');
  await expect(page.getByTestId('weights-row')).toHaveCount(1);

  await page.getByRole('button', { name: 'Delete damaged.h5' }).click();
  await expect(page.getByTestId('weights-row')).toHaveCount(0);
  await page.reload();
  await gotoTab(page, 'train');
  await expect(page.getByTestId('weights-panel')).toContainText('(none stored)');
});

test('on WebGPU a transfer model with the widened first conv trains through both phases', async ({ page }) => {
  test.setTimeout(900_000);
  // the model is built on the GPU backend here: the widened kernel must be made there without a read-back
  await openStudio(page, 'webgpu');
  await importDemo(page, { train: 24, test: 4, size: 32 });
  await gotoTab(page, 'train');
  await page.getByLabel('Model', { exact: true }).selectOption('mobilenetv2');
  const setup = page.getByTestId('run-setup');
  await expect(setup.getByLabel('Four channels')).toHaveValue('widen');
  await setup.getByLabel('Input size').fill('32');
  await setup.getByLabel('Head').selectOption('gap');
  await setup.getByLabel('Warm-up epochs (backbone frozen)').fill('1');
  await setup.getByLabel('Fine-tune epochs').fill('1');
  await setup.getByLabel('Batch size').fill('8');
  await page.getByTestId('train').click();
  await waitForRunEnd(page);
  await expect(page.getByTestId('backend-active')).toHaveText('Backend: webgpu');
  const history = page.getByTestId('epoch-history');
  await history.locator('summary').click();
  await expect(history).toContainText('warm-up (backbone frozen)');
  await expect(history).toContainText('fine-tune (all layers)');
});
