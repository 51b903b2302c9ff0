/**
 * The whole path a Kaggler takes, driven through the studio's visible controls: import an archive,
 * open the explorer (scroll the grid, filter by a class, pick a heatmap pair), train one epoch,
 * predict the test split, download the submission and validate it. Shared by the full-scale bench
 * (bench/fullScale.ts, 31,072 + 11,702 samples) and its 2,000-sample version in CI
 * (e2e/fullScale.spec.ts): the steps wait on states only; `timeoutMs` 0 waits as long as it takes
 * (the e2e test's own timeout bounds it), the bench passes a bound so a stall fails a stage.
 */
import { openAsBlob } from 'node:fs';
import { BlobReader, type FileEntry, TextWriter, ZipReader } from '@zip.js/zip.js';
import type { Locator, Page } from 'playwright-core';
import { parseLabelCsv } from '../../src/core/csv';

export type Backend = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

const fmt = (n: number) => n.toLocaleString('en-US');

/**
 * Before the first navigation: the backend setting saved as a returning user's (e2e/fixtures/studio.ts
 * openStudio does the same), and every main-thread long task kept in `window.longTasks` as
 * [start, duration] (ms, the page's clock).
 */
export async function prepareStudioPage(page: Page, backend: Backend): Promise<void> {
  await page.addInitScript((value) => {
    if (localStorage.getItem('hpa-studio.backend') === null) localStorage.setItem('hpa-studio.backend', value);
    const w = window as unknown as { longTasks: [number, number][] };
    w.longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.longTasks.push([e.startTime, e.duration]);
    }).observe({ type: 'longtask', buffered: true });
  }, backend);
}

/** The page's clock (ms), to cut the long tasks of one stage out of `window.longTasks`. */
export function pageNow(page: Page): Promise<number> {
  return page.evaluate(() => performance.now());
}

/** Durations (ms) of the main-thread long tasks that started in [from, to) on the page's clock. */
export async function longTasksBetween(page: Page, from: number, to: number): Promise<number[]> {
  const all = await page.evaluate(() => (window as unknown as { longTasks: [number, number][] }).longTasks);
  return all.filter(([t]) => t >= from && t < to).map(([, d]) => d);
}

async function clickTab(page: Page, tab: string): Promise<void> {
  await page.getByTestId(`tab-${tab}`).click();
  await page.getByTestId(`area-${tab}`).waitFor({ state: 'visible' });
}

async function waitText(l: Locator, re: RegExp, timeoutMs: number): Promise<string> {
  await l.filter({ hasText: re }).first().waitFor({ state: 'visible', timeout: timeoutMs });
  return ((await l.first().textContent()) ?? '').trim();
}

/**
 * Imports `zipPath` through the Datasets area's file input at the default stored resolution (the
 * images' own size when smaller); resolves with the import summary, throws with the import's error.
 * `onProgress` hears the progress line every 30 s.
 */
export async function importArchive(page: Page, zipPath: string, timeoutMs: number, onProgress?: (line: string) => void): Promise<string> {
  await clickTab(page, 'datasets');
  await page.getByTestId('file-input').setInputFiles(zipPath);
  const t0 = Date.now();
  const ticker = onProgress
    ? setInterval(
        () =>
          void page
            .getByTestId('import-progress-text')
            .textContent({ timeout: 5_000 })
            .then((p) => onProgress(`${Math.round((Date.now() - t0) / 1000)} s: ${p ?? ''}`))
            .catch(() => undefined),
        30_000,
      )
    : null;
  try {
    const summary = page.getByTestId('import-summary');
    const error = page.getByTestId('import-error');
    const done = await Promise.race([
      summary.waitFor({ state: 'visible', timeout: timeoutMs }).then(() => 'summary' as const),
      error.waitFor({ state: 'visible', timeout: timeoutMs }).then(() => 'error' as const),
    ]);
    if (done === 'error') throw new Error(`importing ${zipPath} failed: ${(await error.textContent()) ?? ''}`);
    return ((await summary.textContent()) ?? '').trim();
  } finally {
    if (ticker) clearInterval(ticker);
  }
}

