import { expect, test } from '@playwright/test';
import { countsAtThresholds, f1Report } from '../src/core/metrics';
import { gotoTab, importDemo, openStudio, UNTIL_DONE, storedValidation } from './fixtures/studio';

// A new user's first run: the teaching demo and the Quick demo preset, at e2e size (32 px, 400
// samples). The model must learn something a constant guess cannot: macro F1 at per-class
// thresholds above the all-positive baseline of the same validation rows, by a clear margin.
test('the teaching demo with the Quick demo preset learns beyond the all-positive baseline', async ({ page }) => {
  test.setTimeout(900_000);
  await openStudio(page, 'wasm');
  await importDemo(page, { train: 400, test: 20, size: 32, kind: 'teaching' });
  await expect(page.getByTestId('dataset-row').first()).toContainText('Teaching demo 32 px');
  await gotoTab(page, 'train');
  await page.getByRole('button', { name: 'Quick demo' }).click();
  await page.getByTestId('train').click();
  await expect(page.getByTestId('run-state')).toContainText('done', UNTIL_DONE);

  const { probs, truth } = await storedValidation(page);
  const t = Uint8Array.from(truth);
  const allPositive = f1Report(countsAtThresholds(t, new Float32Array(truth.length).fill(1), 0.5, 28), 'zero').macroF1;
  const atHalf = f1Report(countsAtThresholds(t, Float32Array.from(probs), 0.5, 28), 'zero').macroF1;

  await gotoTab(page, 'evaluate');
  await page.getByRole('button', { name: 'Per-class', exact: true }).click();
  const shown = async () => Number((await page.getByTestId('macro-f1').textContent())!.match(/(\d\.\d{4})/)?.[1] ?? NaN);
  await expect.poll(shown).toBeGreaterThan(0);
  const tuned = await shown();
  console.log(
    `teaching demo, quick preset, ${truth.length / 28} validation rows: macro F1 all-positive ${allPositive.toFixed(4)}, at 0.5 ${atHalf.toFixed(4)}, per-class thresholds ${tuned.toFixed(4)}`,
  );
  expect(tuned).toBeGreaterThan(allPositive + 0.1);
  expect(atHalf).toBeGreaterThan(0);
});
