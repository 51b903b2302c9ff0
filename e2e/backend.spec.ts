import { expect, test } from '@playwright/test';

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
