/**
 * `npm run bench -- --full-scale`: the competition's counts end to end in headless Chromium (not in
 * CI; e2e/fullScale.spec.ts runs the same path at 2,000 samples). A synthetic archive of 31,072
 * train + 11,702 test samples (64 px sources, made once by `make-dataset` and cached in bench/tmp)
 * is imported through the studio's file input on wasm, then the explorer is opened (grid scroll
 * over the 31,072 train samples, a class filter, a heatmap pair), GAPNet-PL trains one epoch at
 * 32 px, the whole test split is predicted and the submission is downloaded and validated against
 * sample_submission.csv. Per stage: wall time, peak JS heap of the page and every worker (CDP
 * Runtime.getHeapUsage on each target), OPFS bytes (walked) and the main thread's long tasks.
 * Writes bench/results/<date>-<machine>-full-scale.{json,md}.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { CLASS_NAMES } from '../src/core/labels';
import { planDataset } from '../src/synth';
import { buildSite, clearStorage, HeapSampler, openSession, type Session } from './browser/drive';
import {
  downloadSubmission,
  filterSplit,
  importArchive,
  longTasksBetween,
  openExplorer,
  opfsBytes,
  pageNow,
  pickHeatmapPair,
  predictTest,
  prepareStudioPage,
  sampleSubmissionIds,
  scrollGrid,
  toggleClassFilter,
  trainOneEpoch,
  validateSubmission,
} from './browser/fullScalePath';
import { machineFacts } from './lib/machine';

export interface FullScaleOptions {
  train: number;
  test: number;
  /** side of the archive's source PNGs */
  size: number;
  /** the training run's input size and batch */
  inputSize: number;
  batch: number;
  outDir: string;
  log: (line: string) => void;
}

export const FULL_SCALE: Omit<FullScaleOptions, 'outDir' | 'log'> = { train: 31_072, test: 11_702, size: 64, inputSize: 32, batch: 32 };

interface StageResult {
  stage: string;
  ok: boolean;
  wallS: number;
  peakHeapMB: number;
  peakPageHeapMB: number;
  workers: number;
  opfsMB: number | null;
  /** navigator.storage.estimate().usage: the origin's whole storage, IndexedDB included */
  storageMB: number | null;
  longTasks: number;
  longestTaskMs: number;
  notes: string;
}

interface ArchiveFacts {
  path: string;
  bytes: number;
  made: 'now' | 'cached';
  wallS: number | null;
  peakRssMB: number | null;
}

const TMP = 'bench/tmp';
const STAGES = 9;

/** make-dataset's archive, cached with what making it cost (wall time, peak RSS from /usr/bin/time). */
function archive(o: FullScaleOptions): ArchiveFacts {
  const path = `${TMP}/full-scale-${o.train}-${o.test}-${o.size}.zip`;
  const meta = `${path}.json`;
  if (existsSync(path)) {
    const m = existsSync(meta) ? (JSON.parse(readFileSync(meta, 'utf8')) as { wallS: number; peakRssMB: number | null }) : null;
    return { path, bytes: statSync(path).size, made: 'cached', wallS: m?.wallS ?? null, peakRssMB: m?.peakRssMB ?? null };
  }
  mkdirSync(TMP, { recursive: true });
  o.log(`making ${path}: make-dataset --train ${o.train} --test ${o.test} --size ${o.size} --seed 1`);
  const args = [
    'bin/hpa-studio.mjs',
    'make-dataset',
    '--train',
    String(o.train),
    '--test',
    String(o.test),
    '--size',
    String(o.size),
    '--seed',
    '1',
    '--out',
    `${path}.tmp.zip`,
    '--quiet',
  ];
  const timed = existsSync('/usr/bin/time');
  const t0 = performance.now();
  const r = spawnSync(timed ? '/usr/bin/time' : process.execPath, timed ? ['-v', process.execPath, ...args] : args, {
    encoding: 'utf8',
    stdio: ['ignore', 'inherit', 'pipe'],
  });
  const wallS = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`make-dataset failed (exit ${r.status}): ${r.stderr.trim().split('\n').slice(-3).join(' ')}`);
  const kb = Number(r.stderr.match(/Maximum resident set size \(kbytes\): (\d+)/)?.[1] ?? NaN);
  const peakRssMB = Number.isFinite(kb) ? (kb * 1024) / 1e6 : null;
  renameSync(`${path}.tmp.zip`, path);
  writeFileSync(meta, JSON.stringify({ wallS, peakRssMB }) + '\n');
  return { path, bytes: statSync(path).size, made: 'now', wallS, peakRssMB };
}

