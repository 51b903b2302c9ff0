import { readFileSync } from 'node:fs';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { decode } from 'fast-png';
import { CLASS_NAMES } from '../src/core/labels';
import { gotoTab, importDemo, openStudio, UNTIL_DONE, waitForRunEnd } from './fixtures/studio';

const DEMO = { train: 48, test: 8, size: 32 };

/** A 2D canvas's RGBA pixels. */
function rgba(canvas: Locator): Promise<number[]> {
  return canvas.evaluate((c: HTMLCanvasElement) => Array.from(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data));
}

/** How many of the overlay canvas's pixels are not fully transparent. */
function opaquePixels(overlay: Locator): Promise<number> {
  return overlay.evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
    return n;
  });
}

const longTasks = (page: Page) => page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks.slice());

test('class activation maps: a trained run’s map over a sample, class / stage / opacity, the probability table, PNG export, following ← →, no long task while the opacity moves', async ({
  page,
}) => {
  test.setTimeout(900_000);
  await page.addInitScript(() => {
    (window as unknown as { longTasks: number[] }).longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) (window as unknown as { longTasks: number[] }).longTasks.push(e.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
  // not about backends: wasm is pinned, and the CAM worker asks for the backend the run trained on
  await openStudio(page, 'wasm');
  await importDemo(page, DEMO);
  await gotoTab(page, 'train');
  await page.getByRole('button', { name: 'Quick demo' }).click();
  // GAPNet-PL: three pooled stages to map
  await page.getByLabel('Model', { exact: true }).selectOption('gapnet-pl');
  await page.getByLabel('Epochs', { exact: true }).fill('1');
  await page.getByLabel('Batch size').fill('8');
  await page.getByTestId('train').click();
  await waitForRunEnd(page);

  await gotoTab(page, 'explore');
  const grid = page.getByRole('grid', { name: 'Samples' });
  const cells = grid.getByRole('gridcell');
  await expect(cells.first()).toBeVisible(UNTIL_DONE);
  const firstId = (await cells.first().getAttribute('data-sample-id'))!;
  await cells.first().click();
  const viewer = page.getByTestId('sample-viewer');
  await expect(viewer.getByTestId('viewer-sample-id')).toHaveText(firstId);
  const panel = viewer.getByRole('region', { name: 'Class activation map' });

  // the first map takes the worker's start and the model's load: it can be cancelled, and asked for again
  await panel.getByTestId('cam-cancel').click();
  await expect(panel.getByTestId('cam-cancelled')).toBeVisible();
  await panel.getByRole('button', { name: 'Compute again' }).click();

  // the map of the top predicted class appears over the composite, on the deepest stage
  const overlay = viewer.getByTestId('cam-overlay');
  await expect(overlay).toHaveAttribute('data-sample', firstId, UNTIL_DONE);
  await expect(panel.getByTestId('cam-caption')).toContainText('Grad-CAM of');
  await expect(panel.getByTestId('cam-caption')).toContainText('on wasm');
  expect(await opaquePixels(overlay)).toBeGreaterThan(0);
  // a resize model's map covers the whole image
  expect(await overlay.boundingBox()).toEqual(await viewer.getByTestId('viewer-canvas').boundingBox());

  // the probability table: 28 classes with the thresholds in force (0.5 until set in Evaluate), highest probability first
  const rows = viewer.getByTestId('cam-prob-row');
  await expect(rows).toHaveCount(28);
  await expect(viewer.getByTestId('cam-threshold')).toHaveText(new Array(28).fill('0.50'));
  const probs = (await viewer.getByTestId('cam-prob').allTextContents()).map(Number);
  expect(probs).toEqual([...probs].sort((a, b) => b - a));
  const top = Number(await rows.first().getAttribute('data-class'));
  await expect(overlay).toHaveAttribute('data-class', String(top));
  await expect(panel.getByLabel('CAM class').locator('option').first()).toHaveText(`Top predicted (${top} · ${CLASS_NAMES[top]})`);
  // sorted by class on request
  await viewer.getByRole('button', { name: 'Class', exact: true }).click();
  expect(await rows.evaluateAll((rs) => rs.map((r) => Number(r.getAttribute('data-class'))))).toEqual(Array.from({ length: 28 }, (_, c) => c));

  // stage: GAPNet-PL has three; a shallower stage gives a larger map
  const stage = panel.getByLabel('CAM stage');
  await expect(stage.locator('option')).toHaveCount(3);
  await expect(stage.locator('option').first()).toContainText('(deepest)');
  const deepest = (await stage.inputValue()) || '';
  const deepMap = (await panel.getByTestId('cam-caption').textContent())!.match(/\((\d+)×(\d+) map\)/)!;
  const shallow = (await stage.locator('option').nth(2).getAttribute('value'))!;
  await stage.selectOption(shallow);
  await expect(overlay).toHaveAttribute('data-stage', shallow, UNTIL_DONE);
  expect(shallow).not.toBe(deepest);
  const shallowMap = (await panel.getByTestId('cam-caption').textContent())!.match(/\((\d+)×(\d+) map\)/)!;
  expect(Number(shallowMap[1])).toBeGreaterThan(Number(deepMap[1]));
  expect(await opaquePixels(overlay)).toBeGreaterThan(0);

  // opacity: only the overlay's CSS opacity changes
  const opacity = panel.getByLabel('CAM opacity');
  await opacity.fill('25');
  await expect(panel.getByTestId('cam-opacity')).toHaveText('25 %');
  await expect(overlay).toHaveCSS('opacity', '0.25');

  // export: composite + overlay at the stored resolution
  const [download] = await Promise.all([page.waitForEvent('download'), panel.getByTestId('cam-download').click()]);
  expect(download.suggestedFilename()).toBe(`${firstId}_${CLASS_NAMES[top].replace(/[^A-Za-z0-9.-]+/g, '_')}_cam.png`);
  const png = decode(readFileSync((await download.path())!));
  expect([png.width, png.height, png.channels]).toEqual([DEMO.size, DEMO.size, 4]);
  // where the overlay is see-through the PNG is the composite as shown; where it is hot, it is not
  const composite = await rgba(viewer.getByTestId('viewer-canvas'));
  const heat = await rgba(overlay);
  let changed = 0;
  for (let p = 0; p < DEMO.size * DEMO.size; p++) {
    const same = [0, 1, 2, 3].every((c) => png.data[p * 4 + c] === composite[p * 4 + c]);
    if (heat[p * 4 + 3] === 0) expect(same).toBe(true);
    else if (!same) changed++;
  }
  expect(changed).toBeGreaterThan(0);

  // class: another class's map
  const other = top === 5 ? 6 : 5;
  await panel.getByLabel('CAM class').selectOption(String(other));
  await expect(overlay).toHaveAttribute('data-class', String(other), UNTIL_DONE);
  await expect(panel.getByTestId('cam-caption')).toContainText(`Grad-CAM of ${other} · ${CLASS_NAMES[other]}`);
  await expect(overlay).toHaveAttribute('data-stage', shallow); // the stage picked stays
  // a class's map can be zero everywhere (the ReLU of its weighted sum); the caption then says so and nothing is drawn
  const zero = (await panel.getByTestId('cam-caption').textContent())!.includes('Zero everywhere');
  expect((await opaquePixels(overlay)) > 0).toBe(!zero);

  // No main-thread task over 50 ms while the opacity slider moves, with the viewer and its map open. The
  // slider is found by test id: Playwright's role and label queries run on the page's main thread and
  // walk the whole document, which alone can make a long task.
  const slider = viewer.getByTestId('cam-opacity-slider');
  await slider.focus();
  const before = (await longTasks(page)).length;
  for (let i = 0; i < 40; i++) await page.keyboard.press(i % 20 < 10 ? 'ArrowRight' : 'ArrowLeft');
  for (const v of [0, 100, 10, 90, 50, 75, 5, 60]) await slider.fill(String(v));
  await expect(overlay).toHaveCSS('opacity', '0.6');
  const during = (await longTasks(page)).slice(before);
  // what one move costs the main thread: the input event through React's render of the slider and the overlay
  const costs = await slider.evaluate(async (el: HTMLInputElement) => {
    const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
    const ms: number[] = [];
    for (let i = 0; i < 60; i++) {
      const t = performance.now();
      setValue.call(el, String((i * 7) % 101));
      el.dispatchEvent(new Event('input', { bubbles: true }));
      ms.push(performance.now() - t);
      await new Promise((r) => requestAnimationFrame(r));
    }
    return ms.sort((a, b) => a - b);
  });
  console.log(
    `CAM opacity: 48 moves, ${during.length} long task(s), longest ${Math.max(0, ...during).toFixed(0)} ms; one move's event and render: median ${costs[30].toFixed(2)} ms, max ${costs[59].toFixed(2)} ms`,
  );
  expect(during.filter((d) => d > 50)).toEqual([]);

  // → moves to the next sample and the map follows it (same class and stage as picked)
  const secondId = (await cells.nth(1).getAttribute('data-sample-id'))!;
  await viewer.getByTestId('viewer-sample-id').click();
  await page.keyboard.press('ArrowRight');
  await expect(viewer.getByTestId('viewer-sample-id')).toHaveText(secondId);
  await expect(overlay).toHaveAttribute('data-sample', secondId, UNTIL_DONE);
  await expect(overlay).toHaveAttribute('data-class', String(other));
  await expect(overlay).toHaveAttribute('data-stage', shallow);
  await page.keyboard.press('Escape');
  await expect(viewer).toHaveCount(0);
});
