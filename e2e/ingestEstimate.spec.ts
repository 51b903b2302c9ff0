import { expect, test } from '@playwright/test';
import { openStudio, UNTIL_DONE } from './fixtures/studio';

/** '2 h 5 min', '17 min 3 s', '42 s' (fmtDuration) in seconds, and how finely it was rounded. */
function seconds(text: string): { s: number; step: number } {
  const h = /(\d+) h (\d+) min/.exec(text);
  if (h) return { s: Number(h[1]) * 3600 + Number(h[2]) * 60, step: 60 };
  const m = /(\d+) min (\d+) s/.exec(text);
  if (m) return { s: Number(m[1]) * 60 + Number(m[2]), step: 1 };
  return { s: Number(/(\d+) s/.exec(text)![1]), step: 1 };
}

test('before an import, the page says how long the full train.zip would take here, from a rate it measured and names', async ({ page }) => {
  // not about backends: wasm is pinned so that no webgpu start checks compete with the measurement
  await openStudio(page, 'wasm');
  const estimate = page.getByTestId('import-estimate');
  await expect(estimate).toContainText('train.zip (31,072 samples, 124,288 PNGs of 512 px, about 14 GB) takes here is not measured yet');
  await expect(page.getByTestId('import-estimate-time')).toHaveCount(0);

  await page.getByTestId('import-estimate-measure').click();
  const time = page.getByTestId('import-estimate-time');
  await expect(time).toBeVisible(UNTIL_DONE);
  const basis = (await page.getByTestId('import-estimate-basis').textContent()) ?? '';
  const m = /measured: ([\d.]+) samples\/s decoding 512-px PNGs \(to 256 px\) in this browser's (\d+) decode workers, today/.exec(basis);
  expect(m, basis).not.toBeNull();
  const rate = Number(m![1]);
  expect(rate).toBeGreaterThan(0);
  // the time is the full count at the stated rate (within the rounding of the rate and of the time)
  const { s, step } = seconds((await time.textContent()) ?? '');
  const exact = 31_072 / rate;
  expect(Math.abs(s - exact)).toBeLessThanOrEqual(exact * (0.05 / rate) + step);

  // the measurement is this browser's: a reload still shows it, with its basis
  await page.reload();
  await expect(page.getByTestId('import-estimate-basis')).toHaveText(`(${basis.replace(/^\(|\)$/g, '')})`);
  await expect(page.getByTestId('import-estimate-measure')).toHaveText('Measure again');
});