/** Opens the Explore area and waits until the grid shows `total` samples and its first cell. */
export async function openExplorer(page: Page, total: number, timeoutMs: number): Promise<void> {
  await clickTab(page, 'explore');
  const explorer = page.getByTestId('explorer');
  await explorer
    .getByTestId('explorer-count')
    .filter({ hasText: `${fmt(total)} of ${fmt(total)} samples` })
    .waitFor({ timeout: timeoutMs });
  await explorer.getByRole('grid', { name: 'Samples' }).getByRole('gridcell').first().waitFor({ timeout: timeoutMs });
  await explorer.getByTestId('cooccurrence-heatmap').waitFor({ timeout: timeoutMs });
}

/** Shows one split in the explorer; resolves when the count says `shown` of the total. */
export async function filterSplit(page: Page, split: 'all' | 'train' | 'test', shown: number, total: number, timeoutMs: number): Promise<void> {
  const explorer = page.getByTestId('explorer');
  await explorer.getByLabel('Split', { exact: true }).selectOption(split);
  await explorer
    .getByTestId('explorer-count')
    .filter({ hasText: `${fmt(shown)} of ${fmt(total)} samples` })
    .waitFor({ timeout: timeoutMs });
}

/**
 * Scrolls the sample grid of `shown` samples with the mouse wheel, `steps` turns of `deltaY` px,
 * one animation frame apart, then to its end with the End key; resolves with the id of the last
 * sample's cell once it is shown.
 */
export async function scrollGrid(
  page: Page,
  shown: number,
  steps: number,
  deltaY: number,
  timeoutMs: number,
): Promise<{ scrolledPx: number; lastId: string | null }> {
  // A CSS locator, not getByRole: Playwright's role engine runs in the page's main thread and, over a
  // DOM of thousands of cells, chart and heatmap nodes, its own queries were the long tasks measured here.
  const grid = page.locator('[data-testid="explorer"] [role="grid"][aria-label="Samples"]');
  const box = await grid.boundingBox();
  if (!box) throw new Error('the sample grid is not on screen');
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  for (let i = 0; i < steps; i++) {
    await page.mouse.wheel(0, deltaY);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(null))));
  }
  const scrolledPx = await grid.evaluate((g) => g.scrollTop);
  // then the End key, as a user jumps to the last sample: its cell must come into the DOM and show
  // (the grid's first key press only selects its first cell: Home does that, then End)
  await grid.focus();
  await page.keyboard.press('Home');
  await grid.locator('[role="gridcell"][aria-selected="true"]').first().waitFor({ timeout: timeoutMs });
  await page.keyboard.press('End');
  const last = grid.locator(`[role="gridcell"][id$="-${shown - 1}"]`);
  await last.waitFor({ state: 'visible', timeout: timeoutMs });
  return { scrolledPx, lastId: await last.getAttribute('data-sample-id') };
}

/** Toggles class `c` in the explorer's class filter; resolves with the count line once it has changed. */
export async function toggleClassFilter(page: Page, c: number, name: string, timeoutMs: number): Promise<string> {
  const explorer = page.getByTestId('explorer');
  const count = explorer.getByTestId('explorer-count');
  const before = ((await count.textContent()) ?? '').trim();
  await explorer
    .getByRole('group', { name: 'Filter by class' })
    .getByRole('button', { name: `${c} ${name}`, exact: true })
    .click();
  await count.filter({ hasNotText: before }).waitFor({ timeout: timeoutMs });
  return ((await count.textContent()) ?? '').trim();
}

/** Clicks the co-occurrence heatmap's cell (i, j): the grid then shows the samples with both; resolves with the count line. */
export async function pickHeatmapPair(page: Page, i: number, j: number, timeoutMs: number): Promise<string> {
  const explorer = page.getByTestId('explorer');
  const count = explorer.getByTestId('explorer-count');
  const before = ((await count.textContent()) ?? '').trim();
  await explorer.locator(`[data-testid="cooccurrence-heatmap"] rect[data-i="${i}"][data-j="${j}"]`).click();
  await count.filter({ hasNotText: before }).waitFor({ timeout: timeoutMs });
  return ((await count.textContent()) ?? '').trim();
}

/**
 * Trains GAPNet-PL for one epoch with the Quick demo preset at `inputSize` px and `batch`; resolves
 * with the run's info line once the run is done (throws when it ends otherwise).
 */
