import { readFileSync } from 'node:fs';
import { brotliDecompressSync } from 'node:zlib';
import { expect, test } from '@playwright/test';
import { gotoTab, openStudio, UNTIL_DONE } from './fixtures/studio';

test('no request made by the page or its workers leaves the studio origin', async ({ page, context, baseURL }) => {
  const requests: string[] = [];
  context.on('request', (r) => requests.push(r.url()));
  context.on('weberror', (e) => requests.push(`error:${e.error().message}`));
  page.on('websocket', (ws) => requests.push(ws.url()));
  await page.goto('/');
  // wait until the training worker has fetched its code and trained a step
  await expect(page.getByTestId('backend-check')).toContainText('Training check: 3 steps');
  const origin = new URL(baseURL!).origin;
  const outside = requests.filter((u) => !u.startsWith('data:') && !u.startsWith('blob:') && new URL(u).origin !== origin);
  expect(requests.length).toBeGreaterThan(3);
  expect(requests.some((u) => /training\.worker/.test(u))).toBe(true);
  expect(outside).toEqual([]);
});

test('pretrained weights: nothing is fetched until the download button is pressed; then exactly one request, to the address shown', async ({
  page,
  context,
  baseURL,
}) => {
  const requests: string[] = [];
  context.on('request', (r) => requests.push(r.url()));
  // Stands in for the Keras Applications server (this machine has no internet), with the header a CORS
  // download needs: the fixture in the published file's string layout (h5py 2's fixed-length strings),
  // padded with zeros to the published size, which the studio checks a download against.
  const served: string[] = [];
  const published = 9_406_464;
  const fixture = brotliDecompressSync(readFileSync('fixtures/transfer/mobilenetv2_fixed.h5.br'));
  expect(fixture.length).toBeLessThanOrEqual(published);
  const body = Buffer.concat([fixture, Buffer.alloc(published - fixture.length)]);
  await context.route(/^https:\/\/storage\.googleapis\.com\//, (route) => {
    served.push(route.request().url());
    return route.fulfill({ status: 200, body, headers: { 'content-type': 'application/octet-stream', 'access-control-allow-origin': '*' } });
  });
  await openStudio(page, 'wasm');
  await gotoTab(page, 'train');
  await page.getByLabel('Model', { exact: true }).selectOption('mobilenetv2');
  const address = (await page.getByTestId('weights-address').textContent())!;
  expect(address).toMatch(/^https:\/\/storage\.googleapis\.com\/tensorflow\/keras-applications\/mobilenet_v2\/.*no_top\.h5$/);
  await expect(page.getByTestId('weights-size')).toHaveText('9.4 MB');
  // the panel is open, the address on show, every other area visited: nothing has left the origin
  for (const tab of ['datasets', 'explore', 'evaluate', 'compare', 'predict', 'lesson', 'train'] as const) await gotoTab(page, tab);
  const origin = new URL(baseURL!).origin;
  const outside = () => requests.filter((u) => !u.startsWith('data:') && !u.startsWith('blob:') && new URL(u).origin !== origin);
  expect(outside()).toEqual([]);

  await page.getByTestId('weights-download-button').click();
  await expect(page.getByTestId('weights-report')).toContainText('Nothing missing, nothing left over', UNTIL_DONE);
  await expect(page.getByTestId('weights-row')).toContainText('downloaded');
  expect(outside()).toEqual([address]);
  expect(served).toEqual([address]);
});
