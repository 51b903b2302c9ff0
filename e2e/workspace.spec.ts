import { readFileSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { gotoTab, importDemo, UNTIL_DONE, type StudioTab } from './fixtures/studio';

const SIZES = [
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
] as const;
const TABS: StudioTab[] = ['datasets', 'explore', 'train', 'evaluate', 'compare', 'predict', 'lesson'];

/**
 * What a user would see as broken layout, at the current scroll position: panels, tables, charts
 * and headings drawn over one another (an element inside another is not an overlap), and the
 * scrolling area reaching under the fixed status bar.
 */
async function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const name = (e: Element) =>
      `${e.tagName.toLowerCase()}${e.getAttribute('data-testid') ? `[data-testid=${e.getAttribute('data-testid')}]` : ''}${e.getAttribute('aria-label') ? `[aria-label="${e.getAttribute('aria-label')}"]` : ''}${e.className && typeof e.className === 'string' ? `.${e.className.split(' ')[0]}` : ''}`;
    const main = document.getElementById('studio-main')!;
    const area = main.getBoundingClientRect();
    // what the area shows: its blocks, clipped to the area's own visible rectangle
    const els = [...main.querySelectorAll('.panel, table, figure, .recharts-wrapper > svg, svg.heatmap, canvas, h2, h3, .eval-toolbar, .live-stats')]
      .filter((e) => e.checkVisibility({ visibilityProperty: true }))
      .map((e) => {
        const r = e.getBoundingClientRect();
        return { e, left: r.left, right: r.right, top: Math.max(r.top, area.top), bottom: Math.min(r.bottom, area.bottom) };
      })
      .filter((r) => r.right - r.left > 0 && r.bottom - r.top > 0);
    const problems: string[] = [];
    for (let i = 0; i < els.length; i++)
      for (let j = i + 1; j < els.length; j++) {
        const a = els[i];
        const b = els[j];
        if (a.e.contains(b.e) || b.e.contains(a.e)) continue;
        const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (w > 1 && h > 1) problems.push(`${name(a.e)} overlaps ${name(b.e)} by ${w.toFixed(0)}×${h.toFixed(0)} px`);
      }
    // the fixed parts (header, tabs, status bar) around the area, never over it
    for (const sel of ['.studio-header', '.tab-bar', '.status-bar']) {
      const r = document.querySelector(sel)!.getBoundingClientRect();
      const h = Math.min(r.bottom, area.bottom) - Math.max(r.top, area.top);
      if (h > 0.5) problems.push(`${sel} covers ${h.toFixed(0)} px of the area`);
      if (r.bottom > window.innerHeight + 0.5 || r.top < -0.5) problems.push(`${sel} is outside the window`);
    }
    return problems;
  });
}

/** Serious and critical accessibility violations (axe-core), one line each. */
async function axeViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.length} × ${v.nodes[0].target.join(' ')}: ${v.help}`);
}

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
