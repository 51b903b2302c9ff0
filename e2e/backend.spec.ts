import { expect, test, type Page } from '@playwright/test';
import { gotoTab, importDemo, openStudio, UNTIL_DONE } from './fixtures/studio';

/** Opens the status bar's details (the reasons, the training check, the backend settings). */
async function openDetails(page: Page) {
  const toggle = page.getByTestId('backend-details');
  if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
  await expect(page.getByTestId('status-details')).toBeVisible();
}

test('the training worker runs a real training step on the webgpu backend', async ({ page }) => {
  const consoleErrors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  await page.goto('/');
  await expect(page.getByTestId('backend-active')).toHaveText('Backend: webgpu');
  await expect(page.getByTestId('backend-adapter')).toContainText('(software fallback)');
  // values reach the GPU by queue.writeBuffer: a float32 view at an offset, int32, bool, a scalar and a
  // buffer reused from the pool right after a pending kernel read it all came back (writeBufferUpload.ts)
  await expect(page.getByTestId('backend-reason')).toContainText('values reach the GPU by queue.writeBuffer, no staging buffer each (checked)');
  // the byte upload's self-check (every byte value through the WGSL unpacking) passed on this GPU
  await expect(page.getByTestId('backend-reason')).toContainText('image batches upload as bytes, widened to float on the GPU (checked)');
  // the SELU gradient's WGSL matched the exact derivative at 1,027 points on this GPU (seluGrad.ts)
  await expect(page.getByTestId('backend-reason')).toContainText('SELU gradient in one kernel (checked)');
  // the fused AlphaDropout's two WGSL kernels matched the layer's tfjs ops, forward and gradient (alphaDropout.ts)
  await expect(page.getByTestId('backend-reason')).toContainText('AlphaDropout in one kernel each way (checked)');
  // the fused BCE/focal loss's WGSL matched the losses' tfjs ops, value and gradient, for every form and weighting (focalLoss.ts)
  await expect(page.getByTestId('backend-reason')).toContainText('BCE and focal loss in one kernel each way (checked)');
  // tfjs's matrix-multiply conv input gradient matched its naive one on this GPU, so it is on (conv2dInputGrad.ts)
  await expect(page.getByTestId('backend-reason')).toContainText('conv input gradients as matrix multiplies (checked)');
  // the input gradient as forward convolutions with the filter turned (at stride 2 one per parity of dx, interleaved) matched tfjs's kernel (convInputGradAsConv.ts)
  await expect(page.getByTestId('backend-reason')).toContainText('conv input gradients as forward convolutions, stride 2 by parity (checked)');
  // the split reductions' second pass, in lanes and one thread per value, matched double-precision sums; on this software
  // adapter the lanes' workgroup barrier is slow, so one thread per value is used (chunkSum.ts)
  await expect(page.getByTestId('backend-reason')).toContainText('split sums one thread per value on a software adapter (lanes checked)');
  // per-channel sums and means (bias and BatchNorm gradients, global average pools) without a transpose matched double-precision sums (columnReduce.ts)
  await expect(page.getByTestId('backend-reason')).toContainText('per-channel sums and average pools without a transpose (checked)');
  // the split conv filter gradient's WGSL matched a double-precision reference in four cases (conv2dFilterGrad.ts)
  await expect(page.getByTestId('backend-reason')).toContainText('conv filter gradients split over the GPU (checked)');
  // the fused Adam's WGSL matched tfjs's Adam over three steps on this GPU, run in place (one
  // dispatch rewriting each weight and its moments) and, for a weight whose data a tensor shares,
  // through the kernel path, leaving that tensor as it was (fusedAdam.ts, adamUpdate.ts)
  await expect(page.getByTestId('backend-reason')).toContainText('Adam fused into one kernel per weight, in place (checked)');
  // the batch's crops and dihedral turns in one gather matched the same positions read in JavaScript (augment.ts)
  await expect(page.getByTestId('backend-reason')).toContainText('crops and flips of a batch in one gather (checked)');
  // a small network trained by the studio's trainer with its steps replayed from a recording of their GPU
  // commands gave the same losses and weights, bit for bit, as step by step through tfjs (replayCheck.ts)
  await expect(page.getByTestId('backend-reason')).toContainText('training steps replayed from a recording of their GPU commands (checked)');
  const check = page.getByTestId('backend-check');
  await expect(check).toContainText(/Training check: 3 steps on webgpu, loss \d+\.\d+ → \d+\.\d+/);
  const [before, after] = ((await check.textContent()) ?? '')
    .match(/loss (\d+\.\d+) → (\d+\.\d+)/)!
    .slice(1)
    .map(Number);
  expect(Number.isFinite(before) && Number.isFinite(after)).toBe(true);
  expect(after).toBeLessThan(before);
  expect(consoleErrors).toEqual([]);
});