/** Runs `f` as one stage: its wall time, the JS heap of the page and every worker sampled all along, OPFS after, long tasks within. */
async function stage(s: Session, name: string, f: () => Promise<string>, log: (l: string) => void): Promise<StageResult> {
  log(`stage: ${name}`);
  const cdp = await s.browser.newBrowserCDPSession();
  const heap = new HeapSampler(cdp, s.origin, true);
  await heap.start(500);
  const from = await pageNow(s.page);
  const t0 = performance.now();
  let ok = true;
  let notes: string;
  try {
    notes = await f();
  } catch (e) {
    ok = false;
    notes = `FAILED: ${String((e as Error).message ?? e).split('\n')[0]}`;
  }
  const wallS = (performance.now() - t0) / 1000;
  const to = await pageNow(s.page).catch(() => Infinity);
  await heap.stop();
  await cdp.detach().catch(() => undefined);
  const tasks = await longTasksBetween(s.page, from, to).catch(() => [] as number[]);
  const opfs = await opfsBytes(s.page).catch((e: Error) => (log(`  OPFS not walked: ${e.message.split('\n')[0]}`), null));
  const r: StageResult = {
    stage: name,
    ok,
    wallS,
    peakHeapMB: heap.peakTotal / 1e6,
    peakPageHeapMB: heap.peakPage / 1e6,
    workers: heap.maxWorkers,
    opfsMB: opfs === null ? null : opfs.bytes / 1e6,
    storageMB: opfs === null ? null : opfs.usage / 1e6,
    longTasks: tasks.filter((d) => d > 50).length,
    longestTaskMs: Math.max(0, ...tasks),
    notes: `${notes}${opfs?.unreadable ? `; ${opfs.unreadable} OPFS file(s) held open, not counted` : ''}${heap.silent.size ? `; ${[...heap.silent.values()].join(', ')} once slow to give its heap (its last answer counted meanwhile)` : ''}`,
  };
  log(
    `  ${ok ? 'ok' : 'FAILED'} in ${wallS.toFixed(1)} s; peak heap ${r.peakHeapMB.toFixed(0)} MB (page ${r.peakPageHeapMB.toFixed(0)}, ${r.workers} workers); OPFS ${r.opfsMB?.toFixed(0) ?? '?'} MB (origin ${r.storageMB?.toFixed(0) ?? '?'} MB); long tasks > 50 ms: ${r.longTasks} (longest ${r.longestTaskMs.toFixed(0)} ms); ${r.notes}`,
  );
  return r;
}

/** The most frequent pair of classes among the archive's train samples (the heatmap's hottest cell off the diagonal). */
function hottestPair(o: FullScaleOptions): [number, number] {
  const n = new Map<string, number>();
  for (const { labels } of planDataset({ train: o.train, test: o.test, size: o.size, seed: 1 }).train)
    for (const i of labels) for (const j of labels) if (i < j) n.set(`${i},${j}`, (n.get(`${i},${j}`) ?? 0) + 1);
  const best = [...n].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '0,25';
  return best.split(',').map(Number) as [number, number];
}

