import { expect, test } from '@playwright/test';

// Produces the README's screenshot (docs/screenshot.png) from the real built app: the demo
// dataset, a short run, its curves and evaluation.
test('README screenshot of the studio', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto('/');
  await page.getByText('Demo size').click();
  await page.getByLabel('Demo train').fill('120');
  await page.getByLabel('Demo test').fill('20');
  await page.getByLabel('Demo size').fill('32');
  await page.getByTestId('demo-dataset').click();
  await expect(page.getByTestId('import-summary')).toContainText('140 samples imported');
  await page.getByRole('button', { name: 'Quick demo' }).click();
  await page.getByLabel('Epochs', { exact: true }).fill('3');
  await page.getByTestId('train').click();
  await expect(page.getByTestId('run-state')).toContainText('done', { timeout: 170_000 });
  await expect(page.getByTestId('per-class-table').locator('tbody tr')).toHaveCount(28);
  await page.getByRole('region', { name: 'Train' }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'docs/screenshot.png', fullPage: true });
});
