import { readFileSync } from 'node:fs';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { decode } from 'fast-png';
import { CLASS_NAMES } from '../src/core/labels';
import { gotoTab, importDemo, openStudio, UNTIL_DONE } from './fixtures/studio';

// stored at 48 px (import never upscales): a 32 px crop model sees the centre 32 px, a resize model the whole image
const STORED = 48;
const DEMO = { train: 48, test: 8, size: STORED };

/** One short GAPNet-PL run (three pooled stages to map) at a 32 px input, cropped or resized from the stored images. */
async function trainRun(page: Page, mode: 'crop' | 'resize', runs: number) {
  await page.getByRole('button', { name: 'Quick demo' }).click();
  await page.getByLabel('Model', { exact: true }).selectOption('gapnet-pl');
  await page.getByLabel('Input size', { exact: true }).fill('32');
  await page.getByLabel('Crop or resize').selectOption(mode);
  await page.getByLabel('Epochs', { exact: true }).fill('1');
  await page.getByLabel('Batch size').fill('8');
  await page.getByTestId('train').click();
  await expect(page.getByTestId('run-row')).toHaveCount(runs, UNTIL_DONE);
  await expect(page.getByTestId('run-status').nth(runs - 1)).toHaveText('done', UNTIL_DONE);
}

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

interface LongTask {
  start: number;
  duration: number;
}
/** The page's long tasks that started between two of its clock readings. */
const longTasksBetween = (page: Page, from: number, to: number) =>
  page.evaluate(([a, b]) => (window as unknown as { longTasks: LongTask[] }).longTasks.filter((t) => t.start >= a && t.start <= b), [from, to]);
const pageClock = (page: Page) => page.evaluate(() => performance.now());

