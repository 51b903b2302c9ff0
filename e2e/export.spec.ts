import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { expect, test, type Browser, type Locator, type Page } from '@playwright/test';
// stock tfjs only: nothing here imports the studio's models, so none of its layer classes is registered
import * as tf from '@tensorflow/tfjs';
import { Uint8ArrayReader, Uint8ArrayWriter, ZipReader, type FileEntry } from '@zip.js/zip.js';
import { formatLabelCsv, parseLabelCsv, parseProbsCsv } from '../src/core/csv';
import { scoreSubmission } from '../src/core/submission';
import { planDataset, renderSample } from '../src/synth';
import { gotoTab, importDemo, openStudio, UNTIL_DONE } from './fixtures/studio';

const DEMO = { train: 48, test: 8, size: 32, seed: 1 };

async function trainOne(page: Page, seed: number, runs: number) {
  await page.getByRole('button', { name: 'Quick demo' }).click();
  // GAPNet-PL: its export carries the studio's custom layers (seeded AlphaDropout, input normalisation)
  await page.getByLabel('Model', { exact: true }).selectOption('gapnet-pl');
  await page.getByLabel('Epochs', { exact: true }).fill('1');
  await page.getByLabel('Batch size').fill('8');
  await page.getByLabel('Seed', { exact: true }).fill(String(seed));
  await page.getByTestId('train').click();
  await expect(page.getByTestId('run-row')).toHaveCount(runs, UNTIL_DONE);
  await expect(page.getByTestId('run-status').nth(runs - 1)).toHaveText('done', UNTIL_DONE);
}

async function download(page: Page, link: Locator): Promise<{ name: string; bytes: Buffer }> {
  const [d] = await Promise.all([page.waitForEvent('download'), link.click()]);
  return { name: d.suggestedFilename(), bytes: readFileSync((await d.path())!) };
}

async function unzip(bytes: Uint8Array): Promise<Map<string, Uint8Array>> {
  const reader = new ZipReader(new Uint8ArrayReader(bytes), { useWebWorkers: false });
  const out = new Map<string, Uint8Array>();
  for (const e of (await reader.getEntries()).filter((e): e is FileEntry => !e.directory)) out.set(e.filename, await e.getData(new Uint8ArrayWriter()));
  await reader.close();
  return out;
}

const maxAbsDiff = (a: Float32Array, b: Float32Array) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

/**
 * Probabilities of the unzipped model files in a fresh browser context whose one page loads only
 * stock tfjs (its own dist/tf.min.js, served from node_modules) and fetches model.json and the
 * shards over HTTP, as a user's page would: every request is answered by page.route, none leaves.
 */
