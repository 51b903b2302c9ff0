import { expect, test, type Page } from '@playwright/test';
import { countsAtThresholds, f1Report } from '../src/core/metrics';

async function demo(page: Page, train = 48, test = 8) {
  await page.getByText('Demo size').click();
  await page.getByLabel('Demo train').fill(String(train));
  await page.getByLabel('Demo test').fill(String(test));
  await page.getByLabel('Demo size').fill('32');
  await page.getByTestId('demo-dataset').click();
  await expect(page.getByTestId('import-summary')).toContainText(`${train + test} samples imported`);
}

async function quickRecipe(page: Page, epochs: number) {
  await page.getByRole('button', { name: 'Quick demo' }).click();
  await page.getByLabel('Epochs', { exact: true }).fill(String(epochs));
  await page.getByLabel('Batch size').fill('8');
}

test.describe('training in the studio', () => {
  test('demo → one short epoch on webgpu: loss points, 28-row table, a slider moves macro F1 to the core value', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByTestId('backend-active')).toHaveText('Backend: webgpu');
    await demo(page);
    await quickRecipe(page, 1);
    await page.getByTestId('train').click();
    await expect(page.getByTestId('run-info')).toContainText('webgpu');
    await expect(page.getByTestId('epoch-count')).toContainText('1 epoch(s) done', { timeout: 150_000 });
    await expect(page.getByTestId('run-state')).toContainText('done');
    await expect(page.getByTestId('per-class-table').locator('tbody tr')).toHaveCount(28);
    const slider = page.getByLabel('Global threshold');
    await slider.fill('0.3');
    const shown = Number((await page.getByTestId('macro-f1').textContent())!.match(/(\d\.\d{4})/)![1]);
    const { probs, truth } = await page.evaluate(
      () =>
        new Promise<{ probs: number[]; truth: number[] }>((res) => {
          const r = indexedDB.open('hpa-studio');
          r.onsuccess = () => {
            const q = r.result.transaction('runs').objectStore('runs').getAll();
            q.onsuccess = () => res({ probs: Array.from(q.result[0].valProbs as Float32Array), truth: Array.from(q.result[0].valTruth as Uint8Array) });
          };
        }),
    );
    const expected = f1Report(countsAtThresholds(Uint8Array.from(truth), Float32Array.from(probs), 0.3, 28), 'zero').macroF1;
    expect(shown).toBeCloseTo(expected, 4);
  });
});
