import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { gotoTab, importDemo, UNTIL_DONE, type StudioTab } from './fixtures/studio';
import { axeViolations, layoutProblems } from './fixtures/layout';

const SIZES = [
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
] as const;
const TABS: StudioTab[] = ['datasets', 'explore', 'train', 'evaluate', 'compare', 'predict', 'lesson'];

/**
 * Tabs through the page from the top: every visible control must be reached, show a focus ring and
 * have a name. Returns the problems found.
 */
async function keyboardProblems(page: Page): Promise<string[]> {
  // the area first settles: no DOM change for 1 s (charts hand their data over a few frames apart)
  await page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        let timer = setTimeout(done, 1000);
        const observer = new MutationObserver(() => {
          clearTimeout(timer);
          timer = setTimeout(done, 1000);
        });
        function done() {
          observer.disconnect();
          resolve();
        }
        observer.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
      }),
  );
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  const reached = new Set<string>();
  const problems: string[] = [];
  // every element gets an id, also one drawn later: the walk tells elements apart by it
  const id = () => {
    const w = window as unknown as { kbNext?: number };
    for (const e of document.querySelectorAll('*:not([data-kb])')) e.setAttribute('data-kb', String((w.kbNext = (w.kbNext ?? 0) + 1)));
  };
  await page.evaluate(id);
  let first: string | null = null;
  for (let i = 0; i < 600; i++) {
    await page.keyboard.press('Tab');
    await page.evaluate(id);
    const f = await page.evaluate(() => {
      const e = document.activeElement as HTMLElement | null;
      if (!e || e === document.body) return null;
      const s = getComputedStyle(e);
      const labelled =
        e.getAttribute('aria-label') ||
        e.getAttribute('aria-labelledby') ||
        (e as HTMLInputElement).labels?.length ||
        e.getAttribute('title') ||
        (e.textContent ?? '').trim() ||
        (e as HTMLInputElement).placeholder;
      const radioGroup = e instanceof HTMLInputElement && e.type === 'radio' ? e.name : null;
      return {
        id: e.getAttribute('data-kb')!,
        radioGroup,
        desc: e.outerHTML.slice(0, 120),
        ring: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 1,
        labelled: !!labelled,
      };
    });
    if (!f) continue;
    // one full cycle through the page (past the browser's own controls) and back to the start
    if (f.id === first) break;
    first ??= f.id;
    if (reached.has(f.id)) continue;
    reached.add(f.id);
    if (f.radioGroup) reached.add(`radio:${f.radioGroup}`);
    if (!f.ring) problems.push(`no focus ring: ${f.desc}`);
    if (!f.labelled) problems.push(`no label: ${f.desc}`);
  }
  await page.evaluate(id);
  const controls = await page.evaluate(() =>
    [...document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex="0"]')]
      .filter((e) => e.checkVisibility({ visibilityProperty: true }) && !(e as HTMLButtonElement).disabled && !e.closest('[inert]'))
      .map((e) => ({
        // a radio group is one Tab stop (arrow keys move within it)
        id: e instanceof HTMLInputElement && e.type === 'radio' ? `radio:${e.name}` : e.getAttribute('data-kb')!,
        desc: e.outerHTML.slice(0, 120),
      })),
  );
  for (const c of controls) if (!reached.has(c.id)) problems.push(`not reachable by Tab: ${c.desc}`);
  return problems;
}

async function settle(page: Page, tab: StudioTab) {
  const area = page.getByTestId(`area-${tab}`);
  if (tab === 'explore') await expect(area.getByTestId('class-bar')).toHaveCount(28);
  if (tab === 'evaluate') await expect(area.getByTestId('per-class-table').locator('tbody tr')).toHaveCount(28);
  if (tab === 'compare') await expect(area.locator('svg.recharts-surface').first()).toBeVisible();
  if (tab === 'predict') await expect(area.getByTestId('export-run-row').first()).toBeVisible();
}