test('class activation maps: a trained run’s map over a sample, class / stage / opacity, the probability table, PNG export, following ← →, no long task while the opacity moves; a run without weights is named', async ({
  page,
}) => {
  test.setTimeout(900_000);
  await page.addInitScript(() => {
    (window as unknown as { longTasks: LongTask[] }).longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) (window as unknown as { longTasks: LongTask[] }).longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
  // not about backends: wasm is pinned, and the CAM worker asks for the backend the run trained on
  await openStudio(page, 'wasm');
  await importDemo(page, DEMO);
  await gotoTab(page, 'train');
  await trainRun(page, 'crop', 1);
  // the newer run, which the viewer opens with
  await trainRun(page, 'resize', 2);

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
  // a map can be zero everywhere (the ReLU of its weighted sum): the caption then says so and nothing is drawn
  const drawn = async () => {
    const zero = (await panel.getByTestId('cam-caption').textContent())!.includes('Zero everywhere');
    const opaque = await opaquePixels(overlay);
    expect(opaque > 0).toBe(!zero);
    return opaque > 0;
  };
  const mapSide = async () => Number((await panel.getByTestId('cam-caption').textContent())!.match(/\((\d+)×\d+ map\)/)![1]);
  const drawnAt = new Map<string, boolean>();
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

  // stage: GAPNet-PL has three, deepest first; the top class's map is drawn at one of them at least
  const stage = panel.getByLabel('CAM stage');
  await expect(stage.locator('option')).toHaveCount(3);
  await expect(stage.locator('option').first()).toContainText('(deepest)');
  const stages = await stage.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
  await expect(overlay).toHaveAttribute('data-stage', stages[0]);
  drawnAt.set(stages[0], await drawn());
  const sides = [await mapSide()];
  for (const id of stages.slice(1)) {
    await stage.selectOption(id);
    await expect(overlay).toHaveAttribute('data-stage', id, UNTIL_DONE);
    sides.push(await mapSide());
    drawnAt.set(id, await drawn());
  }
  // shallower stages map at least as finely (at a 32 px input the two deeper ones are both 2×2)
  expect(sides).toEqual([...sides].sort((a, b) => a - b));
  expect(sides[2]).toBeGreaterThan(sides[0]);
  const shown = stages.find((id) => drawnAt.get(id));
  expect(shown, `the top class's map is zero at every stage: ${JSON.stringify([...drawnAt])}`).toBeDefined();
  await stage.selectOption(shown!);
  await expect(overlay).toHaveAttribute('data-stage', shown!, UNTIL_DONE);

  // opacity: only the overlay's CSS opacity changes
  const opacity = panel.getByLabel('CAM opacity');
  await opacity.fill('25');
  await expect(panel.getByTestId('cam-opacity')).toHaveText('25 %');
  await expect(overlay).toHaveCSS('opacity', '0.25');

  // export: composite + overlay at the stored resolution
  const [download] = await Promise.all([page.waitForEvent('download'), panel.getByTestId('cam-download').click()]);
  expect(download.suggestedFilename()).toBe(`${firstId}_${CLASS_NAMES[top].replace(/[^A-Za-z0-9.-]+/g, '_')}_cam.png`);
  const png = decode(readFileSync((await download.path())!));
  expect([png.width, png.height, png.channels]).toEqual([STORED, STORED, 4]);
  // where the overlay is see-through the PNG is the composite as shown; where it is hot, it is not
  const composite = await rgba(viewer.getByTestId('viewer-canvas'));
  const heat = await rgba(overlay);
  let changed = 0;
  for (let p = 0; p < STORED * STORED; p++) {
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
  await expect(overlay).toHaveAttribute('data-stage', shown!); // the stage picked stays
  await drawn();

  // No main-thread task over 50 ms while the opacity slider moves, with the viewer and its map open. The
  // moves are key presses: they run no Playwright script in the page, whose queries (role and label ones
  // above all) walk the whole document on the page's main thread and could make a long task themselves.
  const slider = viewer.getByTestId('cam-opacity-slider');
  await slider.focus();
  await expect(panel.getByTestId('cam-opacity')).toHaveText('25 %');
  const keys = [...new Array(20).fill('ArrowRight'), 'End', ...new Array(10).fill('ArrowLeft'), 'Home', ...new Array(15).fill('ArrowRight')];
  const from = await pageClock(page);
  for (const key of keys) await page.keyboard.press(key);
  const to = await pageClock(page);
  await expect(overlay).toHaveCSS('opacity', '0.15');
  await expect(viewer.getByTestId('cam-opacity')).toHaveText('15 %');
  // (read after those checks: the observer hears of a task just after it ends)
  const during = (await longTasksBetween(page, from, to)).map((t) => t.duration);
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
    `CAM opacity: ${keys.length} moves, ${during.length} long task(s), longest ${Math.max(0, ...during).toFixed(0)} ms; one move's event and render: median ${costs[30].toFixed(2)} ms, max ${costs[59].toFixed(2)} ms`,
  );
  expect(during.filter((d) => d > 50)).toEqual([]);

  // → moves to the next sample and the map follows it (same class and stage as picked)
  const secondId = (await cells.nth(1).getAttribute('data-sample-id'))!;
  await viewer.getByTestId('viewer-sample-id').click();
  await page.keyboard.press('ArrowRight');
  await expect(viewer.getByTestId('viewer-sample-id')).toHaveText(secondId);
  await expect(overlay).toHaveAttribute('data-sample', secondId, UNTIL_DONE);
  await expect(overlay).toHaveAttribute('data-class', String(other));
  await expect(overlay).toHaveAttribute('data-stage', shown!);

  // the older, crop-trained run: its map lies over the centre 32 px of the 48 px image
  const runPicker = panel.getByLabel('CAM run');
  await expect(runPicker.locator('option')).toHaveText([/^run 2 /, /^run 1 /]);
  await runPicker.selectOption({ index: 1 });
  await expect(panel.getByTestId('cam-caption')).toContainText('Grad-CAM of', UNTIL_DONE);
  await expect(overlay).toHaveAttribute('width', '32');
  const box = (await viewer.getByTestId('viewer-canvas').boundingBox())!;
  const crop = (await overlay.boundingBox())!;
  const px = box.width / STORED;
  expect(crop.x - box.x).toBeCloseTo(8 * px, 0);
  expect(crop.y - box.y).toBeCloseTo(8 * px, 0);
  expect(crop.width).toBeCloseTo(32 * px, 0);
  await page.keyboard.press('Escape');
  await expect(viewer).toHaveCount(0);

  // a run whose weights are gone: the viewer says so, naming the run (closing it ended its worker and the model it held)
  const runName = await page.evaluate(
    () =>
      new Promise<string>((resolve, reject) => {
        const open = indexedDB.open('hpa-studio');
        open.onsuccess = () => {
          const tx = open.result.transaction(['runs', 'checkpoints'], 'readwrite');
          const runs = tx.objectStore('runs').getAll();
          tx.objectStore('checkpoints').clear();
          // the viewer opens with the newest run
          tx.oncomplete = () => resolve((runs.result as { name: string; createdAt: number }[]).sort((a, b) => b.createdAt - a.createdAt)[0].name);
          tx.onerror = () => reject(tx.error);
        };
      }),
  );
  await cells.first().click();
  await expect(viewer.getByTestId('cam-error')).toContainText(
    `Run '${runName}' has no stored checkpoint: it cannot compute a class activation map.`,
    UNTIL_DONE,
  );
  await expect(overlay).toHaveCount(0);
});