test("forcing a backend in settings restarts the worker on it and remembers the choice; a restarted webgpu worker reuses the page's check passes", async ({
  page,
}) => {
  await page.goto('/');
  await expect(page.getByTestId('backend-active')).toHaveText('Backend: webgpu');
  const reason = page.getByTestId('backend-reason');
  await expect(reason).toContainText('training steps replayed from a recording of their GPU commands (checked)'); // the last check
  await expect(reason).not.toContainText('earlier start');
  await openDetails(page);
  await page.getByLabel('Backend setting').selectOption('cpu');
  await expect(page.getByTestId('backend-active')).toHaveText('Backend: cpu');
  await expect(reason).toContainText('forced in settings');
  await expect(page.getByTestId('backend-check')).toContainText('steps on cpu');
  // back on webgpu: a new worker, given the passes of the first one (src/ui/startCheckPasses.ts),
  // runs none of its 13 checks again, says so, and still trains
  await page.getByLabel('Backend setting').selectOption('webgpu');
  await expect(page.getByTestId('backend-active')).toHaveText('Backend: webgpu');
  await expect(reason).toContainText('webgpu: forced in settings');
  await expect(reason).toContainText(
    'training steps replayed from a recording of their GPU commands (checked); all 13 checks passed at an earlier start on this page, not rerun',
  );
  await expect(page.getByTestId('backend-check')).toContainText(/Training check: 3 steps on webgpu, loss \d+\.\d+ → \d+\.\d+/);
  await page.getByLabel('Backend setting').selectOption('cpu');
  await expect(page.getByTestId('backend-active')).toHaveText('Backend: cpu');
  await page.reload();
  await expect(page.getByLabel('Backend setting')).toHaveValue('cpu');
  await expect(page.getByTestId('backend-active')).toHaveText('Backend: cpu');
  // a reloaded page keeps no passes: its checks run again
  await expect(reason).toContainText('crops and flips of a batch in one gather (checked)');
  await expect(reason).not.toContainText('earlier start');
});

