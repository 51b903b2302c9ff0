import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, expect, test, type BrowserContext, type Page } from '@playwright/test';
import { mulberry32 } from '../../src/core/rng';
import { gotoTab, openImportOptions, UNTIL_DONE } from '../fixtures/studio';

/**
 * A crash mid-write (docs/reliability.md): the tab is killed 20 times at seeded random moments of
 * imports and of one training run, and reopened in the same browser profile after each kill. After
 * every reload the consistency check at start has run, the stores agree with each other, and
 * nothing the page had reported as done is lost:
 * - an import's "N stored" (samples whose pixels were flushed and whose catalog records, with the
 *   dataset's counts, were committed) is at most the dataset's sample count after the reload;
 * - a run's "N epoch(s) done" is at most the epoch it resumes from after the reload (its checkpoint
 *   is stored before the page hears of the epoch), and that epoch is at most one more (the kill can
 *   fall between the checkpoint's commit and the page showing it).
 */
const SEED = 32;
const KILLS = Number(process.env.HPA_CRASH_KILLS ?? 20);
const RUN_EPOCHS = 40;

type Kill = 'close' | 'crash';

/** Kills the tab: closed without unload handlers, or its renderer crashed (CDP Page.crash); its workers die with it. */
async function kill(page: Page, how: Kill) {
  if (how === 'close') return page.close({ runBeforeUnload: false });
  const cdp = await page.context().newCDPSession(page);
  const crashed = page.waitForEvent('crash');
  void cdp.send('Page.crash').catch(() => undefined); // never answers: the renderer is gone
  await crashed;
  await page.close();
}

/** Opens the studio in a new tab of the profile and waits until the consistency check at start has run. */
async function reopen(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.goto('/');
  await expect(page.getByTestId('consistency-check')).toHaveAttribute('data-state', /^(clean|repaired)$/, UNTIL_DONE);
  return page;
}

interface StoredDataset {
  id: string;
  name: string;
  status: string;
  train: number;
  test: number;
  nextSlot: number;
  resolution: number;
  samples: { split: string; slot: number }[];
  chunkBytes: number[];
}
interface StoredRun {
  name: string;
  status: string;
  checkpointEpoch: number;
  history: number;
  lastCheckpointEpoch: number | null;
}

/** Everything stored, read straight from IndexedDB and OPFS (not through the studio's code). */
function readStorage(page: Page): Promise<{ datasets: StoredDataset[]; runs: StoredRun[] }> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((res, rej) => {
      const r = indexedDB.open('hpa-studio');
      r.onsuccess = () => res(r.result);
      r.onerror = () => rej(r.error);
    });
    const all = <T>(store: string, query?: IDBKeyRange) =>
      new Promise<T[]>((res, rej) => {
        const q = db.transaction(store).objectStore(store).getAll(query);
        q.onsuccess = () => res(q.result as T[]);
        q.onerror = () => rej(q.error);
      });
    const root = await (await navigator.storage.getDirectory()).getDirectoryHandle('hpa-studio', { create: true });
    const datasets: StoredDataset[] = [];
    for (const d of await all<Omit<StoredDataset, 'samples' | 'chunkBytes'>>('datasets')) {
      const samples = (await all<{ datasetId: string; split: string; slot: number }>('samples')).filter((s) => s.datasetId === d.id);
      const chunkBytes: number[] = [];
      const dir = await root.getDirectoryHandle(d.id).catch(() => null);
      for (let c = 0; dir; c++) {
        const f = await dir.getFileHandle(`chunk-${String(c).padStart(5, '0')}.bin`).catch(() => null);
        if (!f) break;
        chunkBytes.push((await f.getFile()).size);
      }
      datasets.push({ ...d, samples: samples.map((s) => ({ split: s.split, slot: s.slot })), chunkBytes });
    }
    const checkpoints = await all<{ runId: string; kind: string; epoch: number }>('checkpoints');
    const runs = (await all<{ id: string; name: string; status: string; checkpointEpoch: number; history: unknown[] }>('runs')).map((r) => ({
      name: r.name,
      status: r.status,
      checkpointEpoch: r.checkpointEpoch,
      history: r.history.length,
      lastCheckpointEpoch: checkpoints.find((c) => c.runId === r.id && c.kind === 'last')?.epoch ?? null,
    }));
    db.close();
    return { datasets, runs };
  });
}

