import { readFileSync } from 'node:fs';
import { fileSafe } from '../src/ui/format';
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

  // the map of the top predicted class appears over the composite
  const overlay = viewer.getByTestId('cam-overlay');
  await expect(overlay).toHaveAttribute('data-sample', firstId, UNTIL_DONE);
  await expect(panel.getByTestId('cam-caption')).toContainText('Grad-CAM of');
  await expect(panel.getByTestId('cam-caption')).toContainText('on wasm');
  // no prediction on show: the best checkpoint's weights, as prediction takes them (one epoch: epoch 1)
  await expect(panel.getByTestId('cam-caption')).toContainText('weights of epoch 1 (best)');
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
  await expect(viewer.getByTestId('cam-threshold')).toHaveText(new Array(28).fill('0.500'));
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
  // shown first: the deepest stage whose map is at least 7 wide, else the finest (at 32 px the deeper two are 2×2)
  await expect(overlay).toHaveAttribute('data-stage', stages[2]);
  const sideAt = new Map<string, number>([[stages[2], await mapSide()]]);
  drawnAt.set(stages[2], await drawn());
  for (const id of stages.slice(0, 2)) {
    await stage.selectOption(id);
    await expect(overlay).toHaveAttribute('data-stage', id, UNTIL_DONE);
    sideAt.set(id, await mapSide());
    drawnAt.set(id, await drawn());
  }
  const sides = stages.map((id) => sideAt.get(id)!);
  // shallower stages map at least as finely (at a 32 px input the two deeper ones are both 2×2)
  expect(sides).toEqual([...sides].sort((a, b) => a - b));
  expect(sides[2]).toBeGreaterThan(sides[0]);
  const shown = stages.find((id) => drawnAt.get(id));
  expect(shown, `the top class's map is zero at every stage: ${JSON.stringify([...drawnAt])}`).toBeDefined();
  await stage.selectOption(shown!);
  await expect(overlay).toHaveAttribute('data-stage', shown!, UNTIL_DONE);

  // under a map the image is grey by default (the stain's own colours would read as heat); the colour bar spans 0 to the map's largest value
  const canvas = viewer.getByTestId('viewer-canvas');
  const isGrey = (px: number[]) => px.every((_, i) => i % 4 !== 0 || (px[i] === px[i + 1] && px[i] === px[i + 2]));
  await expect(panel.getByRole('radio', { name: 'grey' })).toBeChecked();
  expect(isGrey(await rgba(canvas))).toBe(true);
  await expect(panel.getByTestId('cam-colourbar-max')).toHaveText(/^\d/);
  expect(Number(await panel.getByTestId('cam-colourbar-max').textContent()) > 0).toBe(true);

  // opacity: only the overlay's CSS opacity changes
  const opacity = panel.getByLabel('CAM opacity');
  await opacity.fill('25');
  await expect(panel.getByTestId('cam-opacity')).toHaveText('25 %');
  await expect(overlay).toHaveCSS('opacity', '0.25');

  // export: what is on screen at the viewer's display scale, named by sample, class, stage and run
  const SCALE = Math.floor(512 / STORED);
  const camRunName = (await panel.getByLabel('CAM run').locator('option:checked').textContent())!;
  const exportPng = async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), panel.getByTestId('cam-download').click()]);
    expect(download.suggestedFilename()).toBe(`${firstId}_${fileSafe(CLASS_NAMES[top])}_${shown!}_${fileSafe(camRunName)}_cam.png`);
    const png = decode(readFileSync((await download.path())!));
    expect([png.width, png.height, png.channels]).toEqual([STORED * SCALE, STORED * SCALE, 4]);
    return png.data;
  };
  /** how many PNG pixels differ from the canvas's composite repeated SCALE × SCALE times */
  const unlikeComposite = async (png: ArrayLike<number>) => {
    const composite = await rgba(canvas);
    let n = 0;
    for (let y = 0; y < STORED * SCALE; y++)
      for (let x = 0; x < STORED * SCALE; x++) {
        const p = (y * STORED * SCALE + x) * 4;
        const q = (Math.floor(y / SCALE) * STORED + Math.floor(x / SCALE)) * 4;
        if ([0, 1, 2, 3].some((c) => png[p + c] !== composite[q + c])) n++;
      }
    return n;
  };
  // the map blended in changes the hot pixels
  expect(await unlikeComposite(await exportPng())).toBeGreaterThan(0);
  // at opacity 0 it is the grey composite, pixel for pixel
  await opacity.fill('0');
  await expect(overlay).toHaveCSS('opacity', '0');
  expect(await unlikeComposite(await exportPng())).toBe(0);
  // in colour on screen, in colour in the file
  await panel.getByRole('radio', { name: 'colour' }).check();
  await expect.poll(async () => isGrey(await rgba(canvas))).toBe(false);
  expect(await unlikeComposite(await exportPng())).toBe(0);
  await panel.getByRole('radio', { name: 'grey' }).check();
  await opacity.fill('25');
  await expect(overlay).toHaveCSS('opacity', '0.25');

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

