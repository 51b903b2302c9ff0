import { expect, test } from '@playwright/test';
import { gotoTab, importDemo, UNTIL_DONE } from '../fixtures/studio';

/**
 * A batch too large for the adapter, refused by the GPU itself. The check before a run refuses
 * what the memory estimate sees (core/train/memoryCheck.ts); this test reaches the net behind it
 * by switching that check off through the fault-injection flag (docs/reliability.md), then asks
 * for a batch whose first activation needs one buffer over SwiftShader's maxBufferSize (1 GiB).
 */
test('a batch too large for the GPU ends the run with the numbers and a batch that fits; the worker starts again clean', async ({ page }) => {
  await page.addInitScript(() => {
    if (localStorage.getItem('hpa-studio.backend') === null) localStorage.setItem('hpa-studio.backend', 'webgpu');
  });
  const t0 = Date.now();
  await page.goto('/?fault=gpu-memory-check-off');
  await expect(page.getByTestId('backend-active')).toHaveText('Backend: webgpu', UNTIL_DONE);
  // stored at 256 px (the studio refuses an input larger than the stored images); 72 train after the 20 % hold-out, so a batch is 68
  await importDemo(page, { train: 90, test: 4, size: 256, stored: '256' });
  await gotoTab(page, 'train');
  await page.getByRole('button', { name: 'Quick demo' }).click();
  await page.getByLabel('Model', { exact: true }).selectOption('vgg16');
  // VGG16's first convolution at 256 px: 16 MiB an image, so a batch of 68 asks for 1088 MiB
  await page.getByLabel('Input size').fill('256');
  await page.getByLabel('Warm-up epochs (backbone frozen)').fill('0');
  await page.getByLabel('Fine-tune epochs').fill('1');
  await page.getByLabel('Batch size').fill('68');
  console.log(`set up after ${(Date.now() - t0) / 1000} s`);
  await page.getByTestId('train').click();
  const state = page.getByTestId('run-state');
  await expect(state).toContainText('failed', UNTIL_DONE);
  await expect(state).toContainText('failed: Out of GPU memory: batch 68 at 256 px asked the GPU for a single buffer of 1088 MiB, about ');
  await expect(state).toContainText(
    "; the adapter's maxBufferSize is 1024 MiB. Try batch 64. The worker said: buffer size (1140850688) exceeds the device's maxBufferSize limit (1073741824); refused before it reached the GPU.",
  );
  console.log(`failed after ${(Date.now() - t0) / 1000} s: ${await state.textContent()}`);
  await expect(page.getByTestId('stop')).toHaveCount(0);
  // nothing of the failed step was recorded
  await expect(page.getByTestId('epoch-count')).toContainText('0 epoch(s) done');
  // a fresh worker: its training check runs on webgpu again
  await expect(page.getByTestId('backend-active')).toHaveText('Backend: webgpu', UNTIL_DONE);
  const toggle = page.getByTestId('backend-details');
  if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
  await expect(page.getByTestId('backend-check')).toContainText(/^Training check: 3 steps on webgpu, loss \d/, UNTIL_DONE);
});
