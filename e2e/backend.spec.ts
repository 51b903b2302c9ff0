import { expect, test } from '@playwright/test';

test('the training worker runs a real training step on the webgpu backend', async ({ page }) => {
  const consoleErrors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  await page.goto('/');
  await expect(page.getByTestId('backend-active')).toHaveText('Backend: webgpu');
  await expect(page.getByTestId('backend-adapter')).toContainText('(software fallback)');
  const check = page.getByTestId('backend-check');
  await expect(check).toContainText(/Training check: 3 steps on webgpu, loss \d+\.\d+ → \d+\.\d+/);
  const [before, after] = ((await check.textContent()) ?? '').match(/loss (\d+\.\d+) → (\d+\.\d+)/)!.slice(1).map(Number);
  expect(Number.isFinite(before) && Number.isFinite(after)).toBe(true);
  expect(after).toBeLessThan(before);
  expect(consoleErrors).toEqual([]);
});

test('forcing a backend in settings restarts the worker on it and remembers the choice', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('backend-active')).toHaveText('Backend: webgpu');
  await page.getByLabel('Backend setting').selectOption('cpu');
  await expect(page.getByTestId('backend-active')).toHaveText('Backend: cpu');
  await expect(page.getByTestId('backend-reason')).toContainText('forced in settings');
  await expect(page.getByTestId('backend-check')).toContainText('steps on cpu');
  await page.reload();
  await expect(page.getByLabel('Backend setting')).toHaveValue('cpu');
  await expect(page.getByTestId('backend-active')).toHaveText('Backend: cpu');
});

test('forcing wasm trains on the wasm backend (one thread: the threaded build fails in a bundled worker)', async ({ page }) => {
  const consoleErrors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  await page.goto('/');
  await page.getByLabel('Backend setting').selectOption('wasm');
  await expect(page.getByTestId('backend-active')).toHaveText('Backend: wasm');
  await expect(page.getByTestId('backend-reason')).toContainText('forced in settings');
  await expect(page.getByTestId('backend-threads')).toHaveText('wasm threads: off (1)');
  const check = page.getByTestId('backend-check');
  await expect(check).toContainText(/Training check: 3 steps on wasm, loss \d+\.\d+ → \d+\.\d+/);
  const [before, after] = ((await check.textContent()) ?? '').match(/loss (\d+\.\d+) → (\d+\.\d+)/)!.slice(1).map(Number);
  expect(after).toBeLessThan(before);
  expect(consoleErrors).toEqual([]);
});
