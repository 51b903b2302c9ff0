import { expect, test } from '@playwright/test';

test('without WebGPU the studio falls back to WebGL, trains on it and says why', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('backend-active')).toHaveText('Backend: webgl');
  await expect(page.getByTestId('backend-reason')).toContainText(/webgpu not used: (no navigator\.gpu|adapter null)/);
  await expect(page.getByTestId('backend-check')).toContainText(/Training check: 3 steps on webgl/);
  // int32 indices in WebGL are floats: the one-gather augmentation matched the positions read in JavaScript
  await expect(page.getByTestId('backend-reason')).toContainText('crops and flips of a batch in one gather (checked)');
});
