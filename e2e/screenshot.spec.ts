import { expect, test } from '@playwright/test';

// Produces the README's screenshot (docs/screenshot.png) from the real built app.
test('README screenshot of the studio', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto('/');
  await expect(page.getByTestId('backend-check')).toContainText('Training check: 3 steps on webgpu');
  await page.screenshot({ path: 'docs/screenshot.png' });
});
