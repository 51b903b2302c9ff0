import { writeFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { CLASS_NAMES } from '../src/core/labels';
import { makeDatasetZip, planDataset } from '../src/synth';
import {
  downloadSubmission,
  filterSplit,
  importArchive,
  longTasksBetween,
  openExplorer,
  pageNow,
  pickHeatmapPair,
  predictTest,
  prepareStudioPage,
  sampleSubmissionIds,
  scrollGrid,
  toggleClassFilter,
  trainOneEpoch,
  validateSubmission,
} from '../bench/browser/fullScalePath';
import { openStudio } from './fixtures/studio';

// The full-scale bench's path (npm run bench -- --full-scale: 31,072 + 11,702 samples) at 2,000
// samples, through the same driver (bench/browser/fullScalePath.ts): import, explorer, one epoch,
// prediction of the whole test split, a submission valid against sample_submission.csv.
// No trace: its DOM snapshot before and after every action runs in the page's main thread (over a
// grid of thousands of nodes, 50–150 ms each) and would be counted as the studio's long tasks.
test.use({ trace: 'off' });

const DATA = { train: 1500, test: 500, size: 32, seed: 7 };
const fmt = (n: number) => n.toLocaleString('en-US');

test('the whole path at 2,000 samples: import, explorer scroll and filters, one epoch, the test split predicted, a valid submission', async ({
  page,
}, info) => {
  const zip = info.outputPath('hpa-2000.zip');
  writeFileSync(zip, await makeDatasetZip(DATA));
  const plan = planDataset(DATA);
  const total = DATA.train + DATA.test;
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));

  await prepareStudioPage(page, 'wasm');
  await openStudio(page, 'wasm');
  expect(await importArchive(page, zip, 0)).toContain(`${fmt(total)} samples imported`);

  await openExplorer(page, total, 0);
  await filterSplit(page, 'train', DATA.train, total, 0);
  // the grid scrolls to its end without a main-thread task over 50 ms, and shows the last train sample (explorer order: by id)
  const from = await pageNow(page);
  const scrolled = await scrollGrid(page, DATA.train, 20, 1500, 0);
  const longTasks = await longTasksBetween(page, from, await pageNow(page));
  expect(scrolled.scrolledPx).toBeGreaterThan(0);
  expect(scrolled.lastId).toBe(
    plan.train
      .map((s) => s.id)
      .sort()
      .at(-1),
  );
  expect
    .soft(
      longTasks.filter((d) => d > 50),
      `main-thread tasks while scrolling (ms): ${longTasks.join(', ')}`,
    )
    .toEqual([]);

  const has = (c: number) => plan.train.filter((s) => s.labels.includes(c)).length;
  expect(await toggleClassFilter(page, 0, CLASS_NAMES[0], 0)).toBe(`${fmt(has(0))} of ${fmt(total)} samples`);
  await toggleClassFilter(page, 0, CLASS_NAMES[0], 0);
  const both = plan.train.filter((s) => s.labels.includes(0) && s.labels.includes(25)).length;
  expect(await pickHeatmapPair(page, 0, 25, 0)).toBe(`${fmt(both)} of ${fmt(total)} samples`);

  expect(await trainOneEpoch(page, { inputSize: 32, batch: 32 }, 0)).toContain('wasm');
  await predictTest(page, 0);
  const ids = await sampleSubmissionIds(zip);
  expect(ids).toEqual(plan.test.map((s) => s.id));
  expect(validateSubmission(await downloadSubmission(page), ids).rows).toBe(DATA.test);
  expect(errors).toEqual([]);
});