/** The stores agree: nothing left mid-write, counts match samples, every sample has its own slot within the stored pixels, runs point at their checkpoint. */
function expectConsistent(s: { datasets: StoredDataset[]; runs: StoredRun[] }) {
  for (const d of s.datasets) {
    const bytes = d.resolution * d.resolution * 4;
    const slots = d.samples.map((x) => x.slot);
    expect(d.status, `dataset ${d.name}`).not.toBe('importing');
    expect({ train: d.train, test: d.test }, `dataset ${d.name}`).toEqual({
      train: d.samples.filter((x) => x.split === 'train').length,
      test: d.samples.filter((x) => x.split === 'test').length,
    });
    expect(new Set(slots).size, `dataset ${d.name}: one slot per sample`).toBe(slots.length);
    if (slots.length) {
      expect(d.nextSlot, `dataset ${d.name}: next slot`).toBeGreaterThan(Math.max(...slots));
      // 16 and 32 px samples: every slot is in chunk 0
      expect(d.chunkBytes[0] ?? 0, `dataset ${d.name}: pixels of every slot stored`).toBeGreaterThanOrEqual((Math.max(...slots) + 1) * bytes);
    }
  }
  for (const r of s.runs) {
    expect(['running', 'paused'], `run ${r.name}`).not.toContain(r.status);
    expect({ history: r.history, checkpoint: r.lastCheckpointEpoch ?? 0 }, `run ${r.name}`).toEqual({
      history: r.checkpointEpoch,
      checkpoint: r.checkpointEpoch,
    });
  }
}

/** The text an element shows now ('' while it is not there): read without waiting, as the kill moment must not wait. */
const textNow = (page: Page, testId: string) => page.evaluate((id) => document.querySelector(`[data-testid="${id}"]`)?.textContent ?? '', testId);
const number = async (page: Page, testId: string, re: RegExp) => Number((await textNow(page, testId)).match(re)?.[1]?.replace(/,/g, '') ?? 0);

