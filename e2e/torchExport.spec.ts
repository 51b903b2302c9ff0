import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect, test } from '@playwright/test';
import { readZipFiles } from '../src/core/zipFiles';
import { makeDatasetZip } from '../src/synth';
import { axeViolations, layoutProblems } from './fixtures/layout';
import { gotoTab, importDemo, openStudio, storedValidation, UNTIL_DONE } from './fixtures/studio';

const PYTHON = '/usr/bin/python3';
const probe = existsSync(PYTHON) ? spawnSync(PYTHON, ['-c', 'import torch, numpy, PIL'], { encoding: 'utf8' }) : null;
const hasTorch = probe?.status === 0;
// the demo dataset the studio generates in the page, as the CLI's make-dataset writes it
const DEMO = { train: 48, test: 8, size: 32, seed: 1 };

async function unpack(bytes: Uint8Array, folder: string): Promise<void> {
  for (const [path, b] of await readZipFiles(bytes, 'zip')) {
    mkdirSync(dirname(join(folder, path)), { recursive: true });
    writeFileSync(join(folder, path), b);
  }
}

test('export as a PyTorch project: model.py predicts what the studio did; torchrun trains it; Import report shows it beside the studio run', async ({
  page,
}) => {
  test.skip(!hasTorch && !process.env.HPA_REQUIRE_TORCH, `${PYTHON} cannot import torch, numpy and PIL (Debian: python3-torch python3-numpy python3-pil)`);
  test.setTimeout(900_000);
  const tmp = mkdtempSync(join(tmpdir(), 'hpa-e2e-torch-'));
  await openStudio(page, 'wasm');
  await importDemo(page, DEMO);
  await gotoTab(page, 'train');
  await page.getByRole('button', { name: 'Quick demo' }).click();
  await page.getByLabel('Epochs', { exact: true }).fill('1');
  await page.getByLabel('Batch size').fill('8');
  await page.getByTestId('train').click();
  await expect(page.getByTestId('run-state')).toHaveText('done', UNTIL_DONE);
  const studioRun = (await page.getByTestId('run-row').locator('td:first-child').allTextContents())[0];

  // one class's threshold set in Evaluate: both exports carry the thresholds in force, and say so
  await gotoTab(page, 'evaluate');
  await page.getByLabel('Threshold for Nucleoli', { exact: true }).fill('0.35');
  await gotoTab(page, 'predict');
  const exportPanel = page.getByRole('region', { name: 'Predict and export' });
  await expect(exportPanel.getByTestId('export-contents')).toHaveText(/^weights: (best|last) epoch 1 · thresholds: set in Evaluate: per class$/);
  const [zipDownload] = await Promise.all([page.waitForEvent('download'), exportPanel.getByRole('button', { name: `Export model of ${studioRun}` }).click()]);
  const studioJson = JSON.parse(
    new TextDecoder().decode((await readZipFiles(new Uint8Array(readFileSync((await zipDownload.path())!)), 'zip')).get('studio.json')),
  );
  expect(studioJson.thresholds).toEqual([...new Array(2).fill(0.5), 0.35, ...new Array(25).fill(0.5)]);
  expect(studioJson.extra.thresholdsFrom).toBe('set in Evaluate: per class');
  await expect(exportPanel.getByTestId('export-notice')).toContainText('thresholds: set in Evaluate: per class');
  // the Predict view's threshold mode is the other, labelled choice
  await exportPanel.getByLabel('Thresholds in exports').selectOption('predict-mode');
  await expect(exportPanel.getByTestId('export-contents')).toContainText("thresholds: Predict's threshold mode (global) on ");
  await exportPanel.getByLabel('Thresholds in exports').selectOption('in-force');
  const torch = page.getByRole('region', { name: 'Export as PyTorch project' });
  await expect(torch.getByTestId('torch-export-contents')).toHaveText(/^weights: (best|last) epoch 1 · thresholds.csv: set in Evaluate: per class$/);
  await expect(torch.getByLabel('With train.py')).toBeChecked();
  await torch.getByTestId('export-torch').click();
  const link = torch.getByTestId('torch-download');
  await expect(link).toBeVisible(UNTIL_DONE);
  // the export's controls keep the area's layout and accessibility rules
  expect(await layoutProblems(page)).toEqual([]);
  expect(await axeViolations(page)).toEqual([]);
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  expect(download.suggestedFilename()).toMatch(/-pytorch\.zip$/);
  const project = join(tmp, 'project');
  await unpack(new Uint8Array(readFileSync((await download.path())!)), project);
  const folder = join(project, download.suggestedFilename().replace(/\.zip$/, ''));
  const config = JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8'));
  expect(config).toMatchObject({
    format: 'hpa-studio-torch-export',
    config: { model: 'gapnet-kaggle', inputSize: 32, epochs: 1 },
    network: { storedSize: 32 },
  });

  // the same images as PNGs in the Kaggle layout
  const data = join(tmp, 'data');
  await unpack(await makeDatasetZip({ ...DEMO, capDominant: true }), data);
  const folds = readFileSync(join(folder, 'folds.csv'), 'utf8').trim().split('\n').slice(1);
  expect(folds.map((l) => l.split(',')[0])).toEqual(
    readFileSync(join(data, 'train.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',')[0])
      .sort(),
  );
  expect(readFileSync(join(folder, 'thresholds.csv'), 'utf8').trim().split('\n')[3]).toBe('2,0.35');
  expect(config.thresholds.from).toBe('set in Evaluate: per class');
  const valIds = folds.filter((l) => l.endsWith(',0')).map((l) => l.split(',')[0]);

  // model.py + weights.npz on the validation PNGs = the studio's stored validation probabilities (trained on wasm)
  const parity = spawnSync(
    PYTHON,
    [
      '-c',
      `import json, sys, numpy as np
sys.path.insert(0, sys.argv[1])
import model
net = model.build_model()
model.load_weights(net, sys.argv[1] + '/weights.npz')
ids = json.loads(sys.argv[3])
print(json.dumps(model.predict_batch(net, [model.read_sample(sys.argv[2], i) for i in ids]).reshape(-1).tolist()))`,
      folder,
      join(data, 'train'),
      JSON.stringify(valIds),
    ],
    { encoding: 'utf8' },
  );
  expect(parity.status, parity.stderr).toBe(0);
  const torchProbs: number[] = JSON.parse(parity.stdout);
  const studioProbs = (await storedValidation(page)).probs;
  expect(torchProbs).toHaveLength(studioProbs.length);
  const diff = torchProbs.reduce((m, p, i) => Math.max(m, Math.abs(p - studioProbs[i])), 0);
  console.log(`studio (wasm) vs model.py (PyTorch CPU) on ${valIds.length} validation images: max |Δp| = ${diff.toExponential(2)}`);
  expect(diff).toBeLessThan(1e-4);

  // train.py under torchrun, two gloo processes, one epoch; --redirects/--tee as the unit test explains
  const torchrun = existsSync('/usr/bin/torchrun') ? ['/usr/bin/torchrun'] : [PYTHON, '-m', 'torch.distributed.run'];
  const run = spawnSync(
    torchrun[0],
    [
      ...torchrun.slice(1),
      ...['--standalone', '--nproc_per_node', '2', '--redirects', '1', '--tee', '1', '--log_dir', join(tmp, 'logs')],
      ...['train.py', '--data', data, '--out', join(tmp, 'out'), '--epochs', '1', '--workers', '0', '--device', 'cpu'],
    ],
    { cwd: folder, encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } },
  );
  expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
  expect(run.stdout).toMatch(/\[rank 1\/2\] epoch 1: trained on \d+ images/);

  // Import report: the PyTorch run comes back beside the studio's own
  const panel = page.getByRole('region', { name: 'Predict and export' });
  await panel.getByLabel('Import report').setInputFiles(join(tmp, 'out', 'run_report.zip'));
  const imported = `imported report · ${studioRun} · PyTorch, 2 processes`;
  await expect(panel.getByTestId('export-notice')).toContainText(`Imported '${imported}'`);
  await gotoTab(page, 'compare');
  await expect(page.getByLabel(`Compare ${studioRun}`, { exact: true })).toBeChecked();
  await expect(page.getByLabel(`Compare ${imported}`, { exact: true })).toBeChecked();
  const perClass = page.getByTestId('runs-per-class-f1');
  await expect(perClass.locator('thead')).toContainText(studioRun);
  await expect(perClass.locator('thead')).toContainText(imported);
  await expect(page.getByTestId('runs-config-diff')).toContainText('trainedWith');
});
