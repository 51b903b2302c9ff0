import { expect, test } from '@playwright/test';
import { importDemo, openStudio, UNTIL_DONE } from './fixtures/studio';

// Produces the README's screenshot (docs/screenshot.png) from the real built app: the demo
// dataset, a short run, its curves and evaluation.
test('README screenshot of the studio', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await openStudio(page, 'wasm');
  await importDemo(page, { train: 120, test: 20 });
  await page.getByRole('button', { name: 'Quick demo' }).click();
  await page.getByLabel('Epochs', { exact: true }).fill('3');
  await page.getByTestId('train').click();
  await expect(page.getByTestId('run-state')).toContainText('done', UNTIL_DONE);
  await expect(page.getByTestId('per-class-table').locator('tbody tr')).toHaveCount(28);
  await page.getByRole('region', { name: 'Train' }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'docs/screenshot.png', fullPage: true });
});