test('20 kills at seeded random moments of imports and training: after each reload the stores agree and nothing reported done is lost', async () => {
  const use = test.info().project.use;
  const dir = mkdtempSync(join(tmpdir(), 'hpa-crash-'));
  const context = await chromium.launchPersistentContext(dir, { ...use.launchOptions, baseURL: use.baseURL });
  // wasm pinned (e2e/fixtures/studio.ts): the run starts straight on it
  await context.addInitScript(() => {
    if (localStorage.getItem('hpa-studio.backend') === null) localStorage.setItem('hpa-studio.backend', 'wasm');
  });
  const rng = mulberry32(SEED);
  const pick = (lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));
  let page = await reopen(context);
  let runName: string | null = null;
  let resumableEpoch = 0;

  try {
    for (let i = 0; i < KILLS; i++) {
      const how: Kill = rng() < 0.5 ? 'close' : 'crash';
      // the first kill is in training (so there is a run to resume), then imports and training alternate at random
      const kind = i === 0 ? 'train' : rng() < 0.5 ? 'import' : 'train';
      console.log(`kill ${i + 1}: ${how} during ${kind} ${new Date().toISOString()}`);
      await test.step(`kill ${i + 1}: ${how} during ${kind}`, async () => {
        if (kind === 'import') {
          const train = pick(150, 350);
          const test = pick(10, 50);
          const total = train + test;
          const name = `Demo 16 px (seed ${1000 + i})`;
          await gotoTab(page, 'datasets');
          await openImportOptions(page);
          await page.getByLabel('Demo kind').selectOption('realistic');
          await page.getByText('Demo size', { exact: true }).click();
          await page.getByLabel('Demo train').fill(String(train));
          await page.getByLabel('Demo test').fill(String(test));
          await page.getByLabel('Demo size').fill('16');
          await page.getByLabel('Demo seed').fill(String(1000 + i));
          await page.getByTestId('demo-dataset').click();
          // the moment: a random share of the samples processed (below 0.1: while the archive is generated; above 1: after the end)
          const share = rng() * 1.15;
          const summary = page.getByTestId('import-summary');
          if (share < 0.1) await expect(page.getByTestId('import-progress')).toBeVisible();
          else
            await expect
              .poll(async () => (await summary.isVisible()) || (await number(page, 'import-progress-text', /^(\d[\d,]*) of/)) >= share * total, {
                intervals: [25],
                timeout: 0,
              })
              .toBe(true);
          const finished = await summary.isVisible();
          const reported = finished ? total : await number(page, 'import-stored', /(\d[\d,]*) stored/);
          await kill(page, how);
          page = await reopen(context);
          expectConsistent(await readStorage(page));
          await gotoTab(page, 'datasets');
          const row = page.getByTestId('dataset-row').filter({ hasText: name });
          if (reported > 0) {
            // what the page had said was stored is there after the crash, and no more than was planned
            const counts = (await row.getByTestId('dataset-counts').textContent())!.replace(/,/g, '');
            const [, tr, te] = counts.match(/(\d+) train · (\d+) test/)!.map(Number);
            console.log(`  import of ${total}: ${reported} reported stored, ${tr + te} kept`);
            expect(tr + te).toBeGreaterThanOrEqual(reported);
            expect(tr + te).toBeLessThanOrEqual(total);
            await expect(row.getByTestId('dataset-status')).toHaveText(tr + te === total && finished ? 'ready' : /ready|partial \(interrupted\)/);
          }
          if ((await row.count()) && (await row.getByTestId('dataset-status').textContent()) === 'partial (interrupted)')
            await expect(page.getByTestId('consistency-repairs')).toContainText(`dataset '${name}' marked partial (`);
        } else {
          await gotoTab(page, 'train');
          if (!runName) {
            // a dataset to train on, imported whole first
            await gotoTab(page, 'datasets');
            await openImportOptions(page);
            await page.getByLabel('Demo kind').selectOption('realistic');
            await page.getByText('Demo size', { exact: true }).click();
            await page.getByLabel('Demo train').fill('64');
            await page.getByLabel('Demo test').fill('8');
            await page.getByLabel('Demo size').fill('32'); // the smallest input the models take
            await page.getByTestId('demo-dataset').click();
            await expect(page.getByTestId('import-summary')).toContainText('72 samples imported', UNTIL_DONE);
            await gotoTab(page, 'train');
            await page.getByRole('button', { name: 'Quick demo' }).click();
            await page.getByLabel('Epochs', { exact: true }).fill(String(RUN_EPOCHS));
            await page.getByLabel('Batch size').fill('8');
            await page.getByTestId('train').click();
          } else {
            await page.getByTestId('run-row').filter({ hasText: runName }).getByTestId('resume-interrupted').click();
          }
          // the moment: a random batch of the first or second epoch after the checkpoint (the first kill: of the second, so an epoch is done)
          const epochTarget = resumableEpoch + pick(runName ? 1 : 2, 2);
          const batchTarget = pick(1, 6);
          await expect
            .poll(
              async () => {
                const text = await textNow(page, 'run-position');
                const [, e, b] = (text.match(/epoch (\d+)\/\d+ · batch (\d+)/) ?? [0, 0, 0]).map(Number);
                return e > epochTarget || (e === epochTarget && b >= batchTarget);
              },
              { intervals: [25], timeout: 0 },
            )
            .toBe(true);
          runName ??= (await page.getByTestId('live-run').locator('strong').first().textContent())!;
          const reported = await number(page, 'epoch-count', /^(\d+) epoch\(s\) done/);
          await kill(page, how);
          page = await reopen(context);
          expectConsistent(await readStorage(page));
          await gotoTab(page, 'train');
          const resume = page.getByTestId('run-row').filter({ hasText: runName }).getByTestId('resume-interrupted');
          const epoch = Number((await resume.textContent())!.match(/Resume from epoch (\d+)/)![1]);
          console.log(`  run: ${reported} epoch(s) reported done, resumes from epoch ${epoch}`);
          expect(epoch).toBeGreaterThanOrEqual(reported);
          expect(epoch).toBeLessThanOrEqual(reported + 1);
          await expect(page.getByTestId('consistency-repairs')).toContainText(`run '${runName}' stopped at its checkpoint of epoch ${epoch} (resumable)`);
          resumableEpoch = epoch;
        }
      });
    }
  } finally {
    await context.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