test('a new user: the demo, a quick run, evaluation, prediction and a submission through visible controls; every area laid out, accessible and in the URL', async ({
  page,
}) => {
  test.setTimeout(1_200_000);
  await page.setViewportSize(SIZES[0]);
  // an empty profile with the Auto backend, as a first visit is
  await page.goto('/');

  await test.step('the first screen is one clear action', async () => {
    await expect(page.getByTestId('area-datasets')).toBeVisible();
    await expect(page.getByTestId('welcome')).toBeVisible();
    await expect(page.getByTestId('demo-dataset')).toBeVisible();
    await expect(page.getByLabel('Stored resolution')).toBeHidden(); // settings are folded away
    for (const tab of ['explore', 'evaluate', 'compare'] as const) {
      await gotoTab(page, tab);
      await expect(page.getByTestId(`area-${tab}`).locator('.empty-state')).toBeVisible();
    }
  });

  let firstPointS = 0;
  let trainingS = 0;
  await test.step('demo → Quick demo → Train: the form starts valid, the first loss point comes before the training time', async () => {
    // e2e size, set through the visible import options: the teaching demo at 32 px, 400 + 40 samples
    await importDemo(page, { train: 400, test: 40, size: 32, kind: 'teaching' });
    await expect(page.getByTestId('context-bar').getByLabel('Current dataset')).toHaveValue(/.+/);
    await gotoTab(page, 'train');
    await expect(page.getByTestId('setup-problem')).toHaveCount(0);
    await page.getByRole('button', { name: 'Quick demo' }).click();
    await expect(page.getByTestId('train')).toBeEnabled();
    const t0 = Date.now();
    await page.getByTestId('train').click();
    await expect(page.getByTestId('run-progress')).toBeVisible(UNTIL_DONE);
    const t1 = Date.now();
    await expect(page.getByTestId('run-state')).toContainText('done', UNTIL_DONE);
    const t2 = Date.now();
    firstPointS = (t1 - t0) / 1000;
    trainingS = (t2 - t1) / 1000;
    console.log(`new user, Auto backend: Train → first loss point ${firstPointS.toFixed(1)} s, then training ${trainingS.toFixed(1)} s`);
    expect(firstPointS).toBeLessThan(trainingS);
    await expect(page.getByTestId('live-chip-state')).toHaveText('done');
  });

  await test.step('Evaluate, then Predict & export: a submission to download', async () => {
    await gotoTab(page, 'evaluate');
    await expect(page).toHaveURL(/#\/evaluate\?dataset=.+&run=.+/);
    await expect(page.getByTestId('per-class-table').locator('tbody tr')).toHaveCount(28);
    await expect(page.getByTestId('macro-f1')).toContainText(/\d\.\d{4}/);
    await gotoTab(page, 'predict');
    const panel = page.getByRole('region', { name: 'Predict and export' });
    await panel.getByTestId('export-run-row').first().getByRole('checkbox').check();
    await panel.getByTestId('predict').click();
    await expect(panel.getByTestId('predict-results')).toBeVisible(UNTIL_DONE);
    const [download] = await Promise.all([page.waitForEvent('download'), panel.getByTestId('submission-download').click()]);
    const csv = readFileSync((await download.path())!, 'utf8')
      .trim()
      .split(/\r?\n/);
    expect(csv[0]).toBe('Id,Predicted');
    expect(csv).toHaveLength(1 + 40);
  });

  await test.step('the back button and a reload return to the same area, dataset and run', async () => {
    const predictUrl = page.url();
    await page.goBack();
    await expect(page).toHaveURL(/#\/evaluate\?/);
    await expect(page.getByTestId('area-evaluate')).toBeVisible();
    await page.goForward();
    expect(page.url()).toBe(predictUrl);
    await gotoTab(page, 'evaluate');
    const evalUrl = page.url();
    const heading = await page.getByRole('region', { name: 'Evaluation' }).getByRole('heading').first().textContent();
    await page.reload();
    expect(page.url()).toBe(evalUrl);
    await expect(page.getByRole('region', { name: 'Evaluation' }).getByRole('heading').first()).toHaveText(heading!.replace(/ \(latest epoch\)$/, ''));
    await expect(page.getByTestId('per-class-table').locator('tbody tr')).toHaveCount(28);
  });

  await test.step('a second run, so that Compare has two', async () => {
    await gotoTab(page, 'train');
    await page.getByLabel('Loss').selectOption('bce');
    await page.getByLabel('Epochs', { exact: true }).fill('3');
    await page.getByTestId('train').click();
    await expect(page.getByTestId('run-state')).toContainText('done', UNTIL_DONE);
    await expect(page.getByTestId('run-row')).toHaveCount(2);
  });

  for (const size of SIZES) {
    await test.step(`every area at ${size.width}×${size.height}: no overlaps, nothing under the status bar, no serious axe violation`, async () => {
      await page.setViewportSize(size);
      for (const tab of TABS) {
        await gotoTab(page, tab);
        await settle(page, tab);
        await page.screenshot({ path: `docs/screenshots/${tab}-${size.width}x${size.height}.png` });
        expect(await layoutProblems(page), `${tab} at ${size.width}×${size.height}`).toEqual([]);
        expect(await axeViolations(page), `${tab} at ${size.width}×${size.height}`).toEqual([]);
      }
    });
  }

  await test.step('every control of every area is reached by Tab, with a focus ring and a name', async () => {
    await page.setViewportSize(SIZES[0]);
    for (const tab of TABS) {
      await gotoTab(page, tab);
      await settle(page, tab);
      expect(await keyboardProblems(page), tab).toEqual([]);
    }
  });
});
