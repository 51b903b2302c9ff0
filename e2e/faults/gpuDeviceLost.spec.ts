import { expect, test, type Page } from '@playwright/test';
import { gotoTab, importDemo, UNTIL_DONE } from '../fixtures/studio';

/**
 * The GPU device lost for real: the page is opened with the fault-injection flag
 * (docs/reliability.md), and the worker calls GPUDevice.destroy() on the webgpu backend's device at
 * the planned point, which the browser reports as any lost device (device.lost resolves 'destroyed').
 */
async function openWithFault(page: Page, fault: string, backend: 'webgpu' | 'wasm') {
  await page.addInitScript((value) => {
    if (localStorage.getItem('hpa-studio.backend') === null) localStorage.setItem('hpa-studio.backend', value);
  }, backend);
  await page.goto(`/?fault=${fault}`);
  await expect(page.getByTestId('backend-active')).toHaveText(`Backend: ${backend}`, UNTIL_DONE);
}

async function chooseBackend(page: Page, backend: 'webgpu' | 'wasm') {
  const toggle = page.getByTestId('backend-details');
  if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
  await page.getByLabel('Backend setting').selectOption(backend);
  await expect(page.getByTestId('backend-active')).toHaveText(`Backend: ${backend}`, UNTIL_DONE);
}

async function tinyRun(page: Page, epochs: number) {
  await page.getByRole('button', { name: 'Quick demo' }).click();
  await page.getByLabel('Model', { exact: true }).selectOption('gapnet-pl');
  await page.getByLabel('Input size').fill('32');
  await page.getByLabel('Epochs', { exact: true }).fill(String(epochs));
  await page.getByLabel('Batch size').fill('8');
}

/** The stored run's epochs, read straight from IndexedDB. */
const storedEpochs = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<{ epochs: number[]; checkpointEpoch: number; losses: number[] }>((res) => {
        const r = indexedDB.open('hpa-studio');
        r.onsuccess = () => {
          const q = r.result.transaction('runs').objectStore('runs').getAll();
          q.onsuccess = () => {
            const h = q.result[0].history as { epoch: number; loss: number }[];
            res({ epochs: h.map((e) => e.epoch), checkpointEpoch: q.result[0].checkpointEpoch, losses: h.map((e) => e.loss) });
          };
        };
      }),
  );

test('GPU device lost mid-run: the run stops saying where, keeps the epoch-1 checkpoint, offers to resume after a reload too, and resumes from it on wasm to the end', async ({
  page,
}) => {
  const start = Date.now();
  await openWithFault(page, 'gpu-device-lost:train:2:1', 'webgpu');
  console.log(`webgpu ready after ${(Date.now() - start) / 1000} s`);
  await importDemo(page, { train: 32, test: 8, size: 32 });
  const t0 = Date.now();
  await gotoTab(page, 'train');
  await tinyRun(page, 2);
  await page.getByTestId('train').click();
  await expect(page.getByTestId('run-info')).toContainText('webgpu', UNTIL_DONE);
  const state = page.getByTestId('run-state');
  await expect(state).toContainText('failed', UNTIL_DONE);
  await expect(state).toHaveText(
    'failed: The GPU device was lost (reason: destroyed) at epoch 2, step 1 (the browser said: Device was destroyed). The checkpoint of epoch 1 is kept; nothing after it was recorded. Resume from it on webgpu again or on another backend.',
  );
  // no spinner left: the controls of a running run are gone, the resume choices are offered
  await expect(page.getByTestId('stop')).toHaveCount(0);
  await expect(page.getByTestId('resume-on-webgpu')).toHaveText('Resume on webgpu');
  await expect(page.getByTestId('resume-on-webgl')).toHaveText('Resume on webgl');
  await expect(page.getByTestId('resume-on-wasm')).toHaveText('Resume on wasm');
  // nothing of the lost epoch was recorded: one finite epoch, its checkpoint
  expect(await storedEpochs(page)).toMatchObject({ epochs: [1], checkpointEpoch: 1 });
  console.log(`lost after ${(Date.now() - t0) / 1000} s`);
  // the offer outlives the page: after a reload the runs table makes it
  await page.reload();
  await gotoTab(page, 'train');
  const row = page.getByTestId('run-row');
  await expect(row.getByTestId('run-status')).toContainText('failed (The GPU device was lost (reason: destroyed) at epoch 2, step 1');
  await expect(row.getByRole('button', { name: /^Resume on / })).toHaveText(['Resume on webgpu', 'Resume on webgl', 'Resume on wasm']);
  await row.getByTestId('run-resume-on-wasm').click();
  await expect(page.getByTestId('run-info')).toContainText('wasm', UNTIL_DONE);
  await expect(state).toHaveText('done', UNTIL_DONE);
  await expect(page.getByTestId('epoch-count')).toContainText('2 epoch(s) done');
  console.log(`resumed and done after ${(Date.now() - t0) / 1000} s`);
  const after = await storedEpochs(page);
  expect(after.epochs).toEqual([1, 2]);
  expect(after.losses.every(Number.isFinite)).toBe(true);
});

test('GPU device lost while predicting: the prediction runs again on the next backend and says so', async ({ page }) => {
  await openWithFault(page, 'gpu-device-lost:predict', 'wasm');
  await importDemo(page, { train: 48, test: 8, size: 32 });
  // a run to predict with, trained on wasm (quick); the prediction asks for webgpu, the setting then
  await gotoTab(page, 'train');
  await tinyRun(page, 1);
  await page.getByTestId('train').click();
  await expect(page.getByTestId('run-state')).toHaveText('done', UNTIL_DONE);
  await chooseBackend(page, 'webgpu');
  await gotoTab(page, 'predict');
  await page.getByTestId('predict').click();
  await expect(page.getByTestId('predict-fallback')).toHaveText(
    /^⚠ The GPU device was lost \(reason: destroyed\) while predicting on webgpu: predicted again on (webgl|wasm)\.$/,
    UNTIL_DONE,
  );
  await expect(page.getByTestId('predict-backend')).toContainText(/^predicted on (webgl|wasm)/);
  await expect(page.getByTestId('predict-summary')).toContainText('8 test images × 1 run');
  await expect(page.getByTestId('export-error')).toHaveCount(0);
});
