import { expect, test } from '@playwright/test';
import { gotoTab, importDemo, openStudio, UNTIL_DONE } from './fixtures/studio';

type Row = { step: number; smoothed: number | null; train: number | null; val: number | null };

test('the live run panel: progress, speed, ETA, loss and F1 up front; the lab facts in a closed "Run details"; a loss curve with no step at epoch ends', async ({
  page,
}) => {
  // every text the ETA shows, in order
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { etaTexts: string[] }).etaTexts = seen;
    new MutationObserver(() => {
      const text = document.querySelector('[data-testid=eta]')?.textContent;
      if (text && seen.at(-1) !== text) seen.push(text);
    }).observe(document, { subtree: true, childList: true, characterData: true });
  });
  await openStudio(page, 'wasm');
  await importDemo(page, { train: 200, test: 8 });
  await gotoTab(page, 'train');
  await page.getByRole('button', { name: 'Quick demo' }).click();
  await expect(page.getByLabel('Input size', { exact: true })).toHaveValue('32'); // the demo is stored at 32 px
  await page.getByLabel('Epochs', { exact: true }).fill('3');
  await page.getByTestId('train').click();

  const headline = page.getByTestId('run-progress');
  const details = page.getByTestId('run-details');
  await expect(headline).toBeVisible(UNTIL_DONE);
  await expect(details).toBeVisible();
  await expect(details).not.toHaveAttribute('open');
  await expect(page.getByTestId('data-path')).toBeHidden();
  await expect(page.getByTestId('run-state')).toContainText('done', UNTIL_DONE);

  // the headline: epoch, batch, img/s, ETA, smoothed loss, latest and best val macro F1, and nothing of the lab notebook
  await expect(headline.locator('span').first()).toHaveText(/^epoch 3\/3 · batch (\d+)\/\1$/);
  await expect(page.getByTestId('images-per-second')).toHaveText(/^[\d.]+ img\/s$/);
  await expect(page.getByTestId('eta')).toHaveText('ETA –');
  await expect(page.getByTestId('live-loss')).toHaveText(/^loss 0\.\d{4}$/);
  await expect(page.getByTestId('live-f1')).toHaveText(/^val macro F1 \d\.\d{4} \(best \d\.\d{4}\)$/);
  for (const part of ['images-per-second', 'eta', 'live-loss', 'live-f1']) await expect(page.getByTestId(part)).toBeVisible();
  for (const fact of ['tensors', 'OPFS', 'steps through tfjs', 'data wait']) await expect(headline).not.toContainText(fact);
  // the lab facts: in the closed disclosure, shown when it is opened
  await expect(details).toContainText('tensors');
  await expect(details).toContainText('on the backend');
  await expect(page.getByTestId('step-replay')).toHaveText('steps through tfjs');
  await expect(page.getByTestId('data-path')).toHaveText(/^images: (OPFS|IndexedDB) by .*, held in memory \([\d.]+ kB\)$/);
  await details.getByText('Run details').click();
  await expect(page.getByTestId('data-path')).toBeVisible();
  await expect(page.getByTestId('run-info')).toContainText('wasm');

  // the ETA said "estimating…" until it had evidence, then durations that never jumped up by more than 1.25× (+1 s of rounding)
  const etaTexts = await page.evaluate(() => (window as unknown as { etaTexts: string[] }).etaTexts);
  console.log(`ETA texts: ${etaTexts.join(' | ')}`);
  expect(etaTexts[0]).toBe('ETA estimating…');
  const seconds = etaTexts.map((t) => t.match(/^ETA (?:(\d+) min )?(\d+) s$/)).flatMap((m) => (m ? [Number(m[1] ?? 0) * 60 + Number(m[2])] : []));
  expect(seconds.length).toBeGreaterThan(0);
  for (let i = 1; i < seconds.length; i++) expect(seconds[i], `ETA ${seconds[i - 1]} s → ${seconds[i]} s`).toBeLessThanOrEqual(seconds[i - 1] * 1.25 + 1);

  // the loss chart's text alternative: the plotted numbers
  const batchesPerEpoch = Number((await headline.locator('span').first().textContent())!.match(/batch \d+\/(\d+)/)![1]);
  await page.getByTestId('loss-curve-data').getByText('Loss curve data').click();
  const rows: Row[] = (
    await page
      .getByTestId('loss-curve-data')
      .locator('tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')))
  ).map(([step, , smoothed, train, val]) => ({
    step: Number(step),
    smoothed: smoothed ? Number(smoothed) : null,
    train: train ? Number(train) : null,
    val: val ? Number(val) : null,
  }));
  const curve = rows.filter((r) => r.smoothed !== null) as (Row & { smoothed: number })[];
  expect(rows.filter((r) => r.train !== null)).toHaveLength(3);
  expect(rows.filter((r) => r.val !== null).map((r) => r.step)).toEqual([1, 2, 3].map((e) => e * batchesPerEpoch));
  const at = (step: number) => {
    const i = curve.findIndex((p) => p.step >= step);
    if (i <= 0) return curve[Math.max(0, i)].smoothed;
    const [a, b] = [curve[i - 1], curve[i]];
    return a.smoothed + ((b.smoothed - a.smoothed) * (step - a.step)) / (b.step - a.step);
  };
  for (const e of [1, 2]) {
    // across each epoch boundary the smoothed batch loss moves by less than 1.3×
    const before = curve.filter((p) => p.step <= e * batchesPerEpoch).at(-1)!;
    const after = curve.find((p) => p.step > e * batchesPerEpoch)!;
    const step = Math.max(before.smoothed, after.smoothed) / Math.min(before.smoothed, after.smoothed);
    console.log(`epoch ${e} boundary: smoothed ${before.smoothed} (step ${before.step}) → ${after.smoothed} (step ${after.step})`);
    expect(step).toBeLessThan(1.3);
  }
  const means = rows.filter((x) => x.train !== null);
  // each epoch's mean training loss is drawn at the epoch's middle step, where it belongs (drawn at the
  // epoch's end, epoch 1's mean stood 1.5× above the batch curve: the reported 'jump')
  expect(means.map((r) => r.step)).toEqual([1, 2, 3].map((e) => (e - 0.5) * batchesPerEpoch));
  for (const [i, r] of means.entries()) {
    const ratio = r.train! / at(r.step);
    console.log(`train mean ${r.train} at step ${r.step}: curve ${at(r.step).toFixed(4)}, ratio ${ratio.toFixed(3)}`);
    // from epoch 2 it sits on the smoothed curve; in epoch 1 the smoothing still carries the first,
    // high batches (measured 0.75–0.97 there), so only the position is asserted
    if (i === 0) continue;
    expect(ratio).toBeGreaterThan(1 / 1.3);
    expect(ratio).toBeLessThan(1.3);
  }
});
