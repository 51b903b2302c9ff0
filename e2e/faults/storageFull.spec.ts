import { decode } from 'fast-png';
import { expect, test, type CDPSession, type Page } from '@playwright/test';
import { buildZip, CHANNELS, png, samples } from '../fixtures/hpaZip';
import { gotoTab, importDemo, openStudio, storedRunEpochs, UNTIL_DONE } from '../fixtures/studio';

/**
 * Browser storage running out part-way through a write, provoked with CDP's
 * Storage.overrideQuotaForOrigin. Chromium enforces the override on every write (OPFS and
 * IndexedDB alike) but navigator.storage.estimate() still reports the real quota, so the import's
 * space check passes and the writes run out part-way, as when another tab or app fills the disk.
 */

/** Sets the origin's quota (null: back to the browser's own). */
async function setQuota(page: Page, cdp: CDPSession, bytes: number | null) {
  const origin = new URL(page.url()).origin;
  await cdp.send('Storage.overrideQuotaForOrigin', bytes === null ? { origin } : { origin, quotaSize: Math.round(bytes) });
}
const usage = (page: Page) => page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);

/**
 * Whether a small IndexedDB write goes through now ('written'), or the error's name. OPFS writes
 * meet a new quota at once, but Chromium's IndexedDB re-reads it only every ~30 s (it keeps the
 * space left per storage bucket, measured 2026-12-06 on Chromium 156): tests wait on this to see it.
 */
const idbWrite = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<string>((res) => {
        const r = indexedDB.open('quota-probe');
        r.onupgradeneeded = () => r.result.createObjectStore('s');
        r.onerror = () => res(r.error?.name ?? 'error');
        r.onsuccess = () => {
          const tx = r.result.transaction('s', 'readwrite');
          tx.objectStore('s').put(new Uint8Array(1024), 'k');
          tx.oncomplete = () => (r.result.close(), res('written'));
          tx.onabort = () => (r.result.close(), res(tx.error?.name ?? 'aborted'));
        };
      }),
  );

/** A checksum of bytes, the same in Node and in the page. */
function checksum(bytes: Uint8Array): number {
  let h = 0;
  for (let i = 0; i < bytes.length; i++) h = (h + bytes[i] * ((i % 251) + 1)) >>> 0;
  return h;
}

/**
 * Every sample the catalog lists, with a checksum of its stored pixels read from its OPFS slot
 * (null where the chunk file ends before the slot does), straight from storage, not through the page.
 */
function storedSamples(page: Page): Promise<{ id: string; slot: number; sum: number | null }[]> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((res, rej) => {
      const r = indexedDB.open('hpa-studio');
      r.onsuccess = () => res(r.result);
      r.onerror = () => rej(r.error);
    });
    const all = <T>(store: string) =>
      new Promise<T[]>((res) => {
        const q = db.transaction(store).objectStore(store).getAll();
        q.onsuccess = () => res(q.result as T[]);
      });
    const [ds] = await all<{ id: string; resolution: number }>('datasets');
    const list = await all<{ id: string; slot: number }>('samples');
    db.close();
    const bytes = ds.resolution * ds.resolution * 4;
    const dir = await (await (await navigator.storage.getDirectory()).getDirectoryHandle('hpa-studio')).getDirectoryHandle(ds.id);
    const file = await (await dir.getFileHandle('chunk-00000.bin')).getFile();
    const out: { id: string; slot: number; sum: number | null }[] = [];
    for (const s of list) {
      const px = new Uint8Array(await file.slice(s.slot * bytes, (s.slot + 1) * bytes).arrayBuffer());
      let h = 0;
      for (let i = 0; i < px.length; i++) h = (h + px[i] * ((i % 251) + 1)) >>> 0;
      out.push({ id: s.id, slot: s.slot, sum: px.length === bytes ? h : null });
    }
    return out;
  });
}

