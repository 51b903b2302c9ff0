import { expect, test, type Page } from '@playwright/test';
import { buildZip, fixtureId, png, samples } from './fixtures/hpaZip';
import { gotoTab, importDemo, openImportOptions, openStudio } from './fixtures/studio';

async function importFiles(page: Page, files: { name: string; buffer: Buffer }[]) {
  await page.getByTestId('file-input').setInputFiles(files.map((f) => ({ ...f, mimeType: f.name.endsWith('.zip') ? 'application/zip' : 'text/csv' })));
}

const rows = (page: Page) => page.getByTestId('dataset-row');

test.describe('dataset ingest', () => {
  test.beforeEach(async ({ page }) => {
    // not about backends: wasm is pinned so that no webgpu start checks compete with the imports
    await openStudio(page, 'wasm');
  });

  test('a synthetic Kaggle zip imports with progress, a summary, and a dataset row', async ({ page }) => {
    const zip = await buildZip({
      train: samples(12),
      test: [fixtureId(100), fixtureId(101), fixtureId(102)],
      size: 24,
      root: 'hpa',
      crlfBom: true,
      upperCasePng: true,
    });
    await importFiles(page, [{ name: 'train.zip', buffer: zip }]);
    await expect(page.getByTestId('import-summary')).toContainText('15 samples imported, 0 skipped');
    await expect(rows(page)).toHaveCount(1);
    await expect(rows(page).getByTestId('dataset-counts')).toHaveText('12 train · 3 test');
    await expect(rows(page).getByTestId('dataset-status')).toHaveText('ready');
    await expect(rows(page)).toContainText('24 px');
  });

  test('the demo dataset goes through the same import path', async ({ page }) => {
    await importDemo(page, { train: 30, test: 10 });
    await expect(page.getByTestId('import-summary')).toContainText('40 samples imported, 0 skipped');
    await expect(rows(page).getByTestId('dataset-counts')).toHaveText('30 train · 10 test');
  });

  test('each bad input gets a specific message and the dataset imported before stays intact', async ({ page }) => {
    await importFiles(page, [{ name: 'good.zip', buffer: await buildZip({ train: samples(6), size: 16 }) }]);
    await expect(page.getByTestId('import-summary')).toContainText('6 samples imported, 0 skipped');
    const train = samples(4, 50);
    const bad: [string, Buffer, RegExp][] = [
      ['notazip.zip', Buffer.from('this is not a zip archive at all'), /notazip\.zip is not a zip archive or is corrupt/],
      ['readme.txt', Buffer.from('hello'), /readme\.txt is not a zip archive or a CSV file/],
      ['nolayout.zip', await buildZip({ entries: { 'notes/readme.md': 'hi' } }), /nolayout\.zip has no train\.csv and no test\/ folder/],
      ['header.zip', await buildZip({ train, trainCsv: 'Id,Label\nabc,1\n' }), /train\.csv, line 1: header is 'Id,Label', expected 'Id,Target'/],
      ['label28.zip', await buildZip({ train, trainCsv: `Id,Target\n${train[0].id},3 28\n` }), /train\.csv, line 2: label '28' is not a class id 0\.\.27/],
      [
        'labelword.zip',
        await buildZip({ train, trainCsv: `Id,Target\n${train[0].id},3\n${train[1].id},x\n` }),
        /train\.csv, line 3: label 'x' is not a class id/,
      ],
      [
        'dup.zip',
        await buildZip({ train, trainCsv: `Id,Target\n${train[0].id},1\n${train[1].id},2\n${train[0].id},3\n` }),
        /line 4: duplicate Id .* \(first on line 2\)/,
      ],
      [
        'bomb.zip',
        await buildZip({ train, entries: { [`train/${train[0].id}_red.png`]: new Uint8Array(70 * 1024 * 1024) } }),
        /declares 73 MB uncompressed.*zip-bomb guard/,
      ],
    ];
    for (const [name, buffer, message] of bad) {
      await importFiles(page, [{ name, buffer }]);
      await expect(page.getByTestId('import-error'), name).toContainText(message);
      await expect(page.getByTestId('import-error')).toContainText('Nothing was written');
      await expect(rows(page), name).toHaveCount(1);
      await expect(rows(page).getByTestId('dataset-counts')).toHaveText('6 train · 0 test');
    }
  });

  test('per-sample problems skip that sample with a reason; the rest import', async ({ page }) => {
    const train = samples(8, 200);
    const zip = await buildZip({
      train,
      test: [fixtureId(300), fixtureId(301)],
      sampleSubmission: [fixtureId(300), fixtureId(999)],
      size: 16,
      omit: [`train/${train[0].id}_green.png`, `train/${train[0].id}_yellow.png`],
      entries: {
        [`train/${train[1].id}_blue.png`]: png(16, 1).slice(0, 60),
        [`train/${train[2].id}_red.png`]: png(20, 2),
        [`train/${fixtureId(400)}_red.png`]: png(16, 3),
        [`train/${fixtureId(400)}_green.png`]: png(16, 4),
        [`train/${fixtureId(400)}_blue.png`]: png(16, 5),
        [`train/${fixtureId(400)}_yellow.png`]: png(16, 6),
        [`train/${train[3].id}_green.png`]: png(16, 7, 16),
        [`train/${train[4].id}_green.png`]: png(16, 8, 8, 3),
      },
    });
    await importFiles(page, [{ name: 'faulty.zip', buffer: zip }]);
    const summary = page.getByTestId('import-summary');
    await expect(summary).toContainText('7 samples imported, 3 skipped');
    const warnings = page.getByTestId('import-warnings');
    await expect(warnings).toContainText(`1 id(s) with missing channel files were skipped: ${train[0].id}`);
    await expect(warnings).toContainText(`1 image id(s) have PNGs but no train.csv row and were ignored: ${fixtureId(400)}`);
    await expect(warnings).toContainText(
      `test ids differ from sample_submission.csv: 1 in test/ only (${fixtureId(301)}), 1 listed only in the CSV (${fixtureId(999)})`,
    );
    // conversions name the files they were done to
    await expect(warnings).toContainText(`1 PNG(s) were 16-bit grayscale converted to 8-bit grayscale: train/${train[3].id}_green.png`);
    await expect(warnings).toContainText(`1 PNG(s) were 8-bit RGB converted to 8-bit grayscale: train/${train[4].id}_green.png`);
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download the skip reasons (CSV)' }).click();
    const csv = await (await (await download).createReadStream()).toArray();
    const text = Buffer.concat(csv).toString('utf8');
    expect(text).toContain('subject,reason');
    expect(text).toContain(`${train[0].id},"missing channel files: ${train[0].id}_green.png, ${train[0].id}_yellow.png"`);
    expect(text).toMatch(
      new RegExp(
        `\ntrain/${train[1].id}_blue\\.png,truncated PNG: the file ends before its image data is complete \\(60 bytes\\): its IDAT chunk lacks \\d+ bytes\n`,
      ),
    );
    expect(text).toContain(`\ntrain/${train[2].id}_red.png,image is 20×20 while the others are 16×16\n`);
  });

  test('each dataset shows its first skip reasons (file — reason) across imports and after a reload', async ({ page }) => {
    await gotoTab(page, 'datasets');
    const train = samples(8, 700);
    const truncatedReason = /^truncated PNG: the file ends before its image data is complete \(60 bytes\): its IDAT chunk lacks \d+ bytes$/;
    // six samples with a truncated blue channel, two whole ones
    const bad = train.slice(0, 6);
    await importFiles(page, [
      {
        name: 'cut.zip',
        buffer: await buildZip({ train, size: 16, entries: Object.fromEntries(bad.map((s, i) => [`train/${s.id}_blue.png`, png(16, 50 + i).slice(0, 60)])) }),
      },
    ]);
    await expect(page.getByTestId('import-summary')).toContainText('2 samples imported, 6 skipped (listed under the dataset below)');
    const cut = page.getByTestId('dataset-skips').filter({ hasText: 'truncated PNG' });
    const checkCut = async (total: number) => {
      await expect(cut).toContainText(`${total} samples skipped:`);
      await expect(cut.getByTestId('skip-reason')).toHaveCount(5);
      await expect(cut.getByTestId('skip-more')).toHaveText(`and ${total - 5} more`);
      for (const line of await cut.getByTestId('skip-reason').allTextContents()) {
        const [file, reason] = line.split(' — ');
        expect(bad.map((s) => `train/${s.id}_blue.png`)).toContain(file);
        expect(reason).toMatch(truncatedReason);
      }
    };
    await checkCut(6);

    // a second dataset has its own list
    const other = samples(3, 800);
    await openImportOptions(page);
    await page.getByLabel('Import into').selectOption('new');
    await importFiles(page, [
      { name: 'odd.zip', buffer: await buildZip({ train: other, size: 16, entries: { [`train/${other[0].id}_red.png`]: png(20, 9) } }) },
    ]);
    await expect(page.getByTestId('import-summary')).toContainText('2 samples imported, 1 skipped');
    await expect(page.getByTestId('dataset-skips')).toHaveCount(2);
    const odd = page.getByTestId('dataset-skips').filter({ hasText: '20×20' });
    await expect(odd.getByTestId('skip-reason')).toHaveText(`train/${other[0].id}_red.png — image is 20×20 while the others are 16×16`);

    // a later import into the first dataset adds to its list
    const more = samples(2, 900);
    await page.getByLabel('Import into').selectOption({ label: 'cut' });
    await importFiles(page, [
      { name: 'more.zip', buffer: await buildZip({ train: more, size: 16, entries: { [`train/${more[0].id}_green.png`]: png(16, 60).slice(0, 60) } }) },
    ]);
    await expect(page.getByTestId('import-summary')).toContainText('1 samples imported, 1 skipped');
    await checkCut(7);
    const download = page.waitForEvent('download');
    await cut.getByRole('button', { name: 'Download the skip reasons (CSV)' }).click();
    const text = Buffer.concat(await (await (await download).createReadStream()).toArray()).toString('utf8');
    expect(text.trim().split('\n')).toHaveLength(1 + 7);
    expect(text).toContain(`\ntrain/${more[0].id}_green.png,truncated PNG: the file ends before its image data is complete (60 bytes)`);

    await page.reload();
    await gotoTab(page, 'datasets');
    await expect(page.getByTestId('dataset-skips')).toHaveCount(2);
    await checkCut(7);
    await expect(odd.getByTestId('skip-reason')).toHaveText(`train/${other[0].id}_red.png — image is 20×20 while the others are 16×16`);
  });

  test('train and test arrive as separate zips into the same dataset; a test-only archive works', async ({ page }) => {
    await importFiles(page, [{ name: 'train.zip', buffer: await buildZip({ train: samples(5, 500), size: 16 }) }]);
    await expect(page.getByTestId('import-summary')).toContainText('5 samples imported');
    await openImportOptions(page);
    await page.getByLabel('Import into').selectOption({ label: 'train' });
    await importFiles(page, [{ name: 'test.zip', buffer: await buildZip({ test: [fixtureId(600), fixtureId(601)], size: 16 }) }]);
    await expect(page.getByTestId('import-summary')).toContainText('2 samples imported');
    await expect(rows(page)).toHaveCount(1);
    await expect(rows(page).getByTestId('dataset-counts')).toHaveText('5 train · 2 test');
  });

  test('cancel leaves a partial dataset that resumes where it stopped, and delete frees it', async ({ page }) => {
    const zip = await buildZip({ train: samples(400, 1000), size: 64 });
    await importFiles(page, [{ name: 'big.zip', buffer: zip }]);
    await expect(page.getByTestId('import-progress-text')).toContainText(/\d+ of 400 samples · [\d.]+ MB\/s · [\d.]+ samples\/s · ETA/);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect(page.getByTestId('import-summary')).toContainText('cancelled');
    await expect(rows(page).getByTestId('dataset-status')).toHaveText('partial (interrupted)');
    const firstCount = Number((await page.getByTestId('import-summary').textContent())!.match(/(\d+) samples imported/)![1]);
    expect(firstCount).toBeGreaterThan(0);
    expect(firstCount).toBeLessThan(400);
    await openImportOptions(page);
    await page.getByLabel('Import into').selectOption({ label: 'big' });
    await importFiles(page, [{ name: 'big.zip', buffer: zip }]);
    await expect(page.getByTestId('import-summary')).toContainText(`${400 - firstCount} samples imported, 0 skipped, ${firstCount} already stored`);
    await expect(rows(page).getByTestId('dataset-counts')).toHaveText('400 train · 0 test');
    await expect(rows(page).getByTestId('dataset-status')).toHaveText('ready');
    const usage = async () => page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);
    const before = await usage();
    page.once('dialog', (d) => d.accept());
    await rows(page).getByRole('button', { name: 'Delete' }).click();
    await expect(rows(page)).toHaveCount(0);
    expect(before - (await usage())).toBeGreaterThan(400 * 64 * 64 * 4 * 0.9);
  });

  test('a reload during an import leaves the dataset marked partial and removable', async ({ page }) => {
    await importFiles(page, [{ name: 'reload.zip', buffer: await buildZip({ train: samples(400, 3000), size: 64 }) }]);
    await expect(page.getByTestId('import-progress-text')).toContainText(/[1-9]\d* of 400 samples/);
    await page.reload();
    await expect(rows(page).getByTestId('dataset-status')).toHaveText('partial (interrupted)');
    await expect(rows(page).getByRole('button', { name: 'Resume…' })).toBeVisible();
  });
});