test("forcing wasm trains on the wasm backend's threaded build (on half the logical cores, as tfjs decides)", async ({ page }) => {
  const consoleErrors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  const binaries: string[] = [];
  page.context().on('request', (r) => r.url().endsWith('.wasm') && binaries.push(r.url().split('/').pop()!));
  await page.goto('/');
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  await openDetails(page);
  await page.getByLabel('Backend setting').selectOption('wasm');
  await expect(page.getByTestId('backend-active')).toHaveText('Backend: wasm');
  const check = page.getByTestId('backend-check');
  await expect(check).toContainText(/Training check: 3 steps on wasm, loss \d+\.\d+ → \d+\.\d+/);
  const [before, after] = ((await check.textContent()) ?? '')
    .match(/loss (\d+\.\d+) → (\d+\.\d+)/)!
    .slice(1)
    .map(Number);
  expect(after).toBeLessThan(before);
  // the threaded binary ran (it failed to start from a bundled worker before buildtools/tfjsWasmThreads.ts)
  expect(binaries.some((b) => b.startsWith('tfjs-backend-wasm-threaded-simd'))).toBe(true);
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  const threads = Math.max(1, Math.min(8, Math.floor(cores / 2)));
  await expect(page.getByTestId('backend-reason')).toContainText(
    `wasm: forced in settings; threaded build, ${threads} thread${threads > 1 ? 's' : ''}: tfjs uses half the logical cores, at most 8, and this machine has ${cores}`,
  );
  await expect(page.getByTestId('backend-threads')).toHaveText(threads > 1 ? `wasm threads: on (${threads})` : 'wasm threads: off (1)');
  await expect(page.getByTestId('backend-reason')).toContainText('Adam fused into one kernel per weight (checked)');
  await expect(page.getByTestId('backend-reason')).toContainText('crops and flips of a batch in one gather (checked)');
  // fewer threads can be asked for in the settings; the choice is remembered
  await page.getByLabel('wasm threads').selectOption('1');
  await expect(page.getByTestId('backend-reason')).toContainText('wasm: forced in settings; threaded build, 1 thread (settings)');
  await page.reload();
  await expect(page.getByLabel('wasm threads')).toHaveValue('1');
  await expect(page.getByTestId('backend-reason')).toContainText('threaded build, 1 thread (settings)');
  await expect(check).toContainText('steps on wasm');
  expect(consoleErrors).toEqual([]);
});

test("the status bar is one line that says 'starting…' until the worker reports, with the reasons and settings behind Details", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto('/');
  const bar = page.getByRole('status', { name: 'Backend status' });
  // the webgpu worker is still running its start checks: nothing is known of the adapter yet
  await expect(page.getByTestId('backend-active')).toHaveText('Backend: starting…');
  await expect(page.getByTestId('backend-adapter')).toHaveText('Adapter: starting…');
  await expect(page.getByTestId('backend-state')).toHaveText('starting…');
  await expect(page.getByTestId('backend-active')).toHaveText('Backend: webgpu');
  await expect(page.getByTestId('backend-adapter')).toContainText('(software fallback)');
  await expect(page.getByTestId('backend-state')).toHaveText('ready');
  // thirteen checks' words and the training check: still one line
  await expect(page.getByTestId('backend-reason')).toContainText('training steps replayed from a recording of their GPU commands (checked)');
  await expect(page.getByTestId('backend-reason')).toBeHidden();
  const closed = (await bar.boundingBox())!;
  console.log(`status bar, details closed: ${closed.height.toFixed(0)} px high`);
  expect(closed.height).toBeLessThanOrEqual(48);
  const toggle = page.getByTestId('backend-details');
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  await expect(page.getByTestId('backend-reason')).toBeVisible();
  await expect(page.getByTestId('backend-check')).toContainText(/Training check: 3 steps on webgpu/);
  await expect(page.getByLabel('Backend setting')).toBeVisible();
  // the panel opens over the page: the bar itself does not grow
  expect((await bar.boundingBox())!.height).toBeLessThanOrEqual(48);
  await toggle.click();
  await expect(page.getByTestId('backend-reason')).toBeHidden();
});