test.describe('storage full', () => {
  test('an import that runs out of space says what it stored and needs, lists no half-written sample, and resumes to the exact count', async ({ page }) => {
    const N = 400;
    const size = 64;
    const train = samples(N, 5000);
    const zip = await buildZip({ train, size });
    // what each sample's stored pixels must be: its four channel PNGs (seeds 1, 2, … in buildZip's order), interleaved RGBY
    const expected = new Map(
      train.map((s, i) => {
        const planes = CHANNELS.map((_, c) => decode(png(size, 1 + 4 * i + c)).data as Uint8Array);
        const px = new Uint8Array(size * size * 4);
        for (let p = 0; p < size * size; p++) for (let c = 0; c < 4; c++) px[p * 4 + c] = planes[c][p];
        return [s.id, checksum(px)];
      }),
    );

    await openStudio(page, 'wasm');
    const cdp = await page.context().newCDPSession(page);
    // room for about 6 MB more: the samples take 16 KB each, so the writes run out after a few hundred
    await setQuota(page, cdp, (await usage(page)) + 6e6);
    await gotoTab(page, 'datasets');
    await page.getByTestId('file-input').setInputFiles([{ name: 'full.zip', mimeType: 'application/zip', buffer: zip }]);
    const message = page.getByTestId('import-storage-full');
    await expect(message).toBeVisible(UNTIL_DONE);
    const text = (await message.textContent())!;
    const m = text.match(
      /^Browser storage is full: stored (\d+) of 400 samples \(([\d.]+) MB\); the other (\d+) need ([\d.]+) MB more\. Free space .*then press Resume… on the dataset and choose the same files\.$/,
    );
    expect(m, text).not.toBeNull();
    const stored = Number(m![1]);
    expect(stored).toBeGreaterThan(0);
    expect(stored).toBeLessThan(N);
    expect(Number(m![2])).toBeCloseTo((stored * size * size * 4) / 1e6, 1);
    expect(Number(m![3])).toBe(N - stored);
    expect(Number(m![4])).toBeCloseTo(((N - stored) * (size * size * 4 + 200)) / 1e6, 1);
    const row = page.getByTestId('dataset-row');
    await expect(row.getByTestId('dataset-status')).toHaveText('partial (interrupted)');
    await expect(row.getByTestId('dataset-counts')).toHaveText(`${stored} train · 0 test`);
    // the catalog lists exactly the samples it counts, each in its own slot with every byte of its pixels written
    const partial = await storedSamples(page);
    expect(partial).toHaveLength(stored);
    expect(new Set(partial.map((s) => s.slot)).size).toBe(stored);
    for (const s of partial) expect(s.sum, `sample ${s.id}`).toBe(expected.get(s.id));

    // space freed: Resume… on the dataset, the same file, and the rest is stored once
    await setQuota(page, cdp, null);
    const chooser = page.waitForEvent('filechooser');
    await row.getByRole('button', { name: 'Resume…' }).click();
    await (await chooser).setFiles([{ name: 'full.zip', mimeType: 'application/zip', buffer: zip }]);
    await expect(page.getByTestId('import-summary')).toContainText(`${N - stored} samples imported, 0 skipped, ${stored} already stored`, UNTIL_DONE);
    await expect(page.getByTestId('import-storage-full')).toHaveCount(0);
    await expect(row.getByTestId('dataset-status')).toHaveText('ready');
    await expect(row.getByTestId('dataset-counts')).toHaveText(`${N} train · 0 test`);
    const all = await storedSamples(page);
    expect(all).toHaveLength(N);
    expect(new Set(all.map((s) => s.id)).size).toBe(N);
    expect(new Set(all.map((s) => s.slot)).size).toBe(N);
    for (const s of all) expect(s.sum, `sample ${s.id}`).toBe(expected.get(s.id));
  });

  test('a checkpoint that cannot be written stops the run with the last good one kept, and the run resumes from it', async ({ page }) => {
    await openStudio(page, 'wasm');
    const cdp = await page.context().newCDPSession(page);
    await importDemo(page, { train: 32, test: 8 });
    await gotoTab(page, 'train');
    await page.getByRole('button', { name: 'Quick demo' }).click();
    await page.getByLabel('Epochs', { exact: true }).fill('3');
    await page.getByLabel('Batch size').fill('4');
    await page.getByTestId('train').click();
    await expect(page.getByTestId('epoch-count')).toContainText(/^[12] epoch\(s\) done/, UNTIL_DONE);
    // paused mid-run, the disk fills: no write goes through, not even one that replaces a value of the same size
    await page.getByTestId('pause').click();
    await expect(page.getByTestId('run-state')).toHaveText('paused');
    const kept = Number((await page.getByTestId('epoch-count').textContent())!.match(/^(\d) epoch/)![1]);
    expect(kept).toBeLessThan(3);
    expect(await idbWrite(page)).toBe('written');
    await setQuota(page, cdp, 1);
    await expect.poll(() => idbWrite(page), UNTIL_DONE).toBe('QuotaExceededError');
    await page.getByTestId('resume').click();
    await expect(page.getByTestId('run-state')).toHaveText(
      new RegExp(
        `^failed: Browser storage is full: the checkpoint of epoch ${kept + 1} \\([\\d.]+ MB\\) could not be written, so the run stopped; ` +
          `the checkpoint of epoch ${kept} is kept\\. Free space, then press Resume from epoch ${kept}\\.$`,
      ),
      UNTIL_DONE,
    );
    await expect(page.getByTestId('run-status')).toContainText('interrupted');
    const checkpoint = () =>
      page.evaluate(
        () =>
          new Promise<number>((res) => {
            const r = indexedDB.open('hpa-studio');
            r.onsuccess = () => {
              const q = r.result.transaction('checkpoints').objectStore('checkpoints').getAll();
              q.onsuccess = () => res(Math.max(...(q.result as { kind: string; epoch: number }[]).filter((c) => c.kind === 'last').map((c) => c.epoch)));
            };
          }),
      );
    expect(await checkpoint()).toBe(kept);

    // space freed: the run resumes from the kept checkpoint and ends as a whole run
    await setQuota(page, cdp, null);
    await expect.poll(() => idbWrite(page), UNTIL_DONE).toBe('written');
    await page.getByTestId('resume-interrupted').click();
    await expect(page.getByTestId('run-state')).toHaveText('done', UNTIL_DONE);
    await expect(page.getByTestId('epoch-count')).toContainText('3 epoch(s) done');
    await expect(page.getByTestId('run-row')).toHaveCount(1);
    await expect(page.getByTestId('run-status')).toHaveText('done');
    const epochs = await storedRunEpochs(page);
    expect(epochs).toEqual([1, 2, 3]);
    expect(await checkpoint()).toBe(3);
  });
});