async function plainTfjsInPage(
  browser: Browser,
  files: Map<string, Uint8Array>,
  images: Float32Array,
  size: number,
): Promise<{ hpaClasses: string[]; probs: Float32Array }> {
  const tfjsPath = createRequire(import.meta.url).resolve('@tensorflow/tfjs/dist/tf.min.js');
  const context = await browser.newContext();
  const page = await context.newPage();
  const origin = 'http://plain-tfjs.test';
  await page.route('**/*', async (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === '/') return route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>plain tfjs</title><script src="/tf.min.js"></script>' });
    if (path === '/tf.min.js') return route.fulfill({ contentType: 'text/javascript', body: readFileSync(tfjsPath) });
    const file = files.get(path.replace(/^\/model\//, ''));
    if (file && path.startsWith('/model/')) return route.fulfill({ contentType: 'application/octet-stream', body: Buffer.from(file) });
    return route.fulfill({ status: 404, body: `not served: ${path}` });
  });
  await page.goto(`${origin}/`);
  const result = await page.evaluate(
    async ({ images, size }) => {
      const tf = (globalThis as unknown as { tf: typeof import('@tensorflow/tfjs') }).tf;
      await tf.setBackend('cpu');
      const hpaClasses = Object.keys(tf.serialization.SerializationMap.getMap().classNameMap).filter((n) => n.startsWith('Hpa'));
      const model = await tf.loadLayersModel('/model/model.json');
      const x = tf.tensor4d(images, [images.length / (size * size * 4), size, size, 4]);
      const p = model.predict(x) as import('@tensorflow/tfjs').Tensor;
      return { hpaClasses, probs: Array.from(await p.data()) };
    },
    { images: Array.from(images), size },
  );
  await context.close();
  return { hpaClasses: result.hpaClasses, probs: Float32Array.from(result.probs) };
}

/** The demo's test images as the studio stored them: RGBY interleaved, 32 px (the PNGs are lossless). */
function testImages(ids: string[]): Float32Array {
  const plan = planDataset({ ...DEMO, capDominant: true });
  const labels = new Map(plan.test.map((s) => [s.id, s.labels]));
  const px = DEMO.size * DEMO.size;
  const x = new Float32Array(ids.length * px * 4);
  ids.forEach((id, r) => {
    const ch = renderSample({ id, labels: labels.get(id)!, size: DEMO.size, seed: DEMO.seed });
    const planes = [ch.red, ch.green, ch.blue, ch.yellow];
    for (let i = 0; i < px; i++) for (let c = 0; c < 4; c++) x[(r * px + i) * 4 + c] = planes[c][i];
  });
  return x;
}

test('predict, ensemble and export: model zip loads in plain tfjs with the studio predictions, import predicts the same, submission scores as in Node', async ({
  page,
  browser,
}) => {
  test.setTimeout(900_000);
  // the test is about prediction and export, not backend choice: webgpu is pinned, as the studio's default
  await openStudio(page, 'webgpu');
  await importDemo(page, DEMO);
  await gotoTab(page, 'train');
  await trainOne(page, 1, 1);
  await trainOne(page, 2, 2);
  await gotoTab(page, 'predict');

  const panel = page.getByRole('region', { name: 'Predict and export' });
  const rows = panel.getByTestId('export-run-row');
  await expect(rows).toHaveCount(2);
  const predict = async () => {
    await panel.getByTestId('predict').click();
    await expect(panel.getByTestId('predict-results')).toBeVisible(UNTIL_DONE);
  };
  // every run picker starts on the header's run, the one just trained
  const newest = (await rows.nth(1).locator('td.run-name').textContent())!;
  await expect(page.getByLabel('Current run').locator('option:checked')).toHaveText(`${newest} (done)`);
  await expect(rows.nth(1).getByRole('checkbox')).toBeChecked();
  await expect(rows.nth(0).getByRole('checkbox')).not.toBeChecked();
  await expect(panel.getByLabel('Run to export for PyTorch').locator('option:checked')).toHaveText(newest);
  await gotoTab(page, 'explore');
  await expect(page.getByLabel('Predictions of run').locator('option:checked')).toHaveText(newest);
  // Evaluate with no run chosen offers the newest
  await page.goto('/#/evaluate');
  await page.reload();
  await expect(page.getByRole('button', { name: `Evaluate ${newest}` })).toBeVisible();
  await gotoTab(page, 'predict');
  await rows.nth(1).getByRole('checkbox').uncheck();

  // one run → its probabilities, its submission
  await rows.nth(0).getByRole('checkbox').check();
  await predict();
  await expect(panel.getByTestId('member-row')).toHaveCount(1);
  await expect(panel.getByTestId('member-f1')).toHaveText(/^\d\.\d{4}$/);
  const probs1 = parseProbsCsv((await download(page, panel.getByTestId('member-probs'))).bytes.toString('utf8'));
  const plan = planDataset({ ...DEMO, capDominant: true });
  expect(probs1.ids).toEqual(plan.test.map((s) => s.id));

  const sub = (await download(page, panel.getByTestId('submission-download'))).bytes.toString('utf8');
  expect(parseLabelCsv(sub, { labelColumn: 'Predicted', allowEmpty: true }).map((r) => r.id)).toEqual(plan.test.map((s) => s.id));
  const score = scoreSubmission({ text: formatLabelCsv(plan.test, 'Target') }, { text: sub });
  const shown = Number(await panel.getByTestId('test-f1').textContent());
  expect(shown).toBeCloseTo(score.macroF1, 4);

  // export the model → plain tf.loadLayersModel (no studio layer classes) predicts what the studio predicted
  const zip = await download(page, rows.nth(0).getByTestId('export-model'));
  expect(zip.name).toMatch(/\.model\.zip$/);
  const files = await unzip(zip.bytes);
  const studio = JSON.parse(new TextDecoder().decode(files.get('studio.json')));
  expect(studio).toMatchObject({ modelName: 'gapnet-pl', inputSize: 32, resizeMode: 'resize', storedSize: 32 });
  expect(studio.thresholds).toHaveLength(28);
  const modelJson = JSON.parse(new TextDecoder().decode(files.get('model.json')));
  const shards = (modelJson.weightsManifest as { paths: string[] }[]).flatMap((g) => g.paths).map((p) => files.get(p)!);
  const weightData = new Uint8Array(shards.reduce((s, b) => s + b.length, 0));
  shards.reduce((o, b) => (weightData.set(b, o), o + b.length), 0);
  await tf.setBackend('cpu');
  expect(Object.keys(tf.serialization.SerializationMap.getMap().classNameMap).filter((n) => n.startsWith('Hpa'))).toEqual([]);
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: modelJson.modelTopology,
      weightSpecs: (modelJson.weightsManifest as { weights: tf.io.WeightsManifestEntry[] }[]).flatMap((g) => g.weights),
      weightData: weightData.buffer,
    }),
  );
  const images = testImages(probs1.ids);
  const x = tf.tensor4d(images, [probs1.ids.length, DEMO.size, DEMO.size, 4]);
  const nodeProbs = (await (model.predict(x) as tf.Tensor).data()) as Float32Array;
  const diff = maxAbsDiff(nodeProbs, probs1.probs);
  console.log(`studio (webgpu) vs plain tfjs (Node cpu) on ${probs1.ids.length} test images: max |Δp| = ${diff.toExponential(2)}`);
  expect(diff).toBeLessThan(1e-5);
  // and in a fresh page that loads stock tfjs only
  const inPage = await plainTfjsInPage(browser, files, images, DEMO.size);
  expect(inPage.hpaClasses).toEqual([]);
  const pageDiff = maxAbsDiff(inPage.probs, probs1.probs);
  console.log(`studio (webgpu) vs plain tfjs (fresh page, cpu) on ${probs1.ids.length} test images: max |Δp| = ${pageDiff.toExponential(2)}`);
  expect(pageDiff).toBeLessThan(1e-5);

  // a truncated zip is refused with a message naming the file
  await panel
    .getByLabel('Import model')
    .setInputFiles({ name: 'truncated.model.zip', mimeType: 'application/zip', buffer: zip.bytes.subarray(0, zip.bytes.length - 100) });
  await expect(panel.getByTestId('export-error')).toContainText('truncated.model.zip');
  const shardName = (modelJson.weightsManifest as { paths: string[] }[])[0].paths[0];
  await panel.getByLabel('Import model').setInputFiles({ name: 'model.json', mimeType: 'application/json', buffer: Buffer.from(files.get('model.json')!) });
  await expect(panel.getByTestId('export-error')).toContainText(`model.json: weight shard '${shardName}' listed in model.json is missing`);

  // import the zip back → an imported run that predicts the same probabilities
  await panel.getByLabel('Import model').setInputFiles({ name: 'roundtrip.model.zip', mimeType: 'application/zip', buffer: zip.bytes });
  await expect(panel.getByTestId('export-notice')).toContainText("Imported as 'imported · roundtrip.model.zip");
  await expect(rows).toHaveCount(3);
  await expect(rows.nth(2).getByRole('checkbox')).toBeChecked();
  await expect(rows.nth(0).getByRole('checkbox')).not.toBeChecked();
  await predict();
  const probsImported = parseProbsCsv((await download(page, panel.getByTestId('member-probs'))).bytes.toString('utf8'));
  expect(probsImported.ids).toEqual(probs1.ids);
  expect(maxAbsDiff(probsImported.probs, probs1.probs)).toBeLessThanOrEqual(1e-6);

  // ensemble of the two trained runs (mean) = the mean of their probability CSVs
  await rows.nth(2).getByRole('checkbox').uncheck();
  await rows.nth(0).getByRole('checkbox').check();
  await rows.nth(1).getByRole('checkbox').check();
  await predict();
  await expect(panel.getByTestId('member-row')).toHaveCount(2);
  await expect(panel.getByTestId('ensemble-f1')).toHaveText(/^\d\.\d{4}$/);
  const a = parseProbsCsv((await download(page, panel.getByTestId('member-probs').nth(0))).bytes.toString('utf8'));
  const b = parseProbsCsv((await download(page, panel.getByTestId('member-probs').nth(1))).bytes.toString('utf8'));
  const mean = parseProbsCsv((await download(page, panel.getByTestId('ensemble-probs'))).bytes.toString('utf8'));
  expect(maxAbsDiff(a.probs, probs1.probs)).toBeLessThanOrEqual(1e-6);
  expect(
    maxAbsDiff(
      mean.probs,
      Float32Array.from(a.probs, (v, i) => (v + b.probs[i]) / 2),
    ),
  ).toBeLessThanOrEqual(1e-6);
  expect(maxAbsDiff(a.probs, b.probs)).toBeGreaterThan(1e-4);
  await expect(panel.getByTestId('predict-results')).toContainText('on webgpu');

  // progress (count, rate, ETA) and cancel: dihedral TTA, one image per batch
  await panel.getByLabel('TTA').selectOption('dihedral');
  await panel.getByLabel('Predict batch').fill('1');
  await panel.getByTestId('predict').click();
  await expect(panel.getByTestId('predict-count')).toHaveText(/^\d+ \/ \d+ images · [\d.]+ img\/s · ETA /);
  await panel.getByTestId('predict-cancel').click();
  await expect(panel.getByTestId('export-notice')).toHaveText('Prediction cancelled.');
  await expect(panel.getByTestId('predict-progress')).toHaveCount(0);
  await expect(panel.getByTestId('predict-results')).toHaveCount(0);

  // the run report: one zip; importing it brings the run back (without weights)
  const report = await unzip((await download(page, rows.nth(0).getByTestId('export-report'))).bytes);
  expect([...report.keys()]).toEqual(
    expect.arrayContaining(['report.json', 'per_class.csv', 'loss.svg', 'val_macro_f1.svg', 'per_class_f1.svg', 'val_probs.csv']),
  );
  const json = JSON.parse(new TextDecoder().decode(report.get('report.json')));
  expect(json.seed).toBe(1);
  expect(json.history).toHaveLength(1);
  expect(json.valIds.length).toBeGreaterThan(0);
  await panel
    .getByLabel('Import report')
    .setInputFiles({ name: 'run1.report.zip', mimeType: 'application/zip', buffer: (await download(page, rows.nth(0).getByTestId('export-report'))).bytes });
  await expect(panel.getByTestId('export-notice')).toContainText('imported report ·');
  await gotoTab(page, 'train');
  await expect(page.getByTestId('run-row')).toHaveCount(4);
  await expect(page.getByTestId('run-row').nth(3)).toContainText('imported report ·');
  await gotoTab(page, 'predict');

  // model.json + its weight shards (tf.io's layout, no studio.json) import as well
  await panel
    .getByLabel('Import model')
    .setInputFiles(
      [...files].filter(([n]) => n !== 'studio.json').map(([name, bytes]) => ({ name, mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) })),
    );
  await expect(panel.getByTestId('export-notice')).toContainText("Imported as 'imported · model.json · ");
  await gotoTab(page, 'train');
  await expect(page.getByTestId('run-row')).toHaveCount(5);
});