export async function trainOneEpoch(page: Page, o: { inputSize: number; batch: number }, timeoutMs: number): Promise<string> {
  await clickTab(page, 'train');
  await page.getByRole('button', { name: 'Quick demo' }).click();
  await page.getByLabel('Model', { exact: true }).selectOption('gapnet-pl');
  await page.getByLabel('Input size').fill(String(o.inputSize));
  await page.getByLabel('Batch size').fill(String(o.batch));
  await page.getByLabel('Epochs', { exact: true }).fill('1');
  await page.getByTestId('train').click();
  const state = page.getByTestId('run-state');
  await state.waitFor({ timeout: timeoutMs });
  const end = await waitText(state, /^(done|stopped|failed|interrupted)/, timeoutMs);
  const info = ((await page.getByTestId('run-info').textContent()) ?? '').replace(/\s+/g, ' ').trim();
  if (!end.startsWith('done')) throw new Error(`the training run ended '${end}' (${info})`);
  return info;
}

/** Predicts the test split with the run just trained (the one the Predict area ticks); resolves when the results show. */
export async function predictTest(page: Page, timeoutMs: number): Promise<void> {
  await clickTab(page, 'predict');
  const panel = page.getByRole('region', { name: 'Predict and export' });
  await panel.getByTestId('predict').click();
  await panel.getByTestId('predict-results').waitFor({ state: 'visible', timeout: timeoutMs });
}

/** Downloads the submission CSV the Predict area offers; resolves with its text. */
export async function downloadSubmission(page: Page): Promise<string> {
  const panel = page.getByRole('region', { name: 'Predict and export' });
  const [d] = await Promise.all([page.waitForEvent('download'), panel.getByTestId('submission-download').click()]);
  const stream = await d.createReadStream();
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Checks a submission as Kaggle would take it: header `Id,Predicted`, one row per id of the sample
 * submission in its order, labels in 0..27 (parseLabelCsv names the first bad row). Returns the
 * number of rows and how many carry no label.
 */
export function validateSubmission(text: string, sampleIds: readonly string[]): { rows: number; empty: number } {
  const header = text.slice(0, text.indexOf('\n')).trim();
  if (header !== 'Id,Predicted') throw new Error(`submission header is '${header}', expected 'Id,Predicted'`);
  const rows = parseLabelCsv(text, { labelColumn: 'Predicted', allowEmpty: true, file: 'submission.csv' });
  if (rows.length !== sampleIds.length) throw new Error(`submission has ${fmt(rows.length)} rows, sample_submission.csv ${fmt(sampleIds.length)}`);
  const at = rows.findIndex((r, i) => r.id !== sampleIds[i]);
  if (at >= 0) throw new Error(`submission row ${at + 2} is '${rows[at].id}', sample_submission.csv has '${sampleIds[at]}' there`);
  return { rows: rows.length, empty: rows.filter((r) => r.labels.length === 0).length };
}

/** The ids of sample_submission.csv inside a dataset zip, read by random access (the zip is not loaded whole). */
export async function sampleSubmissionIds(zipPath: string): Promise<string[]> {
  const reader = new ZipReader(new BlobReader(await openAsBlob(zipPath)), { useWebWorkers: false });
  try {
    const entry = (await reader.getEntries()).find((e) => e.filename === 'sample_submission.csv') as FileEntry | undefined;
    if (!entry) throw new Error(`${zipPath} has no sample_submission.csv`);
    const text = await entry.getData(new TextWriter());
    return parseLabelCsv(text, { labelColumn: 'Predicted', file: 'sample_submission.csv' }).map((r) => r.id);
  } finally {
    await reader.close();
  }
}

/**
 * Bytes of every file in the origin's private file system (OPFS), walked; `unreadable` counts files
 * whose size could not be read (held open by another thread), and `usage` is
 * navigator.storage.estimate()'s figure for the whole origin (IndexedDB included).
 */
export function opfsBytes(page: Page): Promise<{ bytes: number; unreadable: number; usage: number }> {
  // no named inner functions: the page gets this function's source, and tsx's name helper is not there
  return page.evaluate(async () => {
    type Dir = FileSystemDirectoryHandle & { values(): AsyncIterable<FileSystemHandle> };
    let bytes = 0;
    let unreadable = 0;
    const dirs = [(await navigator.storage.getDirectory()) as Dir];
    while (dirs.length) {
      for await (const h of dirs.pop()!.values()) {
        if (h.kind === 'directory') dirs.push(h as Dir);
        else
          bytes += await (h as FileSystemFileHandle)
            .getFile()
            .then((f) => f.size)
            .catch(() => (unreadable++, 0));
      }
    }
    return { bytes, unreadable, usage: (await navigator.storage.estimate()).usage ?? 0 };
  });
}