test("'auto' measures the run's model in a few seconds, remembers the choice for the next run of that shape, and prediction runs on the run's backend", async ({
  page,
}) => {
  test.setTimeout(900_000);
  await page.setViewportSize({ width: 1280, height: 800 });
  await openStudio(page); // the backend setting is Auto
  await expect(page.getByTestId('backend-active')).toHaveText('Backend: webgpu', UNTIL_DONE);
  await gotoTab(page, 'datasets');
  await importDemo(page, { train: 48, test: 8 });
  await gotoTab(page, 'train');
  await page.getByRole('button', { name: 'Quick demo' }).click();
  await page.getByLabel('Model', { exact: true }).selectOption('gapnet-pl');
  await page.getByLabel('Epochs', { exact: true }).fill('1');
  await page.getByLabel('Batch size').fill('8');
  // every note the run panel shows while the run starts
  const notes = async () => page.evaluate(() => (window as unknown as { notes: string[] }).notes);
  await page.evaluate(() => {
    const w = window as unknown as { notes: string[] };
    w.notes = [];
    new MutationObserver(() => {
      const t = document.querySelector('[data-testid="run-loading"]')?.textContent;
      if (t && w.notes.at(-1) !== t) w.notes.push(t);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });

  const t0 = Date.now();
  await page.getByTestId('train').click();
  const probe = page.getByTestId('backend-probe');
  await expect(probe).toContainText(/measured on this model in [\d.]+ s: /, UNTIL_DONE);
  const probeText = (await probe.textContent())!;
  const seconds = Number(probeText.match(/measured on this model in ([\d.]+) s/)![1]);
  console.log(`auto probe: ${seconds} s to a measured choice (${((Date.now() - t0) / 1000).toFixed(1)} s from Train to the run's start): ${probeText}`);
  // the probe said what it measured while it measured, wasm first on this software adapter
  expect(await notes()).toContain('measuring gapnet-pl on wasm (1/3)…');
  // every backend has a figure or says why not; the fastest measured one trains
  const figures = [...probeText.matchAll(/(webgpu|webgl|wasm) (?:([\d.]+) img\/s|stopped|skipped|n\/a)/g)].map((m) => ({
    backend: m[1],
    ips: m[2] === undefined ? null : Number(m[2]),
  }));
  expect(figures.map((f) => f.backend).sort()).toEqual(['wasm', 'webgl', 'webgpu']);
  const fastest = figures.filter((f) => f.ips !== null).sort((a, b) => b.ips! - a.ips!)[0].backend;
  expect(probeText).toContain(`→ ${fastest}`);
  await expect(page.getByTestId('backend-active')).toHaveText(`Backend: ${fastest}`);
  await expect(page.getByTestId('backend-reason')).toContainText('auto: fastest for gapnet-pl at 32 px, batch 8, measured in');
  await expect(page.getByTestId('run-state')).toContainText('done', UNTIL_DONE);
  // the status bar shows the training check of the backend in use, not the page's webgpu check
  await expect(page.getByTestId('backend-check')).not.toContainText('on webgpu');
  if (fastest !== 'webgpu') await expect(page.getByTestId('backend-check')).toContainText(`not run on ${fastest} in this page`);
  expect((await page.getByRole('status', { name: 'Backend status' }).boundingBox())!.height).toBeLessThanOrEqual(48);

  // the same model, input size and batch again: the remembered choice, no measuring
  await page.evaluate(() => ((window as unknown as { notes: string[] }).notes = []));
  await page.getByTestId('train').click();
  await expect(probe).toContainText(/^Auto backend, remembered from \d{4}-\d\d-\d\d \d\d:\d\d: /, UNTIL_DONE);
  await expect(probe).toContainText(`→ ${fastest}`);
  await expect(page.getByTestId('backend-reason')).toContainText('auto: remembered from');
  await expect(page.getByTestId('backend-active')).toHaveText(`Backend: ${fastest}`);
  await expect(page.getByTestId('run-state')).toContainText('done', UNTIL_DONE);
  expect((await notes()).filter((n) => n.includes('measuring'))).toEqual([]);

  // prediction with the run: on the backend it trained on, not on the first one that starts (webgpu)
  await gotoTab(page, 'predict');
  const panel = page.getByRole('region', { name: 'Predict and export' });
  await panel.getByTestId('export-run-row').nth(0).getByRole('checkbox').check();
  await panel.getByTestId('predict').click();
  await expect(panel.getByTestId('predict-backend')).toContainText(
    new RegExp(`^predicted on ${fastest} \\(the backend '.+' trained on\\), [\\d.]+ img/s$`),
    UNTIL_DONE,
  );
  console.log(`prediction: ${await panel.getByTestId('predict-backend').textContent()}`);
});
