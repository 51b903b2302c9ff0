import { expect, test } from '@playwright/test';

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
