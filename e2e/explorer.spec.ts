import { expect, test, type Page } from '@playwright/test';
import { CLASS_NAMES } from '../src/core/labels';
import { gotoTab, importDemo, openStudio, UNTIL_DONE } from './fixtures/studio';

const fmt = (n: number) => n.toLocaleString('en-US');

/** The imported samples as stored (read straight from IndexedDB, not through the Explorer). */
async function storedSamples(page: Page): Promise<{ id: string; split: string; labels: number[] }[]> {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('hpa-studio');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const req = open.result.transaction('samples').objectStore('samples').getAll();
          req.onerror = () => reject(req.error);
          req.onsuccess = () =>
            resolve((req.result as { id: string; split: string; labels: number[] }[]).map(({ id, split, labels }) => ({ id, split, labels })));
        };
      }),
  );
}

/** Sums of the R, G and B channels of the viewer's canvas (a 2D canvas, readable headless). */
async function canvasSums(page: Page): Promise<[number, number, number]> {
  return page.getByTestId('viewer-canvas').evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const s: [number, number, number] = [0, 0, 0];
    for (let i = 0; i < d.length; i += 4) {
      s[0] += d[i];
      s[1] += d[i + 1];
      s[2] += d[i + 2];
    }
    return s;
  });
}

test('the explorer shows the demo dataset: count, class filter, sample viewer channels, charts', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  // not about backends: wasm is pinned so that no webgpu start checks compete with the import
  await openStudio(page, 'wasm');
  // a small demo (60 train + 20 test at 32 px, stored at 128 px) keeps the import short
  await importDemo(page, { train: 60, test: 20, size: 32, stored: '128' });
  await expect(page.getByTestId('dataset-status').first()).toHaveText('ready');
  await gotoTab(page, 'explore');
  const region = page.getByRole('region', { name: 'Explorer' });
  await expect(region.getByRole('heading', { name: /^Explore / })).toBeVisible(UNTIL_DONE);
  const explorer = region.getByTestId('explorer');
  const count = explorer.getByTestId('explorer-count');
  await expect(count).toHaveText(/^[\d,]+ of [\d,]+ samples$/);

  const samples = await storedSamples(page);
  const total = samples.length;
  expect(total).toBeGreaterThan(4);
  await expect(count).toHaveText(`${fmt(total)} of ${fmt(total)} samples`);
  const grid = explorer.getByRole('grid', { name: 'Samples' });
  await expect(grid.getByRole('gridcell').first()).toBeVisible();
  // windowed: the demo's first cells are in the DOM, and never more cells than samples
  expect(await grid.getByRole('gridcell').count()).toBeLessThanOrEqual(total);

  // The class bar chart has one bar per class, each reporting the stored count.
  const bars = explorer.getByTestId('class-bar');
  await expect(bars).toHaveCount(28);
  const perClass = CLASS_NAMES.map((_, c) => samples.filter((s) => s.labels.includes(c)).length);
  expect(await bars.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-count'))))).toEqual(perClass);

  // Filter by the most frequent class that not every sample has: the count drops to the samples with that label.
  const c = perClass
    .map((n, k) => [n, k])
    .filter(([n]) => n > 0 && n < total)
    .sort((a, b) => b[0] - a[0])[0][1];
  await explorer
    .getByRole('group', { name: 'Filter by class' })
    .getByRole('button', { name: `${c} ${CLASS_NAMES[c]}`, exact: true })
    .click();
  await expect(count).toHaveText(`${fmt(perClass[c])} of ${fmt(total)} samples`);
  const shown = grid.getByRole('gridcell');
  await expect(shown.first()).toBeVisible();
  for (const cell of await shown.all()) await expect(cell.locator(`.label-chip[data-class="${c}"]`)).toHaveCount(1);

  // Open the first filtered sample: id, split and label chips; then toggle Green off.
  const firstId = await shown.first().getAttribute('data-sample-id');
  const first = samples.find((s) => s.id === firstId)!;
  await shown.first().click();
  const viewer = page.getByTestId('sample-viewer');
  await expect(viewer).toBeVisible();
  await expect(viewer.getByTestId('viewer-sample-id')).toHaveText(first.id);
  await expect(viewer.getByTestId('viewer-split')).toHaveText(first.split);
  await expect(viewer.locator('.label-chip')).toHaveText(first.labels.map((l) => `${l} · ${CLASS_NAMES[l]}`));
  await expect(viewer.locator('.viewer-caption')).not.toHaveText('Loading pixels…');
  const before = await canvasSums(page);
  expect(before[1]).toBeGreaterThan(0);
  await viewer.getByLabel('Green', { exact: true }).uncheck();
  await expect.poll(async () => (await canvasSums(page))[1]).toBeLessThan(before[1]);
  const after = await canvasSums(page);
  expect([after[0], after[2]]).toEqual([before[0], before[2]]); // red and blue untouched
  await viewer.getByLabel('Green', { exact: true }).check();
  await expect.poll(async () => (await canvasSums(page))[1]).toBe(before[1]);

  // Keyboard: → opens the next filtered sample, Esc closes the viewer.
  if (perClass[c] > 1) {
    const secondId = await shown.nth(1).getAttribute('data-sample-id');
    await page.keyboard.press('ArrowRight');
    await expect(viewer.getByTestId('viewer-sample-id')).toHaveText(secondId!);
  }
  await page.keyboard.press('Escape');
  await expect(viewer).toHaveCount(0);

  // Split filter: train only.
  await explorer
    .getByRole('group', { name: 'Filter by class' })
    .getByRole('button', { name: `${c} ${CLASS_NAMES[c]}`, exact: true })
    .click();
  await explorer.getByLabel('Split', { exact: true }).selectOption('train');
  const train = samples.filter((s) => s.split === 'train').length;
  await expect(count).toHaveText(`${fmt(train)} of ${fmt(total)} samples`);
  await explorer.getByLabel('Split', { exact: true }).selectOption('all');

  // Co-occurrence heatmap: hovering the most frequent pair names it with its stored count.
  let best = [0, 1, -1];
  for (let i = 0; i < 28; i++)
    for (let j = i + 1; j < 28; j++) {
      const n = samples.filter((s) => s.labels.includes(i) && s.labels.includes(j)).length;
      if (n > best[2]) best = [i, j, n];
    }
  await explorer.locator(`[data-testid="cooccurrence-heatmap"] rect[data-i="${best[0]}"][data-j="${best[1]}"]`).hover();
  await expect(explorer.getByTestId('heatmap-hover')).toHaveText(`${CLASS_NAMES[best[0]]} & ${CLASS_NAMES[best[1]]}: ${fmt(best[2])}`);

  expect(errors).toEqual([]);
});
