/**
 * Drives headless Chromium for `npm run bench`: serves bench/tmp/site (the studio + the bench page,
 * built by bench/browser/vite.config.ts) with `vite preview` on a free port, launches Chromium the
 * way playwright.config.ts does (with --enable-unsafe-webgpu), and offers:
 *  - job(): a training / predict / data-feed job in the bench page's dedicated Worker;
 *  - ingest(): the studio's real file input with a zip, timed to its import summary, with the JS
 *    heap of the page AND every worker (CDP Runtime.getHeapUsage per target) sampled all along;
 *  - studioRun(): a short training run in the studio: 'data wait' (BatchProgress.stallFraction)
 *    and img/s read from the live view, and the main thread's long tasks (PerformanceObserver).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type CDPSession, type Page } from 'playwright-core';
import { findChromium } from '../../scripts/find-browser.mjs';
import type { BenchAnswer, BenchJob } from './jobs';

// --expose-gc: the feed job collects one way's garbage before it times the next (benchWorker.ts)
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--enable-unsafe-webgpu',
  '--js-flags=--expose-gc',
];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export function buildSite(): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn('npx', ['vite', 'build', '--config', 'bench/browser/vite.config.ts', '--logLevel', 'error'], { stdio: ['ignore', 'ignore', 'inherit'] });
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`vite build of the bench site failed (exit ${code})`))));
  });
}

export interface Session {
  browser: Browser;
  page: Page;
  origin: string;
  chromiumVersion: string;
  close(): Promise<void>;
}

export async function openSession(): Promise<Session> {
  const executablePath = findChromium();
  if (!executablePath) throw new Error('no Chromium found (see scripts/find-browser.mjs)');
  const port = await freePort();
  const server: ChildProcess = spawn('npx', ['vite', 'preview', '--config', 'bench/browser/vite.config.ts', '--host', '127.0.0.1', '--port', String(port)], {
    stdio: 'ignore',
    detached: false,
  });
  const origin = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(origin)).ok) break;
    } catch {
      /* not up yet */
    }
    if (i > 150) throw new Error(`vite preview did not answer on ${origin}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  // A profile on disk, as a user's browser has: an incognito context (browser.newPage()) keeps
  // OPFS in memory, where the training worker's sync reads ran at ~300 MB/s against ~2.4 GB/s from
  // disk (2026-11-27, this machine), so the data feed would be measured on storage no user has.
  const profile = mkdtempSync(join(tmpdir(), 'hpa-bench-profile-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath, args: CHROMIUM_ARGS });
  const browser = context.browser();
  if (!browser) throw new Error('Playwright gave no Browser for the persistent context (needed for worker heap sampling)');
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    browser,
    page,
    origin,
    chromiumVersion: browser.version(),
    async close() {
      await context.close().catch(() => undefined);
      server.kill('SIGTERM');
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export async function openBenchPage(s: Session): Promise<void> {
  await s.page.goto(`${s.origin}/bench/browser/bench.html`);
  await s.page.waitForFunction(() => 'benchJob' in window);
}

export async function job(s: Session, j: BenchJob, timeoutMs: number): Promise<BenchAnswer> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<BenchAnswer>(
    (r) => (timer = setTimeout(() => r({ ok: false, error: `timed out after ${Math.round(timeoutMs / 1000)} s` }), timeoutMs)),
  );
  // the timer is cleared once the job answers: a pending one kept Node alive for its full length after the bench ended
  const answer = await Promise.race([
    s.page.evaluate((x) => (window as unknown as { benchJob: (j: unknown) => Promise<unknown> }).benchJob(x), j) as Promise<BenchAnswer>,
    timeout,
  ]).finally(() => clearTimeout(timer));
  if (!answer.ok && answer.error.startsWith('timed out')) await openBenchPage(s); // reload: ends the stuck worker
  return answer;
}

/**
 * Samples the JS heap (used bytes) of the studio page and every worker of its origin, nested
 * ones included (the ingest worker's PNG decode pool), through a browser-level CDP session:
 * Target.getTargets, attach to each new target, Runtime.getHeapUsage per target, summed.
 */
export class HeapSampler {
  private sessions = new Map<string, string>(); // targetId → sessionId
  private nextId = 1;
  private pending = new Map<number, (v: number | null) => void>();
  /** targets that did not answer a heap query in time (left out after that) */
  silent = new Map<string, string>(); // targetId → its path
  private timer: ReturnType<typeof setInterval> | null = null;
  private t0 = 0;
  private busy = false;
  peakTotal = 0;
  peakPage = 0;
  maxWorkers = 0;
  samples: { t: number; total: number }[] = [];

  /** with `retrySilent`: each target's last answer, counted in a sample where it did not answer in time */
  private lastUsed = new Map<string, number>();

  /**
   * `retrySilent`: keep querying a target that once did not answer in time (a worker inside a long
   * step) and count its last answer meanwhile, instead of leaving it out from then on.
   */
  constructor(
    private cdp: CDPSession,
    private origin: string,
    private retrySilent = false,
  ) {}

  async start(everyMs = 250): Promise<void> {
    this.cdp.on('Target.receivedMessageFromTarget', (e: { message: string }) => {
      const m = JSON.parse(e.message) as { id: number; result?: { usedSize: number } };
      this.pending.get(m.id)?.(m.result?.usedSize ?? 0);
      this.pending.delete(m.id);
    });
    const t0 = (this.t0 = performance.now());
    void this.sample(t0);
    this.timer = setInterval(() => void this.sample(t0), everyMs);
  }

  /** the target's used JS heap, or null when it did not answer within 2 s */
  private heap(sessionId: string): Promise<number | null> {
    const id = this.nextId++;
    return new Promise<number | null>((resolve) => {
      this.pending.set(id, resolve);
      setTimeout(() => this.pending.has(id) && (this.pending.delete(id), resolve(null)), 2000);
      this.cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method: 'Runtime.getHeapUsage' }) }).catch(() => resolve(null));
    });
  }

  private async sample(t0: number): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const { targetInfos } = (await this.cdp.send('Target.getTargets')) as { targetInfos: { targetId: string; type: string; url: string }[] };
      // a target that once let a heap query time out (a worker of an earlier job still busy) is left
      // out from then on, and counted: queried in turn, it would stretch every sample by 2 s
      const mine = targetInfos.filter(
        (t) => (t.type === 'page' || t.type === 'worker') && t.url.startsWith(this.origin) && (this.retrySilent || !this.silent.has(t.targetId)),
      );
      const answers = await Promise.all(
        mine.map(async (t) => {
          let sid = this.sessions.get(t.targetId);
          if (!sid) {
            sid = (await this.cdp.send('Target.attachToTarget', { targetId: t.targetId, flatten: false }).catch(() => null))?.sessionId;
            if (!sid) return null;
            this.sessions.set(t.targetId, sid);
          }
          let used = await this.heap(sid);
          if (used === null) this.silent.set(t.targetId, t.url.replace(this.origin, ''));
          if (used === null && this.retrySilent) used = this.lastUsed.get(t.targetId) ?? null;
          else if (used !== null) this.lastUsed.set(t.targetId, used);
          return used === null ? null : { page: t.type === 'page', used };
        }),
      );
      let page = 0,
        workers = 0,
        nWorkers = 0;
      for (const a of answers) {
        if (!a) continue;
        if (a.page) page += a.used;
        else {
          workers += a.used;
          nWorkers++;
        }
      }
      this.peakPage = Math.max(this.peakPage, page);
      this.peakTotal = Math.max(this.peakTotal, page + workers);
      this.maxWorkers = Math.max(this.maxWorkers, nWorkers);
      this.samples.push({ t: performance.now() - t0, total: page + workers });
    } catch {
      /* a target went away mid-sample */
    } finally {
      this.busy = false;
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    // a job shorter than one sample still gets one
    for (let i = 0; !this.samples.length && i < 20; i++) await (this.busy ? new Promise((r) => setTimeout(r, 100)) : this.sample(this.t0));
    for (const sessionId of this.sessions.values()) await this.cdp.send('Target.detachFromTarget', { sessionId }).catch(() => undefined);
  }
}

export interface IngestResult {
  ms: number;
  samples: number;
  summary: string;
  peakHeapTotal: number;
  peakHeapPage: number;
  /** least-squares slope of the summed heap over the import, bytes per second */
  heapSlope: number;
  heapSamples: number;
  /** most workers whose heap was summed in one sample */
  heapWorkers: number;
  /** pages or workers left out of the heap sum: a heap query of theirs timed out */
  heapSilent: string[];
  /** the decode pool's busy share from its first PNG to its last (the summary's data-decode-busy), or null */
  decodeBusy: number | null;
}

/** Opens the studio fresh (storage cleared) and imports `zipPath` through its file input at `resolution`. */
/**
 * Imports `zipPath` through the studio's file input and waits for its summary. `log`, when given,
 * hears the import's progress line every 30 s; an import error, or no summary within `timeoutMs`,
 * throws with the last progress line seen. `pngDecoder` forces one PNG decoder (`?png-decoder=`);
 * `zipReads: 'zip.js'` reads every entry through zip.js (`?zip-reads=zip.js`, the before of ZipRangeReader).
 */
export async function ingest(
  s: Session,
  zipPath: string,
  resolution: number,
  timeoutMs: number,
  log?: (line: string) => void,
  pngDecoder?: string,
  zipReads?: 'zip.js',
): Promise<IngestResult> {
  const page = s.page;
  await page.goto(`${s.origin}/`);
  await clearStorage(page);
  const query = new URLSearchParams({ ...(pngDecoder ? { 'png-decoder': pngDecoder } : {}), ...(zipReads ? { 'zip-reads': zipReads } : {}) }).toString();
  await page.goto(`${s.origin}/${query ? `?${query}` : ''}`);
  // the stored resolution sits in the import options' disclosure, closed at first
  const options = page.locator('details.import-options-disclosure');
  if (!(await options.evaluate((d) => (d as HTMLDetailsElement).open))) await options.locator('summary').first().click();
  await page.getByLabel('Stored resolution').selectOption(String(resolution));
  const cdp = await s.browser.newBrowserCDPSession();
  const heap = new HeapSampler(cdp, s.origin);
  await heap.start();
  const t0 = performance.now();
  await page.getByTestId('file-input').setInputFiles(zipPath);
  const summary = page.getByTestId('import-summary');
  const error = page.getByTestId('import-error');
  let last = '';
  const progress = async () => {
    last =
      (await page
        .getByTestId('import-progress-text')
        .textContent({ timeout: 5_000 })
        .catch(() => null)) ?? last;
    return last;
  };
  const ticker = setInterval(
    () => void progress().then((p) => log?.(`  … ${((performance.now() - t0) / 1000).toFixed(0)} s: ${p || '(no progress line)'}`)),
    30_000,
  );
  try {
    const done = await Promise.race([
      summary.waitFor({ state: 'visible', timeout: timeoutMs }).then(() => 'summary' as const),
      error.waitFor({ state: 'visible', timeout: timeoutMs }).then(() => 'error' as const),
    ]).catch(async () => {
      throw new Error(`no import summary after ${(timeoutMs / 1000).toFixed(0)} s importing ${zipPath}; last progress: ${(await progress()) || 'none'}`);
    });
    if (done === 'error') throw new Error(`importing ${zipPath} failed: ${(await error.textContent()) ?? ''}`);
  } finally {
    clearInterval(ticker);
  }
  const ms = performance.now() - t0;
  await heap.stop();
  await cdp.detach().catch(() => undefined);
  const text = (await summary.textContent()) ?? '';
  const busy = await page
    .getByTestId('import-rate')
    .getAttribute('data-decode-busy', { timeout: 1000 })
    .catch(() => null);
  const samples = Number((text.match(/([\d,]+) samples imported/)?.[1] ?? '0').replace(/,/g, ''));
  const xs = heap.samples.map((p) => p.t / 1000);
  const ys = heap.samples.map((p) => p.total);
  const mx = xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const my = ys.reduce((a, b) => a + b, 0) / Math.max(1, ys.length);
  let sxy = 0,
    sxx = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
  }
  return {
    ms,
    samples,
    summary: text.trim(),
    peakHeapTotal: heap.peakTotal,
    peakHeapPage: heap.peakPage,
    heapSlope: sxx ? sxy / sxx : 0,
    heapSamples: heap.samples.length,
    heapWorkers: heap.maxWorkers,
    heapSilent: [...heap.silent.values()],
    decodeBusy: busy ? Number(busy) : null,
  };
}

export async function clearStorage(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const dbs = await indexedDB.databases();
    await Promise.all(
      dbs.map(
        (d) =>
          new Promise((r) => {
            const q = indexedDB.deleteDatabase(d.name!);
            q.onsuccess = q.onerror = q.onblocked = () => r(null);
          }),
      ),
    );
    const root = await navigator.storage.getDirectory();
    for await (const name of (root as unknown as { keys(): AsyncIterable<string> }).keys()) await root.removeEntry(name, { recursive: true });
  });
}

export interface StudioRunResult {
  backend: string;
  stallPercent: number | null;
  imagesPerSecond: number | null;
  longTasks: number[];
  observedMs: number;
  progressText: string;
}

/**
 * A short run in the studio on the dataset it holds: the quick recipe at `inputSize`, batch
 * `batch`; watched for `watchMs` after its first progress line, then stopped.
 */
export async function studioRun(
  s: Session,
  o: { backend: 'auto' | 'webgpu' | 'webgl' | 'wasm' | 'cpu'; inputSize: number; batch: number; epochs: number; watchMs: number; startTimeoutMs: number },
): Promise<StudioRunResult> {
  const page = s.page;
  await page.addInitScript(() => {
    (window as unknown as { longTasks: number[] }).longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) (window as unknown as { longTasks: number[] }).longTasks.push(e.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
  // the backend as a returning user's saved setting (e2e/fixtures/studio.ts openStudio): the status
  // bar's "Backend setting" sits in its closed Details; 'auto' is the absence of a saved one
  await page.addInitScript((value) => {
    if (value === 'auto') localStorage.removeItem('hpa-studio.backend');
    else localStorage.setItem('hpa-studio.backend', value);
  }, o.backend);
  // the Train area opens on the dataset imported last (the only one: ingest() clears storage first)
  await page.goto(`${s.origin}/#/train`);
  await page.getByTestId('area-train').waitFor();
  await page.getByRole('button', { name: 'Quick demo' }).click();
  await page.getByLabel('Input size', { exact: true }).fill(String(o.inputSize));
  await page.getByLabel('Batch size').fill(String(o.batch));
  await page.getByLabel('Epochs', { exact: true }).fill(String(o.epochs));
  await page.getByTestId('train').click();
  const progress = page.getByTestId('run-progress');
  await progress.waitFor({ state: 'visible', timeout: o.startTimeoutMs }).catch(async (e: Error) => {
    // say what the page showed instead of a bare timeout: the backend line and any error or failure
    const said = await page
      .evaluate(() => {
        const lines = document.body.innerText
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean);
        const backend = document.querySelector('[data-testid="backend-active"]')?.textContent ?? 'no backend line';
        return [backend, ...lines.filter((l) => /error|fail|cannot|not /i.test(l)).slice(0, 4)].join(' | ');
      })
      .catch(() => 'the page did not answer');
    throw new Error(`no run progress after ${(o.startTimeoutMs / 1000).toFixed(0)} s (${e.message.split('\n')[0]}); the page showed: ${said.slice(0, 400)}`);
  });
  const before = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks.length);
  // watched while it trains: until watchMs have passed or the run has ended (its Stop button gone)
  const stopButton = page.getByTestId('stop');
  const t0 = performance.now();
  while (performance.now() - t0 < o.watchMs && (await stopButton.isVisible())) await page.waitForTimeout(250);
  const observedMs = performance.now() - t0;
  const longTasks = await page.evaluate((n) => (window as unknown as { longTasks: number[] }).longTasks.slice(n), before);
  // 'data wait' is in the closed "Run details" (textContent reads it closed)
  const text = `${(await progress.textContent()) ?? ''} ${(await page.getByTestId('run-details').textContent()) ?? ''}`.replace(/\s+/g, ' ');
  const ipsText = (await page.getByTestId('images-per-second').textContent()) ?? '';
  const info = ((await page.getByTestId('run-info').textContent()) ?? '').replace(/\s+/g, ' ');
  if (await stopButton.isVisible()) await stopButton.click();
  const stall = text.match(/data wait ([\d.]+)%/);
  const ips = ipsText.match(/([\d.]+) img\/s/);
  return {
    backend: ['webgpu', 'webgl', 'wasm', 'cpu'].find((b) => info.includes(b)) ?? info.slice(0, 60),
    stallPercent: stall ? Number(stall[1]) : null,
    imagesPerSecond: ips ? Number(ips[1]) : null,
    longTasks,
    observedMs,
    progressText: text.slice(0, 200),
  };
}