test('the viewer opened from the error browser far down Evaluate at 1280×800: its header is on screen and clickable; the map uses the weights the probabilities came from; validation and extra/missed are said in words', async ({
  page,
}) => {
  test.setTimeout(600_000);
  await page.setViewportSize({ width: 1280, height: 800 });
  await openStudio(page, 'wasm');
  await importDemo(page, DEMO);
  await gotoTab(page, 'train');
  await trainRun(page, 'resize', 1);
  await gotoTab(page, 'evaluate');
  const browser = page.getByTestId('error-browser');
  await expect(browser).toBeVisible(UNTIL_DONE);
  // a class with samples in a group: true positives, false positives or false negatives
  const kinds = ['tp', 'fp', 'fn'] as const;
  const picker = browser.getByLabel('Error browser class');
  let kind: (typeof kinds)[number] | undefined;
  let cls = 0;
  for (; cls < CLASS_NAMES.length && !kind; cls++) {
    await picker.selectOption(String(cls));
    const counts = await Promise.all(kinds.map(async (k) => Number(await browser.getByTestId(`errors-count-${k}`).textContent())));
    kind = kinds[counts.findIndex((n) => n > 0)];
  }
  cls--;
  expect(kind, 'no class has a validation sample in any group').toBeDefined();
  await browser.getByTestId(`errors-tab-${kind!}`).click();
  // scrolled as far down as the page goes
  await page.evaluate(() => {
    const main = document.getElementById('studio-main')!;
    main.scrollTo(0, main.scrollHeight);
  });
  const thumb = browser.getByTestId('errors-grid').getByRole('gridcell').first();
  const id = (await thumb.getAttribute('data-sample-id'))!;
  await thumb.click();

  const viewer = page.getByTestId('sample-viewer');
  await expect(viewer.getByTestId('viewer-sample-id')).toHaveText(id);
  // the header lies inside the viewport and nothing covers it: the id and the close button are what a click there hits
  for (const target of [viewer.getByTestId('viewer-sample-id'), viewer.getByRole('button', { name: 'Close viewer' })]) {
    const box = (await target.boundingBox())!;
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.y + box.height).toBeLessThanOrEqual(800);
    expect(box.x + box.width).toBeLessThanOrEqual(1280);
    const hit = await target.evaluate((el) => {
      const r = el.getBoundingClientRect();
      const at = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
      return at === el || el.contains(at);
    });
    expect(hit).toBe(true);
  }
  // a validation sample of the run: a train sample, held out
  await expect(viewer.getByTestId('viewer-split')).toHaveText('train · validation');

  // the error browser shows the run's validation probabilities, its newest epoch's: the map is computed with those weights
  const panel = viewer.getByRole('region', { name: 'Class activation map' });
  await expect(viewer.getByTestId('cam-overlay')).toHaveAttribute('data-sample', id, UNTIL_DONE);
  await expect(panel.getByTestId('cam-caption')).toContainText('weights of epoch 1 (last)');
  // the class's row says in words what kind of call it is
  const row = viewer.locator(`[data-testid="cam-prob-row"][data-class="${cls}"]`);
  await expect(row.getByTestId('cam-pred')).toHaveText({ tp: '✓', fp: '✓ (extra)', fn: 'missed' }[kind!]);
  await expect(row.getByTestId('cam-threshold')).toHaveText('0.500');

  await viewer.getByRole('button', { name: 'Close viewer' }).click();
  await expect(viewer).toHaveCount(0);
});