export async function runFullScale(o: FullScaleOptions): Promise<{ ok: boolean; files: string[] }> {
  const loadStart = loadavg();
  const t0 = performance.now();
  const log = (l: string) => o.log(l.startsWith(' ') ? l : `[${((performance.now() - t0) / 1000).toFixed(0).padStart(5)} s] ${l}`);
  const a = archive(o);
  log(`archive ${a.path}: ${(a.bytes / 1e6).toFixed(0)} MB (${a.made})`);
  const ids = await sampleSubmissionIds(a.path);
  const total = o.train + o.test;
  log('building the studio (bench/browser/vite.config.ts) and starting headless Chromium');
  await buildSite();
  const s = await openSession();
  const stages: StageResult[] = [];
  const hard = 3 * 3600_000; // a stage that stalls fails by this bound instead of holding the bench
  try {
    await s.page.goto(`${s.origin}/`);
    await clearStorage(s.page);
    await prepareStudioPage(s.page, 'wasm');
    await s.page.goto(`${s.origin}/`);
    await s.page.getByTestId('backend-active').filter({ hasText: 'Backend: wasm' }).waitFor({ timeout: 300_000 });
    const fmt = (n: number) => n.toLocaleString('en-US');
    const plan: [string, () => Promise<string>][] = [
      [
        `import ${fmt(o.train)} + ${fmt(o.test)} samples (${fmt(4 * total)} PNGs of ${o.size} px, ${(a.bytes / 1e6).toFixed(0)} MB zip)`,
        async () => {
          const summary = await importArchive(s.page, a.path, hard, (l) => log(`  … ${l}`));
          const n = Number(summary.match(/([\d,]+) samples imported/)?.[1]?.replace(/,/g, '') ?? NaN);
          if (n !== total) throw new Error(`imported ${n} samples, expected ${total}: ${summary}`);
          return summary.replace(/\s+/g, ' ').slice(0, 300);
        },
      ],
      [
        'explorer: open (grid, class chart, heatmap of all samples)',
        async () => {
          await openExplorer(s.page, total, hard);
          return `${fmt(total)} samples listed`;
        },
      ],
      [
        `explorer: train split (${fmt(o.train)} samples)`,
        async () => {
          await filterSplit(s.page, 'train', o.train, total, hard);
          return 'split filter applied';
        },
      ],
      [
        `explorer: scroll the ${fmt(o.train)}-sample grid (60 wheel turns of 1,500 px, then End)`,
        async () => {
          const r = await scrollGrid(s.page, o.train, 60, 1500, hard);
          return `scrolled ${fmt(r.scrolledPx)} px by wheel; End showed the last sample ${r.lastId}`;
        },
      ],
      [
        `explorer: class filter (${CLASS_NAMES[0]}) on and off`,
        async () => {
          const on = await toggleClassFilter(s.page, 0, CLASS_NAMES[0], hard);
          const off = await toggleClassFilter(s.page, 0, CLASS_NAMES[0], hard);
          return `${on}; then ${off}`;
        },
      ],
      [
        'explorer: heatmap pair',
        async () => {
          const [i, j] = hottestPair(o);
          return `${CLASS_NAMES[i]} & ${CLASS_NAMES[j]}: ${await pickHeatmapPair(s.page, i, j, hard)}`;
        },
      ],
      [`train one epoch: GAPNet-PL at ${o.inputSize} px, batch ${o.batch}, wasm`, async () => trainOneEpoch(s.page, o, hard)],
      [
        `predict the test split (${fmt(o.test)} samples)`,
        async () => {
          await predictTest(s.page, hard);
          return 'results shown';
        },
      ],
      [
        'submission: download and validate',
        async () => {
          const v = validateSubmission(await downloadSubmission(s.page), ids);
          return `${fmt(v.rows)} rows, ids in sample_submission.csv's order; ${fmt(v.empty)} without a label`;
        },
      ],
    ];
    // each stage only after the one before it succeeded: a failed import leaves nothing to explore
    for (const [name, f] of plan) {
      const r = await stage(s, name, f, log);
      stages.push(r);
      if (!r.ok) break;
    }
  } finally {
    await s.close();
  }
  const ok = stages.length === STAGES && stages.every((r) => r.ok);
  const seconds = (performance.now() - t0) / 1000;
  const m = { ...machineFacts(), chromium: s.chromiumVersion, loadStart, loadEnd: loadavg() };
  const slug = `${m.cpu
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')}-${m.cores}c`;
  const full = o.train === FULL_SCALE.train && o.test === FULL_SCALE.test;
  const base = join(o.outDir, `${m.date}-${slug}-full-scale${full ? '' : `-${o.train}+${o.test}`}`);
  mkdirSync(o.outDir, { recursive: true });
  const peak = Math.max(0, ...stages.map((r) => r.peakHeapMB));
  const scroll = stages.find((r) => r.stage.startsWith('explorer: scroll'));
  const goals = [
    `completes: ${ok ? 'yes' : 'NO'}`,
    `peak JS heap (page + workers) < 1 GB: ${peak.toFixed(0)} MB, ${peak < 1000 ? 'met' : 'NOT met'}`,
    `no main-thread task > 50 ms while scrolling the ${o.train.toLocaleString('en-US')}-sample grid: ${scroll ? `${scroll.longTasks} (longest ${scroll.longestTaskMs.toFixed(0)} ms), ${scroll.longTasks === 0 ? 'met' : 'NOT met'}` : 'not reached'}`,
  ];
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' / ');
  const md = [
    `# HPA Studio full-scale bench — ${m.date}`,
    '',
    `- machine: ${m.cpu}, ${m.cores} cores, ${m.ramGiB} GiB RAM, ${m.os}, no GPU; Chromium ${m.chromium} (headless), Node ${m.node}`,
    `- load average (1/5/15 min): ${load(m.loadStart)} at start, ${load(m.loadEnd)} at end; the bench took ${Math.round(seconds)} s`,
    `- archive: ${o.train.toLocaleString('en-US')} train + ${o.test.toLocaleString('en-US')} test samples, ${o.size} px, ${(a.bytes / 1e6).toFixed(0)} MB, ${a.made === 'now' ? 'made now' : 'cached'} by make-dataset${a.wallS !== null ? ` in ${a.wallS.toFixed(0)} s, peak RSS ${a.peakRssMB?.toFixed(0) ?? '?'} MB` : ''}`,
    '- backend pinned to wasm; heap: CDP Runtime.getHeapUsage of the page and every worker, summed, every 500 ms; OPFS: every file walked after the stage, and navigator.storage.estimate() for the whole origin; long tasks: PerformanceObserver on the page',
    '',
    ...goals.map((g) => `- goal: ${g}`),
    '',
    '| stage | wall (s) | peak heap, page + workers (MB) | page (MB) | workers | OPFS after (MB) | origin storage (MB) | tasks > 50 ms | longest task (ms) | notes |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...stages.map(
      (r) =>
        `| ${r.stage} | ${r.wallS.toFixed(1)} | ${r.peakHeapMB.toFixed(0)} | ${r.peakPageHeapMB.toFixed(0)} | ${r.workers} | ${r.opfsMB?.toFixed(0) ?? '?'} | ${r.storageMB?.toFixed(0) ?? '?'} | ${r.longTasks} | ${r.longestTaskMs.toFixed(0)} | ${r.notes.replace(/\|/g, '/')} |`,
    ),
    '',
  ].join('\n');
  writeFileSync(`${base}.json`, JSON.stringify({ machine: m, options: { ...o, log: undefined }, archive: a, seconds, ok, goals, stages }, null, 1) + '\n');
  writeFileSync(`${base}.md`, md);
  return { ok, files: [`${base}.json`, `${base}.md`] };
}
