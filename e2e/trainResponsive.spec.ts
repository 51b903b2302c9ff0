import { expect, test } from '@playwright/test';
import { gotoTab, openStudio, UNTIL_DONE, waitForTestIdText } from './fixtures/studio';
import { demo, quickRecipe } from './fixtures/trainRecipes';
import { longTasks, recordLongTasks } from './fixtures/longTasks';

// Playwright's trace snapshots the page's DOM in its main thread at every action: it would be measured as the studio's
test.use({ trace: 'off' });

test('the main thread has no task longer than 50 ms while a run trains', async ({ page }) => {
  await recordLongTasks(page);
  await openStudio(page, 'wasm');
  await demo(page);
  await quickRecipe(page, 3);
  await page.getByLabel('Batch size').fill('4');
  await page.getByTestId('train').click();
  await expect(page.getByTestId('run-progress')).toBeVisible(UNTIL_DONE);
  const count = async () => (await longTasks(page)).length;
  const since = async (n: number) => (await longTasks(page)).slice(n);
  // the first epoch on the Train area's live curves
  const onTrain = await count();
  await waitForTestIdText(page, 'epoch-count', '1 epoch(s) done');
  const duringTrain = await since(onTrain);
  // the user opens Evaluate (drawing it is the click's work, not training's); then its charts redraw per epoch
  const atSwitch = await count();
  await gotoTab(page, 'evaluate');
  await expect(page.getByTestId('per-class-table').locator('tbody tr')).toHaveCount(28);
  const switchTasks = await since(atSwitch);
  const onEvaluate = await count();
  await waitForTestIdText(page, 'live-chip', 'Last run');
  const duringEvaluate = await since(onEvaluate);
  await expect(page.getByTestId('live-chip-state')).toHaveText('done');
  const fmt = (t: number[]) => `${t.length}, longest ${Math.max(0, ...t).toFixed(0)} ms`;
  console.log(`long tasks while training: on Train ${fmt(duringTrain)}; on Evaluate ${fmt(duringEvaluate)} (opening Evaluate: ${fmt(switchTasks)})`);
  expect(duringTrain.filter((d) => d > 50)).toEqual([]);
  expect(duringEvaluate.filter((d) => d > 50)).toEqual([]);
  // the charts it redrew show the run: a column per class, a precision–recall line, the loss curve and three epochs' dots
  await expect(page.getByTestId('per-class-f1-chart').locator('.f1-bars-col')).toHaveCount(28);
  await expect(page.getByTestId('pr-curve').locator('[data-series="precision"] path')).toHaveAttribute('d', /^M.+L/);
  await gotoTab(page, 'train');
  const loss = page.getByRole('img', { name: 'Loss curve' });
  await expect(loss.locator('[data-series="smoothed"] path')).toHaveAttribute('d', /^M.+L/);
  await expect(loss.locator('[data-series="train"] circle')).toHaveCount(3);
  await expect(loss.locator('[data-series="val"] circle')).toHaveCount(3);
  await expect(page.getByRole('img', { name: 'Validation macro F1 by epoch' }).locator('[data-series="f1"] circle')).toHaveCount(3);
});
