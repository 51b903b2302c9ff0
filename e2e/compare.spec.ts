import { expect, test, type Page } from '@playwright/test';
import { gotoTab, importDemo, openStudio, UNTIL_DONE } from './fixtures/studio';

async function trainOnce(page: Page) {
  await gotoTab(page, 'train');
  await page.getByTestId('train').click();
  await expect(page.getByTestId('run-state')).toHaveText('done', UNTIL_DONE);
}

const runNames = async (page: Page) => page.getByTestId('run-row').locator('td:first-child').allTextContents();

type Box = { x: number; y: number; width: number; height: number };
const intersect = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

test.describe('comparing runs', () => {
  test('runs of one recipe get different names; the per-class and config tables never overlap at 1280 and 1920 px', async ({ page }) => {
    await openStudio(page, 'wasm');
    await importDemo(page, { train: 40, test: 4 });
    await gotoTab(page, 'train');
    await page.getByRole('button', { name: 'Quick demo' }).click();
    await page.getByLabel('Epochs', { exact: true }).fill('1');
    await page.getByLabel('Batch size').fill('8');
    await trainOnce(page);
    await trainOnce(page);
    // deleting the first run must not hand its number (or name) to the next run of the same recipe
    await page.getByTestId('run-row').first().getByRole('button', { name: 'Delete' }).click();
    await expect(page.getByTestId('run-row')).toHaveCount(1);
    await trainOnce(page);
    await expect(page.getByTestId('run-row')).toHaveCount(2);
    const names = await runNames(page);
    expect(new Set(names).size, names.join(' | ')).toBe(2);

    await gotoTab(page, 'compare');
    const perClass = page.getByTestId('runs-per-class-f1');
    const diff = page.getByTestId('runs-config-diff');
    for (const width of [1280, 1920]) {
      await page.setViewportSize({ width, height: 1000 });
      await expect(perClass.locator('tbody tr')).toHaveCount(28);
      await expect(diff).toBeVisible();
      const a = (await perClass.boundingBox())!;
      const b = (await diff.boundingBox())!;
      expect(intersect(a, b), `at ${width} px: per-class ${JSON.stringify(a)}, config diff ${JSON.stringify(b)}`).toBe(false);
      // and neither table runs out of the page sideways
      for (const box of [a, b]) expect(box.x + box.width).toBeLessThanOrEqual(width);
    }
  });
});
