/**
 * `npm run bench` (full) and `npm run bench -- --quick`: every figure beside a reference measured
 * in the same run; writes bench/results/<date>-<machine>[-quick].{json,md} and (full runs) latest.md.
 * See bench/README.md for what each row means and how long each part takes.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { machineFacts } from './lib/machine';
import { isErr, nodeJob, runChild, s1, torch } from './lib/children';
import { BENCH_PARTS, type BenchPart } from './lib/parts';
import { transferBench } from './transfer';
import { camBench } from './cam';
import { join } from 'node:path';
import { buildSite, ingest, job, openBenchPage, openSession, studioRun, type Session } from './browser/drive';
import type { BenchAnswer } from './browser/jobs';
import { fmtStat, markdown, type Machine, type Row } from './lib/report';
import { rates, stat, type Stat } from './lib/stats';
import type { TrainSpec, TrainTiming } from './lib/trainSteps';
import { ADAM_IN_PLACE_FLAG, FUSED_LOSS_FLAG, STEP_REPLAY_FLAG, WRITE_BUFFER_UPLOAD_FLAG } from '../src/accel/flags';
import { memoryBatchSource } from '../src/core/train/batchSource';
import { DEFAULT_PNG_DECODER, PNG_DECODER_WAYS } from '../src/data/pngDecoder';
import { readZipFiles } from '../src/core/zipFiles';

export interface BenchOptions {
  quick: boolean;
  /** samples of the large ingest archive (full run); 5,000 at 512 px ≈ 3 GB */
  ingestSamples: number;
  skipBrowser: boolean;
  outDir: string;
  log: (line: string) => void;
  /** the parts to run (--only); all when absent */
  only?: BenchPart[];
}

type Model = 'gapnet-pl' | 'gapnet-kaggle';
const MODELS: Model[] = ['gapnet-pl', 'gapnet-kaggle'];
const PARAMS: Record<Model, number> = { 'gapnet-pl': 630_076, 'gapnet-kaggle': 595_468 };
const TMP = 'bench/tmp';

function machine(chromium: string, torchVersion: string, loadStart: number[]): Machine {
  const tfjs = JSON.parse(readFileSync('node_modules/@tensorflow/tfjs/package.json', 'utf8')).version as string;
  return {
    ...machineFacts(),
    chromium,
    tfjs,
    torch: torchVersion,
    loadStart,
    loadEnd: loadavg(),
  };
}

/** A training row from a timing (Node or browser) and its PyTorch reference. */
function trainRow(what: string, t: TrainTiming, batch: number, model: Model, ref: Stat | null, refParams: number | null, extraNote = ''): Row {
  const step = stat(t.stepMs);
  const paramsOk = t.params === PARAMS[model] && (refParams === null || refParams === t.params);
  return {
    section: 'training',
    what,
    unit: 'img/s',
    ours: stat(rates(batch, t.stepMs)),
    ref,
    refLabel: 'PyTorch CPU, 1 thread',
    status: 'measured',
    notes: `step ${step.median.toFixed(0)} ms, first step ${s1(t.firstStepMs)}; ${t.stepMs.length} timed after ${t.warmups} warm-up; params ${t.params.toLocaleString('en-US')}${refParams !== null ? ` vs torch ${refParams.toLocaleString('en-US')} ${paramsOk ? '(same)' : '(DIFFERENT)'}` : ''}${extraNote ? `; ${extraNote}` : ''}`,
    extra: { firstStepMs: t.firstStepMs, stepMs: t.stepMs, warmups: t.warmups, params: t.params, refParams, backend: t.backend },
  };
}

function skipRow(section: Row['section'], what: string, unit: string, ref: Stat | null, why: string): Row {
  return { section, what, unit, ours: null, ref, refLabel: ref ? 'PyTorch CPU, 1 thread' : undefined, status: 'skipped', notes: why };
}

/** The row for a browser job that gave no usable answer: 'not available' when its backend did not start. */
function unansweredRow(section: Row['section'], what: string, unit: string, ref: Stat | null, a: BenchAnswer): Row {
  const notStarted = !a.ok && /did not start/.test(a.error);
  return { section, what, unit, ours: null, ref, status: notStarted ? 'not available' : 'failed', notes: a.ok ? 'unexpected answer' : a.error.split('\n')[0] };
}

export async function runBench(opts: BenchOptions): Promise<{ rows: Row[]; files: string[] }> {
  const t0 = performance.now();
  // section headings carry the seconds since the start, so a slow section shows in the log
  const o: BenchOptions = {
    ...opts,
    log: (line) => opts.log(line.startsWith(' ') ? line : `[${((performance.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${line}`),
  };
  const loadStart = loadavg();
  const log = o.log;
  const rows: Row[] = [];
  const add = (r: Row) => {
    rows.push(r);
    log(
      `  ${r.what}: ${r.status === 'measured' ? `${r.ours?.median.toFixed(2)} ${r.unit}${r.ref ? ` (ref ${r.ref.median.toFixed(2)})` : ''}` : r.status} — ${r.notes}`,
    );
  };
  mkdirSync(TMP, { recursive: true });
  const Q = o.quick;
  const sizes = [64, 128, 256];
  const batches = [16, 32];
  const warm = Q ? 1 : 2;
  const steps = Q ? 3 : 5;
  // --quick: the headline combo (gapnet-pl 128 px b16), the slow backends' probe (64 px b16) and one gapnet-kaggle
  const combos: Combo[] = Q
    ? [
        { model: 'gapnet-pl', size: 64, batch: 16 },
        { model: 'gapnet-pl', size: 128, batch: 16 },
        { model: 'gapnet-kaggle', size: 64, batch: 16 },
      ]
    : MODELS.flatMap((model) => sizes.flatMap((size) => batches.map((batch) => ({ model, size, batch }))));
  const key = (c: { model: string; size: number; batch: number }) => `${c.model} ${c.size} px b${c.batch}`;
  const parts = o.only ?? [...BENCH_PARTS];
  const want = (p: BenchPart) => parts.includes(p);
  const refs = new Map<string, { stat: Stat | null; params: number | null; note: string }>();
  const ref = (c: { model: string; size: number; batch: number }) => refs.get(key(c)) ?? { stat: null, params: null, note: '' };
  let torchVersion = 'unknown';

  // ---- 1. training: the PyTorch references first (one per combo, shared by every backend's row)
  if (want('training')) {
    log(`training references: PyTorch CPU (1 thread), ${combos.length} combos, ${warm} warm-up + ${steps} steps each`);
    for (const c of combos) {
      const r = await torch<{ torch: string; params: number; stepMs: number[]; firstStepMs: number }>([
        'train',
        '--model',
        c.model,
        '--size',
        String(c.size),
        '--batch',
        String(c.batch),
        '--warmup',
        String(warm),
        '--steps',
        String(steps),
      ]);
      if (isErr(r)) refs.set(key(c), { stat: null, params: null, note: `PyTorch failed: ${r.error}` });
      else {
        torchVersion = r.torch;
        refs.set(key(c), { stat: stat(rates(c.batch, r.stepMs)), params: r.params, note: '' });
      }
      log(`  torch ${key(c)}: ${refs.get(key(c))!.stat?.median.toFixed(1) ?? 'failed'} img/s`);
    }

    // ---- Node: wasm (registered training kernels) and tfjs cpu
    log('training in Node: wasm (SIMD, 1 thread, src/accel/wasm training kernels)');
    for (const c of combos) {
      const budgetMs = Q ? 15_000 : 40_000;
      const r = await nodeJob<TrainTiming & { detail: string }>({ kind: 'train', backend: 'wasm', ...c, warmup: warm, steps, budgetMs }, budgetMs + 120_000);
      if (isErr(r))
        add({ section: 'training', what: `train ${key(c)} — Node wasm`, unit: 'img/s', ours: null, ref: ref(c).stat, status: 'failed', notes: r.error });
      else add(trainRow(`train ${key(c)} — Node wasm`, r, c.batch, c.model, ref(c).stat, ref(c).params, r.detail));
    }
    // ---- issue #6's goal, wasm / PyTorch at gapnet-pl 128 px b16, as a ratio within interleaved pairs:
    // this machine's speed drifts by ±20 % between minutes, which a ratio of far-apart runs would carry
    const pairs = Q ? 2 : 3;
    log(`wasm vs PyTorch, gapnet-pl 128 px b16, 1 thread each: ${pairs} interleaved pairs`);
    const ratios: number[] = [];
    const pairNotes: string[] = [];
    for (let i = 0; i < pairs; i++) {
      const w = await nodeJob<TrainTiming>(
        { kind: 'train', backend: 'wasm', model: 'gapnet-pl', size: 128, batch: 16, warmup: warm, steps, budgetMs: 40_000 },
        160_000,
      );
      const t = await torch<{ stepMs: number[] }>([
        'train',
        '--model',
        'gapnet-pl',
        '--size',
        '128',
        '--batch',
        '16',
        '--warmup',
        String(warm),
        '--steps',
        String(steps),
      ]);
      if (isErr(w) || isErr(t)) {
        pairNotes.push(`pair ${i + 1} failed: ${isErr(w) ? w.error : (t as { error: string }).error}`);
        continue;
      }
      const wm = stat(w.stepMs).median;
      const tm = stat(t.stepMs).median;
      ratios.push((100 * tm) / wm);
      pairNotes.push(`${(16_000 / wm).toFixed(1)} vs ${(16_000 / tm).toFixed(1)} img/s`);
    }
    add({
      section: 'training',
      what: 'wasm / PyTorch CPU, train gapnet-pl 128 px b16 (Node, 1 thread each), interleaved pairs',
      unit: '%',
      ours: ratios.length ? stat(ratios) : null,
      ref: null,
      status: ratios.length ? 'measured' : 'failed',
      notes: `goal ≥ 25 % (issue #6); wasm vs PyTorch per pair: ${pairNotes.join('; ')}`,
    });

    // ---- issue #9 Deliver 3, before and after: tfjs's Adam (before) vs the studio's fused Adam
    await fusedKernelsBeforeAfter(o, pairs, warm, steps, add);

    // tfjs cpu backend: an earlier measurement gave 0.14 img/s at 128 px b16 (first step 120 s)
    log('training in Node: tfjs cpu backend');
    let cpuStepPerUnit = ((16 / 0.14) * 1000) / (128 * 128 * 16); // ms per (px² × image), from that measurement
    let cpuBasis = 'estimated from an earlier measurement (0.14 img/s at 128 px b16)';
    const cpuBudgetMs = 120_000;
    for (const c of combos) {
      const estStep = cpuStepPerUnit * c.size * c.size * c.batch;
      const est = 3 * estStep; // first step ≈ 2 steps, + one timed step
      const probe = !Q && c.model === 'gapnet-pl' && c.size === 64 && c.batch === 16;
      if (Q || (!probe && est > cpuBudgetMs)) {
        add(
          skipRow(
            'training',
            `train ${key(c)} — Node tfjs cpu`,
            'img/s',
            ref(c).stat,
            `skipped (too slow: est. ${Math.round(est / 1000)} s for first + 1 timed step; ${cpuBasis})`,
          ),
        );
        continue;
      }
      const r = await nodeJob<TrainTiming & { detail: string }>(
        { kind: 'train', backend: 'cpu', ...c, warmup: 1, steps: 1, budgetMs: cpuBudgetMs },
        cpuBudgetMs * 3,
      );
      if (isErr(r))
        add({ section: 'training', what: `train ${key(c)} — Node tfjs cpu`, unit: 'img/s', ours: null, ref: ref(c).stat, status: 'failed', notes: r.error });
      else {
        add(trainRow(`train ${key(c)} — Node tfjs cpu`, r, c.batch, c.model, ref(c).stat, ref(c).params));
        cpuStepPerUnit = stat(r.stepMs).median / (c.size * c.size * c.batch);
        cpuBasis = `estimated from the measured ${c.model} ${c.size} px b${c.batch} step`;
      }
    }
    rows.push({
      section: 'training',
      what: 'train — Node tfjs webgpu',
      unit: 'img/s',
      ours: null,
      ref: null,
      status: 'not available',
      notes:
        "not in this grid: Dawn for Node (the `webgpu` npm package) is not a dependency of the studio; it comes with the GPU kit (bench/gpu-kit/make-kit.sh), whose self-check row (section 'gpu kit', full run, when the kit is built) trains gapnet-pl 64 px b16 on SwiftShader here; GPU figures from the kit: bench/results/gpu-h200-summary.md",
    });
  }

  // ---- browser: every backend headless Chromium offers, in the bench page's dedicated Worker
  let session: Session | null = null;
  let chromium = 'not run';
  let transferDone = false;
  const transfer = async (s: Session | null, noBrowser: string | null) => {
    transferDone = true;
    const r = await transferBench(s, { quick: Q, log, noBrowser }, add);
    if (torchVersion === 'unknown' && r.torchVersion) torchVersion = r.torchVersion;
  };
  if (want('training') || want('inference') || want('ingest') || want('transfer'))
    try {
      if (o.skipBrowser) throw new Error('--no-browser');
      log('building the studio + bench page (bench/browser/vite.config.ts) and starting headless Chromium');
      await buildSite();
      session = await openSession();
      chromium = session.chromiumVersion;
      await openBenchPage(session);
      if (want('training')) await browserTraining(session, o, combos, key, ref, warm, steps, add);
      if (want('inference')) await inference(session, o, add);
      if (want('ingest')) await ingestAndFeed(session, o, add);
      if (want('transfer')) await transfer(session, null);
    } catch (e) {
      const why = String((e as Error).message ?? e);
      log(`browser part stopped: ${why}`);
      rows.push({ section: 'training', what: 'browser part', unit: '', ours: null, ref: null, status: o.skipBrowser ? 'skipped' : 'failed', notes: why });
      if (!session && want('inference')) await inference(null, o, add);
      if (!transferDone && want('transfer')) await transfer(null, `browser part stopped: ${why}`);
    } finally {
      await session?.close();
    }

  // ---- GPU kit: built by bench/gpu-kit/make-kit.sh; no GPU here, so only a self-check of the
  // packed pieces (node + Dawn + Vulkan loader + bundle) on Chromium's SwiftShader Vulkan ICD
  if (want('gpu-kit')) {
    const kit = 'bench/tmp/gpu-kit.tar.gz';
    const icd = '/usr/lib/chromium/vk_swiftshader_icd.json';
    let kitNote = existsSync(kit)
      ? `kit built: ${(statSync(kit).size / 1e6).toFixed(1)} MB (${kit}, goal < 60 MB)`
      : 'kit not built (sh bench/gpu-kit/make-kit.sh)';
    if (existsSync(kit) && existsSync(icd) && !Q) {
      log("GPU kit self-check: the kit's tfjs-webgpu (Dawn) on SwiftShader Vulkan, gapnet-pl 64 px b16");
      const dir = `${TMP}/gpu-kit-check`;
      execFileSync('sh', [
        '-c',
        `rm -rf ${dir} && mkdir -p ${dir} && tar xzf ${kit} -C ${dir} && xz -dk ${dir}/gpu-kit/node.xz && chmod +x ${dir}/gpu-kit/node`,
      ]);
      const r = await runChild(
        [
          'env',
          `VK_ICD_FILENAMES=${icd}`,
          `LD_LIBRARY_PATH=${dir}/gpu-kit/lib`,
          `${dir}/gpu-kit/node`,
          `${dir}/gpu-kit/gpu-bench.mjs`,
          '--size',
          '64',
          '--batch',
          '16',
          '--warmup',
          '1',
          '--steps',
          '2',
        ],
        300_000,
      );
      if (r.ok) {
        const k = JSON.parse(r.out.trim().split('\n').at(-1)!) as { stepMs: number[]; firstStepMs: number; params: number; adapter: Record<string, string> };
        const c = { model: 'gapnet-pl' as Model, size: 64, batch: 16 };
        rows.push({
          ...trainRow(
            'GPU kit self-check: train gapnet-pl 64 px b16 — Node tfjs webgpu (Dawn) on SwiftShader Vulkan',
            { backend: 'webgpu', params: k.params, firstStepMs: k.firstStepMs, stepMs: k.stepMs, warmups: 1, loss: [], encodeMs: [], kernels: 'studio' },
            16,
            'gapnet-pl',
            ref(c).stat,
            ref(c).params,
            `adapter ${Object.values(k.adapter).filter(Boolean).join(' ') || 'SwiftShader'}; proves the kit runs, not a GPU figure`,
          ),
          section: 'gpu kit',
        });
      } else kitNote += `; self-check failed: ${r.err}`;
      // the transfer models through the kit's bundle (their layers' webgpu kernels and the studio's on them), at the smallest size
      const what = 'GPU kit self-check: train mobilenetv2 32 px b2 (widen, seed head) — Node tfjs webgpu (Dawn) on SwiftShader Vulkan';
      log(`${what}`);
      const env = ['env', `VK_ICD_FILENAMES=${icd}`, `LD_LIBRARY_PATH=${dir}/gpu-kit/lib`, `${dir}/gpu-kit/node`, `${dir}/gpu-kit/gpu-bench.mjs`];
      const args = ['--model', 'mobilenetv2', '--channels', 'widen', '--head', 'seed', '--size', '32', '--batch', '2', '--warmup', '1', '--steps', '2'];
      const t = await runChild([...env, ...args], 600_000);
      if (t.ok) {
        const k = JSON.parse(t.out.trim().split('\n').at(-1)!) as { stepMs: number[]; firstStepMs: number; params: number; macs: number };
        rows.push({
          section: 'gpu kit',
          what,
          unit: 'img/s',
          ours: stat(rates(2, k.stepMs)),
          ref: null,
          status: 'measured',
          notes: `step ${stat(k.stepMs).median.toFixed(0)} ms, first step ${s1(k.firstStepMs)}; params ${k.params.toLocaleString('en-US')}, forward ${(k.macs / 1e6).toFixed(1)} MMAC/image; proves the kit's bundle trains the transfer models (device-run.sh's transfer jobs), not a GPU figure`,
        });
      } else rows.push({ section: 'gpu kit', what, unit: 'img/s', ours: null, ref: null, status: 'failed', notes: t.err });
    }
    rows.push({
      section: 'gpu kit',
      what: 'GPU kit on an NVIDIA machine (tfjs-webgpu vs PyTorch CUDA)',
      unit: '',
      ours: null,
      ref: null,
      status: 'not available',
      notes: `not run: no GPU here (bench/gpu-kit/device-run.sh runs it on one; the NVIDIA H200 runs of 2026-11-27 are summarised in bench/results/gpu-h200-summary.md); ${kitNote}`,
    });
  }

  // ---- Grad-CAM on trained models: where the map lies against the synthetic generator's class masks
  if (want('cam')) {
    log('cam: Grad-CAM mass on the class pattern of models trained on the teaching demo (bench/cam.ts)');
    await camBench({ quick: Q, log }, add);
  }

  const seconds = (performance.now() - t0) / 1000;
  const m = machine(chromium, torchVersion, loadStart);
  const slug = `${m.cpu
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')}-${m.cores}c`;
  // a run of some parts (--only) is named after them and never taken for a whole run
  const some = parts.length < BENCH_PARTS.length;
  const base = join(o.outDir, `${m.date}-${slug}${some ? `-${parts.join('+')}` : ''}${Q ? '-quick' : ''}`);
  mkdirSync(o.outDir, { recursive: true });
  const md = markdown(m, rows, { quick: Q, seconds, ...(some ? { parts } : {}) });
  writeFileSync(`${base}.json`, JSON.stringify({ machine: m, quick: Q, parts, seconds, rows }, null, 1) + '\n');
  writeFileSync(`${base}.md`, md);
  // latest.md (the table the README quotes) only ever holds a full run of every part: --quick skips combinations and runs.
  const latest = !Q && !some;
  if (latest) writeFileSync(join(o.outDir, 'latest.md'), md);
  return { rows, files: [`${base}.json`, `${base}.md`, ...(latest ? [join(o.outDir, 'latest.md')] : [])] };
}

type AddRow = (r: Row) => void;
type Combo = { model: Model; size: number; batch: number };

async function browserTraining(
  s: Session,
  o: BenchOptions,
  combos: Combo[],
  key: (c: Combo) => string,
  ref: (c: Combo) => { stat: Stat | null; params: number | null },
  warm: number,
  steps: number,
  add: AddRow,
) {
  const Q = o.quick;
  for (const backend of ['wasm', 'webgl', 'webgpu', 'cpu'] as const) {
    o.log(`training in headless Chromium: ${backend}`);
    const fast = backend === 'wasm';
    const budgetMs = fast ? (Q ? 15_000 : 40_000) : Q ? 30_000 : 75_000;
    // slow backends: one probe at the smallest combo, then the rest only if their estimate fits
    let perUnit: number | null = null; // ms per (px² × image) of a steady step
    let firstPerUnit: number | null = null;
    let basis = '';
    for (const c of combos) {
      const what = `train ${key(c)} — Chromium ${backend}`;
      const nWarm = fast ? warm : 1;
      const nSteps = fast ? steps : Q ? 1 : 2;
      if (!fast) {
        const isProbe = c.model === 'gapnet-pl' && c.size === 64 && c.batch === 16;
        // SwiftShader backends: --quick times their probe only (a webgpu step there is ~3 s, plus ~8 s of shader compiles)
        if (Q && backend !== 'cpu' && !isProbe) {
          add(
            skipRow(
              'training',
              what,
              'img/s',
              ref(c).stat,
              `full run only (npm run bench): --quick times the gapnet-pl 64 px b16 probe on ${backend} (SwiftShader)`,
            ),
          );
          continue;
        }
        if (backend === 'cpu' && !isProbe) perUnit ??= ((16 / 0.14) * 1000) / (128 * 128 * 16);
        if (backend === 'cpu' && perUnit !== null && !basis) basis = 'est. from an earlier Node tfjs cpu measurement (0.14 img/s at 128 px b16)';
        if (perUnit !== null) {
          const u = c.size * c.size * c.batch;
          const est = (firstPerUnit ?? 2 * perUnit) * u + nSteps * perUnit * u;
          if (est > budgetMs || (Q && backend === 'cpu')) {
            add(
              skipRow(
                'training',
                what,
                'img/s',
                ref(c).stat,
                `skipped (too slow: est. ${Math.round(est / 1000)} s for first + ${nSteps} timed step${nSteps > 1 ? 's' : ''}; ${basis})`,
              ),
            );
            continue;
          }
        } else if (Q && backend === 'cpu') {
          perUnit = ((16 / 0.14) * 1000) / (128 * 128 * 16);
          basis = 'est. from an earlier Node tfjs cpu measurement (0.14 img/s at 128 px b16)';
          const est = 3 * perUnit * c.size * c.size * c.batch;
          add(skipRow('training', what, 'img/s', ref(c).stat, `skipped (too slow: est. ${Math.round(est / 1000)} s; ${basis})`));
          continue;
        }
      }
      const a = await job(s, { kind: 'train', backend, ...c, warmup: nWarm, steps: nSteps, budgetMs }, budgetMs + 240_000);
      if (!a.ok || a.kind !== 'train') {
        const row = unansweredRow('training', what, 'img/s', ref(c).stat, a);
        add(row);
        if (row.status === 'not available') break;
        continue;
      }
      const adapter = a.backend.adapter && backend === 'webgpu' ? `adapter ${a.backend.adapter}` : backend === 'webgl' ? 'SwiftShader (software)' : '';
      add(trainRow(what, a.timing, c.batch, c.model, ref(c).stat, ref(c).params, adapter));
      if (!fast && perUnit === null) {
        const u = c.size * c.size * c.batch;
        perUnit = stat(a.timing.stepMs).median / u;
        firstPerUnit = a.timing.firstStepMs / u;
        basis = `est. from the measured gapnet-pl 64 px b16 step on ${backend}`;
      }
    }
    if (backend === 'webgpu') {
      await webgpuEncode(s, o, add);
      await backendStart(s, o, add);
      await autoProbe(s, o, add);
    }
  }
}

/**
 * The *Auto* backend's probe of a run's model (src/worker/autoBackend.ts) in a new worker given the
 * page's webgpu passes, nothing remembered: seconds to a measured choice, as a user's first run of a
 * model waits for it (the next run of that shape waits for none: the page remembers the choice).
 */
async function autoProbe(s: Session, o: BenchOptions, add: AddRow) {
  const what = 'auto backend probe: seconds to a measured choice (gapnet-pl 32 px b8, nothing remembered) — Chromium';
  // one run (quick or full): a probe right after another waits for the GPU work the first one stopped (6.1 s, then 13.3 s, measured)
  const a = await job(s, { kind: 'auto-probe', model: 'gapnet-pl', size: 32, batch: 8 }, 300_000);
  if (!a.ok || a.kind !== 'auto-probe') return add(unansweredRow('responsiveness', what, 's', null, a));
  o.log(`  auto probe: ${a.reason}`);
  add({
    section: 'responsiveness',
    what,
    unit: 's',
    ours: stat([a.ms / 1000]),
    ref: null,
    status: 'measured',
    notes: `one run; ${a.figures} → ${a.chosen}; adapter ${a.backend.adapter || 'none'}; before (every backend measured in full, one warm-up + 2 timed steps each): 30–55 s on the 2-core EPYC`,
  });
}

/**
 * How long a new worker takes to start webgpu, self-checks included (src/worker/startChecks.ts):
 * handed the passes of the page's earlier workers, as the studio's page does, against a first start
 * on the page (no passes: every check runs, the step replay's training check too), alternating.
 */
async function backendStart(s: Session, o: BenchOptions, add: AddRow) {
  const what = "webgpu backend start in a new worker (self-checks), passes of the page's earlier workers reused — Chromium";
  if (o.quick) return add(skipRow('responsiveness', what, 'ms', null, 'full run only (npm run bench): a first start is ~10 s of checks on SwiftShader'));
  const fresh: number[] = [];
  const reused: number[] = [];
  let notes = '';
  for (let r = 0; r < 3; r++) {
    for (const first of [true, false]) {
      const a = await job(s, { kind: 'start', backend: 'webgpu', fresh: first }, 300_000);
      if (!a.ok || a.kind !== 'start') return add(unansweredRow('responsiveness', what, 'ms', null, a));
      if (!first && (a.checks === 0 || a.reused !== a.checks))
        return add({
          section: 'responsiveness',
          what,
          unit: 'ms',
          ours: null,
          ref: null,
          status: 'failed',
          notes: `${a.reused} of ${a.checks} passes were reused: ${a.words}`,
        });
      if (first && a.reused)
        return add({
          section: 'responsiveness',
          what,
          unit: 'ms',
          ours: null,
          ref: null,
          status: 'failed',
          notes: `a first start reused ${a.reused} passes: ${a.words}`,
        });
      (first ? fresh : reused).push(a.ms);
      notes = `${a.checks} checks; adapter ${a.backend.adapter || '?'}`;
    }
  }
  add({
    section: 'responsiveness',
    what,
    unit: 'ms',
    ours: stat(reused),
    ref: stat(fresh),
    refLabel: 'a first start on the page: every check runs (the before for every start)',
    status: 'measured',
    notes: `3 alternating pairs, selectBackend('webgpu') timed in the bench worker; ${notes}; on a real GPU the checks' shader compiles and steps are far faster`,
  });
}

/**
 * What the fused kernels (Adam, SELU gradient) save on a GPU, measured without one: the JavaScript
 * time until `minimize` returns — building the step and encoding its dispatches, which a GPU
 * waits for between steps. On SwiftShader the "GPU" shares this CPU, so step times here say
 * little; encoding does not depend on the image size, so a small step keeps SwiftShader's share
 * of the CPU small.
 */
async function webgpuEncode(s: Session, o: BenchOptions, add: AddRow) {
  const rounds = 2;
  const ms = (x: number[]) => `${stat(x).median.toFixed(0)} ms`;
  // The kernel-by-kernel pairs price each kernel's own saving on tfjs-built steps; the step replay
  // (last) takes tfjs out of the step, so they are kept for the full run only (--quick stays short:
  // each of these jobs is ~15 s of SwiftShader shader compiles, backend checks and steps).
  const what = 'JS time to build and encode one training step, gapnet-pl 32 px b4 — Chromium webgpu, fused Adam + SELU gradient';
  const k = o.quick
    ? null
    : await alternateEncode(s, rounds, 4, { before: { kernels: 'tfjs' }, after: { kernels: 'studio', flags: { [STEP_REPLAY_FLAG]: false } } });
  if (k && 'error' in k) return add(unansweredRow('training', what, 'ms', null, k.error));
  if (k)
    add({
      section: 'training',
      what,
      unit: 'ms',
      ours: stat(k.after.encode),
      ref: stat(k.before.encode),
      refLabel: "tfjs's Adam and SELU gradient, before",
      status: 'measured',
      notes: `${rounds} rounds of 4 timed steps each, before then after; whole step on SwiftShader ${ms(k.before.step)} → ${ms(k.after.step)}`,
    });
  const perKernel = o.quick ? null : await perKernelEncode(s, rounds, add);
  if (perKernel === 'stop') return;
  if (!perKernel) {
    for (const pair of ['fused Adam + SELU gradient', 'Adam in place', 'uploads by writeBuffer', 'BCE in one kernel each way']) {
      add(
        skipRow(
          'training',
          `JS time to build and encode one training step, gapnet-pl 32 px b4 — Chromium webgpu, ${pair}`,
          'ms',
          null,
          'full run only (npm run bench): --quick prices the whole step replayed instead',
        ),
      );
    }
  }
  // the whole step replayed from a recording of its GPU commands against built by tfjs every step
  // (src/accel/webgpu/stepReplay.ts); the rows above build every step through tfjs (HPA_STEP_REPLAY false)
  // so that they price each kernel's own saving. Three warm-ups: the first step makes Adam's moments,
  // the next two are recorded and compared, so every timed step after is a replay.
  const what5 = 'JS time to build and encode one training step, gapnet-pl 32 px b4 — Chromium webgpu, step replayed from a recording';
  const replayRounds = o.quick ? 1 : rounds + 1;
  const r = await alternateEncode(
    s,
    replayRounds,
    6,
    { before: { kernels: 'studio', flags: { [STEP_REPLAY_FLAG]: false } }, after: { kernels: 'studio', flags: { [STEP_REPLAY_FLAG]: true } } },
    3,
  );
  if ('error' in r) return add(unansweredRow('training', what5, 'ms', null, r.error));
  add({
    section: 'training',
    what: what5,
    unit: 'ms',
    ours: stat(r.after.encode),
    ref: stat(r.before.encode),
    refLabel: 'every step built by tfjs (tape, gradients, kernel calls, bind groups), before',
    status: 'measured',
    notes: `${replayRounds} alternating round${replayRounds > 1 ? 's' : ''} of 6 timed steps each after 3 warm-ups; replayed ${r.after.replayed} of ${r.after.encode.length} timed steps${r.after.off ? ` (${r.after.off})` : ''}; a replay is ${r.after.dispatches || '?'} dispatches and the writes of bytes that change (a uniform written once with fixed bytes is left as the recording wrote it), and nothing of tfjs; whole step on SwiftShader ${ms(r.before.step)} → ${ms(r.after.step)}`,
  });
  const dWhat = 'compute dispatches per training step, gapnet-pl 32 px b4 — Chromium webgpu';
  const befores = perKernel ? `; the studio's set with the BCE as ops: ${perKernel.lossBefore}, with Adam through tfjs programs: ${perKernel.adamBefore}` : '';
  if (!k) add(skipRow('training', dWhat, 'dispatches', null, "full run only (npm run bench): its reference is the fused-Adam pair's tfjs-kernel step"));
  else if (k.after.dispatches && k.before.dispatches)
    add({
      section: 'training',
      what: dWhat,
      unit: 'dispatches',
      ours: stat([k.after.dispatches]),
      ref: stat([k.before.dispatches]),
      refLabel: "tfjs's kernels (Adam, SELU gradient, AlphaDropout and BCE as ops, Sum/Mean, conv filter gradient), before",
      status: 'measured',
      notes: `counted at GPUComputePassEncoder.dispatchWorkgroups over the timed steps${befores}`,
    });
  else add(skipRow('training', dWhat, 'dispatches', null, 'no dispatch count came back (GPUComputePassEncoder not patchable here)'));
}

/** The per-kernel JavaScript pairs (Adam in place, uploads by writeBuffer, the fused loss) on tfjs-built steps; 'stop' when one got no answer. */
async function perKernelEncode(s: Session, rounds: number, add: AddRow): Promise<{ adamBefore: number; lossBefore: number } | 'stop'> {
  // the fused Adam in place (one dispatch per weight, no new tensors) against its kernel path (three dispatches and three new tensors per weight)
  const what2 = 'JS time to build and encode one training step, gapnet-pl 32 px b4 — Chromium webgpu, Adam in place';
  const a = await alternateEncode(s, rounds + 1, 6, {
    before: { kernels: 'studio', flags: { [ADAM_IN_PLACE_FLAG]: false, [STEP_REPLAY_FLAG]: false } },
    after: { kernels: 'studio', flags: { [ADAM_IN_PLACE_FLAG]: true, [STEP_REPLAY_FLAG]: false } },
  });
  if ('error' in a) {
    add(unansweredRow('training', what2, 'ms', null, a.error));
    return 'stop';
  }
  add({
    section: 'training',
    what: what2,
    unit: 'ms',
    ours: stat(a.after.encode),
    ref: stat(a.before.encode),
    refLabel: 'the fused Adam through tfjs programs (3 dispatches and 3 new tensors per weight), before',
    status: 'measured',
    notes: `${rounds + 1} alternating rounds of 6 timed steps each; 22 dispatches instead of 66 for the 22 weights (src/accel/webgpu/adamUpdate.ts)`,
  });
  // values uploaded by queue.writeBuffer into a pooled buffer against tfjs's new mapped staging buffer and copy each
  const what3 = 'JS time to build and encode one training step, gapnet-pl 32 px b4 — Chromium webgpu, uploads by writeBuffer';
  const w = await alternateEncode(s, rounds + 1, 6, {
    before: { kernels: 'studio', flags: { [WRITE_BUFFER_UPLOAD_FLAG]: false, [STEP_REPLAY_FLAG]: false } },
    after: { kernels: 'studio', flags: { [WRITE_BUFFER_UPLOAD_FLAG]: true, [STEP_REPLAY_FLAG]: false } },
  });
  if ('error' in w) {
    add(unansweredRow('training', what3, 'ms', null, w.error));
    return 'stop';
  }
  add({
    section: 'training',
    what: what3,
    unit: 'ms',
    ours: stat(w.after.encode),
    ref: stat(w.before.encode),
    refLabel: "tfjs's upload (a new staging buffer and a copy per tensor made from values), before",
    status: 'measured',
    notes: `${rounds + 1} alternating rounds of 6 timed steps each; the step's scalars and dropout masks (src/accel/webgpu/writeBufferUpload.ts; the studio's own loop also uploads its batch, labels and gather table: 26 uploads a step)`,
  });
  // the BCE loss (the bench step's) as one kernel each way against its tfjs ops
  const what4 = 'JS time to build and encode one training step, gapnet-pl 32 px b4 — Chromium webgpu, BCE in one kernel each way';
  const f = await alternateEncode(s, rounds + 1, 6, {
    before: { kernels: 'studio', flags: { [FUSED_LOSS_FLAG]: false, [STEP_REPLAY_FLAG]: false } },
    after: { kernels: 'studio', flags: { [FUSED_LOSS_FLAG]: true, [STEP_REPLAY_FLAG]: false } },
  });
  if ('error' in f) {
    add(unansweredRow('training', what4, 'ms', null, f.error));
    return 'stop';
  }
  add({
    section: 'training',
    what: what4,
    unit: 'ms',
    ours: stat(f.after.encode),
    ref: stat(f.before.encode),
    refLabel: 'the loss as tfjs ops (clip, logs, the mean and their gradients), before',
    status: 'measured',
    notes: `${rounds + 1} alternating rounds of 6 timed steps each (src/accel/webgpu/focalLoss.ts)`,
  });
  return { adamBefore: a.before.dispatches, lossBefore: f.before.dispatches };
}

/**
 * GapNet-PL 32 px b4 training steps on Chromium webgpu, `rounds` times before then after: the
 * encode and step times of each variant, or the first answer that was not a timing.
 */
async function alternateEncode(
  s: Session,
  rounds: number,
  steps: number,
  variants: Record<'before' | 'after', Pick<TrainSpec, 'kernels' | 'flags'>>,
  warmup = 2,
) {
  const side = () => ({ encode: [] as number[], step: [] as number[], dispatches: 0, replayed: 0, off: null as string | null });
  const out = { before: side(), after: side() };
  for (let r = 0; r < rounds; r++) {
    for (const v of ['before', 'after'] as const) {
      const a = await job(
        s,
        { kind: 'train', backend: 'webgpu', model: 'gapnet-pl', size: 32, batch: 4, warmup, steps, budgetMs: 60_000, ...variants[v] },
        300_000,
      );
      if (!a.ok || a.kind !== 'train') return { error: a };
      out[v].encode.push(...a.timing.encodeMs);
      out[v].step.push(...a.timing.stepMs);
      out[v].dispatches = a.timing.dispatchesPerStep ?? 0;
      // replays among the timed steps: all steps replayed but the warm-ups, at most
      out[v].replayed += Math.max(0, Math.min(a.timing.encodeMs.length, a.timing.replay?.replayed ?? 0));
      out[v].off ??= a.timing.replay?.off ?? null;
    }
  }
  return out;
}

/**
 * The fused kernels (src/accel/fusedAdam.ts; SeluGrad) against tfjs's own, which the studio
 * ran before: the kernels one GapNet training step runs (tf.profile, Node wasm: the graph is the
 * same on every backend), and the wasm step time in interleaved pairs (this machine drifts
 * between minutes). On wasm only the Adam differs: its SeluGrad came with issue #6.
 */
async function fusedKernelsBeforeAfter(o: BenchOptions, pairs: number, warm: number, steps: number, add: AddRow) {
  o.log("before/after: tfjs's Adam (and BatchNorm gradient) vs the studio's");
  type Counts = { all: number; compute: number; adamUpdates: number; seluGrads: number };
  for (const model of MODELS) {
    const after = await nodeJob<Counts>({ kind: 'kernels', backend: 'wasm', model, kernels: 'studio' }, 120_000);
    const before = await nodeJob<Counts>({ kind: 'kernels', backend: 'wasm', model, kernels: 'tfjs' }, 120_000);
    const what = `kernels per training step, ${model} (Reshape/Identity left out) — fused Adam`;
    if (isErr(after) || isErr(before)) {
      add({
        section: 'training',
        what,
        unit: 'kernels',
        ours: null,
        ref: null,
        status: 'failed',
        notes: (isErr(after) ? after : (before as { error: string })).error,
      });
      continue;
    }
    add({
      section: 'training',
      what,
      unit: 'kernels',
      ours: stat([after.compute]),
      ref: stat([before.compute]),
      refLabel: "tfjs's Adam, before",
      status: 'measured',
      notes: `tf.profile of one step (Node wasm): ${after.all} vs ${before.all} with Reshape/Identity; ${after.adamUpdates} fused updates (one per weight; on webgpu one in-place dispatch each) replace ${before.compute - after.compute + after.adamUpdates} kernels${after.seluGrads ? `; ${after.seluGrads} SELU gradients are one kernel each (on webgpu too, since this issue: tfjs's are 7)` : ''}`,
    });
  }
  // the same step with tfjs's kernels and gradients, then the studio's, alternating
  const rows = [
    { model: 'gapnet-pl', size: 128, label: 'fused Adam', refLabel: "tfjs's Adam, before" },
    {
      model: 'gapnet-kaggle',
      size: 64,
      label: 'fused Adam + BatchNorm gradient (src/accel/gradients/batchNormGradient.ts)',
      refLabel: "tfjs's Adam and BatchNorm gradient, before",
    },
  ];
  for (const r of rows) {
    const fusedMs: number[] = [];
    const tfjsMs: number[] = [];
    const notes: string[] = [];
    for (let i = 0; i < pairs; i++) {
      const spec = { kind: 'train', backend: 'wasm', model: r.model, size: r.size, batch: 16, warmup: warm, steps, budgetMs: 40_000 };
      const a = await nodeJob<TrainTiming>({ ...spec, kernels: 'tfjs' }, 160_000);
      const b = await nodeJob<TrainTiming>({ ...spec, kernels: 'studio' }, 160_000);
      if (isErr(a) || isErr(b)) {
        notes.push(`pair ${i + 1} failed: ${isErr(a) ? a.error : (b as { error: string }).error}`);
        continue;
      }
      tfjsMs.push(stat(a.stepMs).median);
      fusedMs.push(stat(b.stepMs).median);
      notes.push(`${tfjsMs.at(-1)!.toFixed(0)} → ${fusedMs.at(-1)!.toFixed(0)} ms`);
    }
    add({
      section: 'training',
      what: `train ${r.model} ${r.size} px b16 — Node wasm, ${r.label}`,
      unit: 'img/s',
      ours: fusedMs.length ? stat(rates(16, fusedMs)) : null,
      ref: tfjsMs.length ? stat(rates(16, tfjsMs)) : null,
      refLabel: r.refLabel,
      status: fusedMs.length ? 'measured' : 'failed',
      notes: `interleaved pairs (before, then after), median step per pair: ${notes.join('; ')}`,
    });
  }
}

async function inference(s: Session | null, o: BenchOptions, add: AddRow) {
  const Q = o.quick;
  const size = 128,
    batch = 16,
    images = Q ? 16 : 64,
    runs = Q ? 3 : 5;
  o.log(`inference: predict() at ${size} px, batch ${batch}, ${images} images per run, TTA none / flips (4 views) / dihedral (8)`);
  for (const [tta, views] of [
    ['none', 1],
    ['flips', 4],
    ['dihedral', 8],
  ] as const) {
    const r0 = await torch<{ batchMs: number[]; params: number }>([
      'infer',
      '--model',
      'gapnet-pl',
      '--size',
      String(size),
      '--batch',
      String(batch),
      '--views',
      String(views),
      '--runs',
      String(runs),
      '--warmup',
      '1',
    ]);
    const refStat = isErr(r0) ? null : stat(rates(batch, r0.batchMs));
    const budgetMs = Q ? 20_000 : 60_000;
    const r = await nodeJob<{ runMs: number[]; views: number; detail: string }>(
      { kind: 'predict', backend: 'wasm', model: 'gapnet-pl', size, batch, images, tta, warmup: 1, runs, budgetMs },
      budgetMs + 120_000,
    );
    const what = `predict gapnet-pl ${size} px, TTA ${tta} (${views} view${views > 1 ? 's' : ''}) — Node wasm`;
    if (isErr(r)) add({ section: 'inference', what, unit: 'img/s', ours: null, ref: refStat, status: 'failed', notes: r.error });
    else
      add({
        section: 'inference',
        what,
        unit: 'img/s',
        ours: stat(rates(images, r.runMs)),
        ref: refStat,
        refLabel: 'PyTorch CPU, 1 thread, same views',
        status: 'measured',
        notes: `src/core/predict.ts predict(), ${images} images/run, batch ${batch}${isErr(r0) ? `; torch failed: ${r0.error}` : ''}`,
      });
    if (!s) continue;
    for (const backend of ['wasm', 'webgl'] as const) {
      const whatB = `predict gapnet-pl ${size} px, TTA ${tta} (${views} view${views > 1 ? 's' : ''}) — Chromium ${backend}`;
      if (backend === 'webgl' && (tta !== 'none' || Q)) {
        add(
          skipRow(
            'inference',
            whatB,
            'img/s',
            refStat,
            Q && tta === 'none'
              ? 'skipped in --quick (SwiftShader: ~10 s a run)'
              : 'skipped (too slow: SwiftShader; TTA multiplies the no-TTA time by the views)',
          ),
        );
        continue;
      }
      const a = await job(s, { kind: 'predict', backend, model: 'gapnet-pl', size, batch, images, tta, warmup: 1, runs, budgetMs }, budgetMs + 180_000);
      if (!a.ok || a.kind !== 'predict')
        add({
          section: 'inference',
          what: whatB,
          unit: 'img/s',
          ours: null,
          ref: refStat,
          status: 'failed',
          notes: a.ok ? 'unexpected answer' : a.error.split('\n')[0],
        });
      else
        add({
          section: 'inference',
          what: whatB,
          unit: 'img/s',
          ours: stat(rates(images, a.runMs)),
          ref: refStat,
          refLabel: 'PyTorch CPU, 1 thread, same views',
          status: 'measured',
          notes: `bench page Worker, ${images} images/run${backend === 'webgl' ? ', SwiftShader' : ''}`,
        });
    }
  }
}

/** make-dataset zip at 512 px, cached in bench/tmp (same options give the same bytes). */
async function datasetZip(samples: number, log: (l: string) => void): Promise<string> {
  const path = `${TMP}/ingest-512-${samples}.zip`;
  // another process (an earlier bench, or make-dataset by hand) is writing it: wait while it grows
  for (let last = -1; !existsSync(path) && existsSync(`${path}.part`);) {
    const size = statSync(`${path}.part`).size;
    if (size === last) break;
    if (last < 0) log(`  waiting for ${path}.part to be completed by the process writing it`);
    last = size;
    await new Promise((r) => setTimeout(r, 30_000));
  }
  if (!existsSync(path)) {
    log(`  generating ${path} (${samples} samples at 512 px; cached for later runs)`);
    execFileSync(
      process.execPath,
      ['bin/hpa-studio.mjs', 'make-dataset', '--train', String(samples), '--test', '0', '--size', '512', '--seed', '1', '--out', path, '--quiet'],
      { stdio: 'inherit' },
    );
  }
  return path;
}

/**
 * The decode pool alone, each PNG decoder in interleaved rounds, on the archive's PNGs served by
 * the bench site (written beside it after the build): what the decoder choice is worth without the
 * zip reading and storage writes an import adds.
 */
export async function decodePoolAlone(s: Session, zip: string, samples: number, runs: number, pil: number[], add: AddRow, log: (l: string) => void) {
  const files = await readZipFiles(new Uint8Array(readFileSync(zip)), zip);
  const site = 'bench/tmp/site';
  mkdirSync(`${site}/bench-pngs`, { recursive: true });
  const ids = [...new Set([...files.keys()].filter((k) => k.startsWith('train/') && k.endsWith('.png')).map((k) => k.slice(6, k.lastIndexOf('_'))))].slice(
    0,
    samples,
  );
  const urls = ids.map((id) =>
    ['red', 'green', 'blue', 'yellow'].map((ch) => {
      writeFileSync(`${site}/bench-pngs/${id}_${ch}.png`, files.get(`train/${id}_${ch}.png`)!);
      return `/bench-pngs/${id}_${ch}.png`;
    }),
  );
  log(`decode pool alone: ${ids.length} samples × 4 PNGs at 512 px → 256 px, ${runs} interleaved rounds of each PNG decoder`);
  await openBenchPage(s);
  const imageDecoder = await s.page.evaluate(async () => typeof ImageDecoder !== 'undefined' && (await ImageDecoder.isTypeSupported('image/png')));
  const ways = PNG_DECODER_WAYS.filter((w) => w !== 'image-decoder' || imageDecoder);
  const rates = new Map(ways.map((w) => [w, [] as number[]]));
  let note = '';
  for (let i = 0; i < runs; i++)
    for (let k = 0; k < ways.length; k++) {
      const way = ways[(i + k) % ways.length];
      const r = await s.page.evaluate(
        (x) =>
          (
            window as unknown as { benchDecodePool: (o: unknown) => Promise<{ ms: number; failed: string[]; pool: number; fallbacks: number }> }
          ).benchDecodePool(x),
        { samples: urls, way, resolution: 256 },
      );
      if (r.failed.length) throw new Error(`decode pool, '${way}': ${r.failed.length} PNGs failed, e.g. ${r.failed[0]}`);
      // a platform way that failed falls back to fast-png per PNG: its timing would then be fast-png's
      if (r.fallbacks) throw new Error(`decode pool, '${way}': ${r.fallbacks} PNGs fell back to fast-png`);
      rates.get(way)!.push((ids.length * 1000) / r.ms);
      note = `pool of ${r.pool} workers, ${r.pool * 4} samples in flight`;
    }
  for (const way of PNG_DECODER_WAYS)
    add({
      section: 'ingest',
      what: `decode pool alone, ${ids.length} × 4 PNGs of 512 px → 256 px, PNG decoder '${way}'${way === DEFAULT_PNG_DECODER ? ' (the default)' : ''}`,
      unit: 'samples/s',
      ours: rates.has(way) ? stat(rates.get(way)!) : null,
      ref: stat(pil),
      refLabel: 'Python/PIL decode + resize, 1 process (zip read included)',
      status: rates.has(way) ? 'measured' : 'skipped',
      notes: rates.has(way)
        ? `${note}; PNGs fetched into the page first; the studio's DecodePool, interleaved rounds`
        : 'ImageDecoder for image/png is not available in this Chromium',
    });
}

/** Targets left out of the heap sum because a heap query of theirs timed out (workers of earlier jobs still busy). */
const silentNote = (paths: string[]) =>
  paths.length ? `; ${paths.length} target(s) did not answer a heap query within 2 s and were left out: ${paths.join(', ')}` : '';

async function ingestAndFeed(s: Session, o: BenchOptions, add: AddRow) {
  const Q = o.quick;
  const small = Q ? 40 : 300;
  const runs = 3;
  o.log(`ingest: ${small}-sample 512 px zip through the studio's file input (stored at 256 px), ${runs} runs of each PNG decoder; PIL reference`);
  const zip = await datasetZip(small, o.log);
  const mb = statSync(zip).size / 1e6;
  // ImageDecoder is missing from some Chromium builds; pickPngDecoder would then quietly use fast-png
  const imageDecoder = await s.page.evaluate(async () => typeof ImageDecoder !== 'undefined' && (await ImageDecoder.isTypeSupported('image/png')));
  const ways = PNG_DECODER_WAYS.filter((w) => w !== 'image-decoder' || imageDecoder);
  // each decoder, and the default decoder with every entry read through zip.js (the before of ZipRangeReader)
  const ZIPJS = 'zip.js reads';
  const variants = [...ways, ZIPJS];
  const byWay = new Map(variants.map((w) => [w, { ms: [] as number[], heaps: [] as number[], idle: [] as number[], last: '' }]));
  // rounds interleave the variants (order rotated) so drift in the machine's load hits each alike
  for (let i = 0; i < runs; i++)
    for (let k = 0; k < variants.length; k++) {
      const v = variants[(i + k) % variants.length];
      const r = v === ZIPJS ? await ingest(s, zip, 256, 600_000, undefined, undefined, 'zip.js') : await ingest(s, zip, 256, 600_000, undefined, v);
      const w = byWay.get(v)!;
      w.ms.push(r.ms);
      w.heaps.push(r.peakHeapTotal / 1e6);
      if (r.decodeBusy !== null) w.idle.push(100 * (1 - r.decodeBusy));
      w.last = `${r.summary}; heap summed over the page + ${r.heapWorkers} workers, ${r.heapSamples} samples${silentNote(r.heapSilent)}`;
    }
  const { ms, heaps, last, idle } = byWay.get(DEFAULT_PNG_DECODER)!;
  const idleNote = (xs: number[]) => (xs.length ? `decode pool idle ${fmtStat(stat(xs), '%')} of its time` : 'decode pool idle not reported');
  const pil: number[] = [];
  const pilMb: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = await torch<{ samplesPerS: number; mbPerS: number }>(['decode', '--zip', zip, '--resize', '256']);
    if (!isErr(r)) {
      pil.push(r.samplesPerS);
      pilMb.push(r.mbPerS);
    }
  }
  await decodePoolAlone(s, zip, small, runs, pil, add, o.log);
  const samplesOk = Number(last.match(/([\d,]+) samples imported/)?.[1]?.replace(/,/g, '') ?? small);
  add({
    section: 'ingest',
    what: `ingest ${small} × 512 px samples (zip ${mb.toFixed(0)} MB) → stored 256 px`,
    unit: 'samples/s',
    ours: stat(ms.map((t) => (samplesOk * 1000) / t)),
    ref: stat(pil),
    refLabel: 'Python/PIL decode + resize, 1 process',
    status: 'measured',
    notes: `goal (issue 31) ≥ 150 samples/s and ≥ 1.2× PIL at 512 px; PNG decoder '${DEFAULT_PNG_DECODER}' (the default); timed from setInputFiles to the import summary; ${idleNote(idle)}; ${last}`,
  });
  const before = byWay.get(ZIPJS)!;
  add({
    section: 'ingest',
    what: `ingest, same archive: zip entries read by ranges of the File in read-ahead windows (src/data/zipRanges.ts)`,
    unit: 'samples/s',
    ours: stat(ms.map((t) => (samplesOk * 1000) / t)),
    ref: stat(before.ms.map((t) => (samplesOk * 1000) / t)),
    refLabel: "every entry through zip.js's getData (the before), same decoder, same run, interleaved",
    status: 'measured',
    notes: `${idleNote(idle)} against ${idleNote(before.idle).replace('decode pool ', '')} (busy = a PNG given to a worker and not yet answered, from the first PNG to the last); peak heap ${fmtStat(stat(before.heaps), 'MB')} for the before`,
  });
  for (const way of PNG_DECODER_WAYS.filter((w) => w !== DEFAULT_PNG_DECODER)) {
    const w = byWay.get(way);
    const what = `ingest, same archive, PNG decoder '${way}' (in place of '${DEFAULT_PNG_DECODER}')`;
    if (!w) add(skipRow('ingest', what, 'samples/s', null, 'ImageDecoder (WebCodecs) for image/png is not available in this Chromium'));
    else
      add({
        section: 'ingest',
        what,
        unit: 'samples/s',
        ours: stat(w.ms.map((t) => (samplesOk * 1000) / t)),
        ref: stat(pil),
        refLabel: 'Python/PIL decode + resize, 1 process',
        status: 'measured',
        notes: `interleaved with the default's runs; peak heap ${fmtStat(stat(w.heaps), 'MB')}; ${idleNote(w.idle)}; ${w.last}`,
      });
  }
  add({
    section: 'ingest',
    what: `ingest throughput, same archive`,
    unit: 'MB/s',
    ours: stat(ms.map((t) => (mb * 1000) / t)),
    ref: stat(pilMb),
    refLabel: 'PIL, PNG bytes decoded',
    status: 'measured',
    notes: 'ours: zip bytes / import time',
  });
  add({
    section: 'ingest',
    what: `peak JS heap importing ${small} samples`,
    unit: 'MB',
    ours: stat(heaps),
    ref: null,
    status: 'measured',
    notes: 'CDP Runtime.getHeapUsage of the page + every worker, summed, every 250 ms',
  });

  const big = Q ? 0 : o.ingestSamples;
  if (big) {
    const bigZip = await datasetZip(big, o.log);
    const gb = statSync(bigZip).size / 1e9;
    o.log(`ingest: the large archive ${bigZip} (${gb.toFixed(2)} GB), once`);
    // ~100 s here; a stall fails the row (with the last progress line) instead of holding the bench
    const r = await ingest(s, bigZip, 256, 900_000, o.log).catch((e: Error) => e);
    if (r instanceof Error)
      add({
        section: 'ingest',
        what: `peak JS heap importing ${big} × 512 px samples (${gb.toFixed(2)} GB zip)`,
        unit: 'MB',
        ours: null,
        ref: null,
        status: 'failed',
        notes: r.message,
      });
    else
      add({
        section: 'ingest',
        what: `peak JS heap importing ${big} × 512 px samples (${gb.toFixed(2)} GB zip)`,
        unit: 'MB',
        ours: stat([r.peakHeapTotal / 1e6]),
        ref: null,
        status: 'measured',
        notes: `goal (issue 4): < 300 MB for an archive ≥ 3 GB${gb < 3 ? ` (this one is ${gb.toFixed(2)} GB: see the slope)` : ''}; heap slope ${(r.heapSlope / 1e3).toFixed(1)} kB/s over ${(r.ms / 1000).toFixed(0)} s (${r.heapSamples} samples, page + ${r.heapWorkers} workers${silentNote(r.heapSilent)}); ${((r.samples * 1000) / r.ms).toFixed(1)} samples/s, ${((gb * 1000 * 1000) / r.ms).toFixed(1)} MB/s; ${r.summary}`,
      });
  } else {
    add(skipRow('ingest', 'peak JS heap importing a ≥ 3 GB archive', 'MB', null, 'full run only (npm run bench): ~5,000 samples at 512 px'));
  }

  // ---- 2. data feed on what was imported last, and a real run's stall fraction
  await openBenchPage(s);
  const fb = Q ? 16 : 32;
  const fbatches = Q ? 2 : 20;
  o.log(`data feed: storedBatchSource (streaming) over the imported dataset, batch ${fb} × ${fbatches}`);
  // a replayed GAPNet-PL 256 px batch-32 step is ~8 GPU ms on an H200 (estimate from the kit's per-kernel times; docs/performance.md)
  const feedStepMs = 8;
  const f = await job(s, { kind: 'feed', batch: fb, batches: fbatches, runs: Q ? 3 : 5, stepMs: feedStepMs }, 600_000);
  // in-memory batches (a dataset up to the run's image memory, and the GPU kit's trainer loop), in
  // this Node process: each batch given back once used vs cut into a fresh buffer, interleaved
  {
    const S = 256,
      n = Q ? 128 : 512,
      mb = fb,
      rounds = Q ? 3 : 5,
      px = S * S * 4;
    const images = new Uint8Array(n * px);
    for (let i = 0; i < images.length; i += 4096) images[i] = i & 255;
    const pooled = memoryBatchSource(
      { images, imageSize: S, channels: 4, labels: new Uint8Array(n * 28), numClasses: 28 },
      { trainRows: Array.from({ length: n }, (_, i) => i), valRows: [] },
    );
    const fresh = { ...pooled, release: undefined };
    const ms: Record<'pooled' | 'fresh', number[]> = { pooled: [], fresh: [] };
    for (let r = 0; r < rounds + 1; r++) {
      for (const [name, src] of (r % 2
        ? [
            ['fresh', fresh],
            ['pooled', pooled],
          ]
        : [
            ['pooled', pooled],
            ['fresh', fresh],
          ]) as Array<['pooled' | 'fresh', typeof pooled]>) {
        const t0 = performance.now();
        for await (const batch of src.trainBatches(r + 1, mb, 1)) src.release?.(batch);
        if (r > 0) ms[name].push(performance.now() - t0); // round 0 warms up
      }
    }
    add({
      section: 'data feed',
      what: `in-memory batches of ${mb} × ${S} px (memoryBatchSource, Node): each batch given back once used and filled again (src/core/bufferPool.ts)`,
      unit: 'samples/s',
      ours: stat(rates(n, ms.pooled)),
      ref: stat(rates(n, ms.fresh)),
      refLabel: 'every batch cut into a fresh buffer (the before), same run, interleaved',
      status: 'measured',
      notes: `${n} images, ${rounds} rounds; what the training thread spends per batch before its step: ${(stat(ms.pooled).median / (n / mb)).toFixed(2)} vs ${(stat(ms.fresh).median / (n / mb)).toFixed(2)} ms`,
    });
  }
  const us = 256,
    ub = Q ? 16 : 32,
    uruns = Q ? 3 : 7;
  o.log(`batch upload to webgpu: ${ub} × ${us} px × 4 channels as bytes vs as float32, ${uruns} interleaved runs`);
  const u = await job(s, { kind: 'upload', size: us, batch: ub, runs: uruns }, 300_000);
  const uploadWhat = `upload a ${us} px batch of ${ub} to webgpu as bytes, widened on the GPU (src/accel/webgpu/uint8Upload.ts)`;
  if (!u.ok || u.kind !== 'upload') add(unansweredRow('data feed', uploadWhat, 'batches/s', null, u));
  else
    add({
      section: 'data feed',
      what: uploadWhat,
      unit: 'batches/s',
      ours: stat(rates(1, u.bytesMs)),
      ref: stat(rates(1, u.floatMs)),
      refLabel: "tfjs's float32 path (the before), same run, interleaved",
      status: 'measured',
      notes: `Uint8Array → float32 tensor, its last value read back; ${((ub * us * us * 4) / 1e6).toFixed(1)} MB as bytes vs ${((ub * us * us * 16) / 1e6).toFixed(1)} MB as float32; adapter ${u.backend.adapter || '?'}: on SwiftShader the 'GPU' is this CPU, so this shows the JavaScript side, not a bus`,
    });
  const [as, ast, ab, aruns] = [224, 256, Q ? 16 : 32, Q ? 3 : 7];
  for (const be of ['wasm', 'webgpu'] as const) {
    o.log(`augmentation on ${be}: ${ab} × ${ast} px → random ${as} px crops, flips and turns, one gather vs image by image, ${aruns} interleaved runs`);
    const a = await job(s, { kind: 'augment', backend: be, stored: ast, size: as, batch: ab, runs: aruns }, 300_000);
    const what = `augment a batch of ${ab} (${ast} px → random ${as} px crop, flip, turn) on ${be}: one gather (src/core/augment.ts)`;
    if (!a.ok || a.kind !== 'augment') add(unansweredRow('data feed', what, 'batches/s', null, a));
    else
      add({
        section: 'data feed',
        what,
        unit: 'batches/s',
        ours: stat(rates(1, a.gatherMs)),
        ref: stat(rates(1, a.perImageMs)),
        refLabel: 'image by image: split, slice, transpose/reverse (the before), same run, interleaved',
        status: 'measured',
        notes: `kernels launched: ${a.gatherKernels} vs ${a.perImageKernels}; outputs identical; last value read back each run${be === 'webgpu' ? `; adapter ${a.backend.adapter || '?'} (on SwiftShader the 'GPU' is this CPU)` : ''}`,
      });
  }
  o.log('studio run: wasm, input 64 px, batch 16, watched for data wait and long tasks');
  let consume: Stat | null = null;
  let run: Awaited<ReturnType<typeof studioRun>> | null = null;
  let runError = '';
  try {
    // --quick's dataset is the 40-sample import (2 batches an epoch): epochs enough to train for the whole watch
    run = await studioRun(s, { backend: 'wasm', inputSize: 64, batch: 16, epochs: Q ? 20 : 1, watchMs: Q ? 10_000 : 30_000, startTimeoutMs: 300_000 });
    if (run.imagesPerSecond !== null) consume = stat([run.imagesPerSecond]);
  } catch (e) {
    runError = String((e as Error).message ?? e).split('\n')[0];
  }
  if (!f.ok || f.kind !== 'feed')
    add({
      section: 'data feed',
      what: 'data feed (pixel store → batches)',
      unit: 'samples/s',
      ours: null,
      ref: consume,
      status: 'failed',
      notes: f.ok ? 'unexpected answer' : f.error,
    });
  else {
    const feedStat = stat(rates(f.samplesPerRun, f.runMs));
    const where = f.feedWorker ? 'in a feed worker' : 'in the consuming thread (no nested worker)';
    add({
      section: 'data feed',
      what: `data feed at ${f.resolution} px: pixel store (${f.storage}, ${f.via} reads ${where}) → storedBatchSource batches of ${fb}`,
      unit: 'samples/s',
      ours: feedStat,
      ref: stat(rates(f.samplesPerRun, f.blobMs)),
      refLabel: 'File slices, one asynchronous read per sample (the before), same run, interleaved',
      status: 'measured',
      notes: `streaming path (prefetch 3), shuffled order, ${f.samplesPerRun} samples/run of ${f.samples} stored, consumed in the bench worker (a dedicated worker, as training's); the browser profile is on disk, as a user's`,
    });
    add({
      section: 'data feed',
      what: `the same feed with nothing else to do: reads in a feed worker vs in the consuming thread (src/worker/feedReader.ts)`,
      unit: 'samples/s',
      ours: feedStat,
      ref: stat(rates(f.samplesPerRun, f.threadMs)),
      refLabel: 'the same sync reads in the consuming thread (the way before the feed worker), same run, interleaved',
      status: 'measured',
      notes: 'what handing batches between threads costs or gains when the consumer waits for nothing else',
    });
    // after each batch but the last the consumer's thread is free for feedStepMs (a timer), as while the GPU runs a step;
    // the same timers with no data are the floor, and time beyond it is the stall
    const floor = stat(f.stepsOnlyMs).median;
    const stallPct = (ms: number[]) => stat(ms.map((m) => Math.max(0, 100 * (1 - floor / m))));
    const side = stat(rates(f.samplesPerRun, f.besideStepMs));
    add({
      section: 'data feed',
      what: `the feed beside a ${feedStepMs} ms GPU step per batch of ${fb} (the consuming thread free while it runs): feed worker vs reads in that thread`,
      unit: 'samples/s',
      ours: side,
      ref: stat(rates(f.samplesPerRun, f.threadBesideStepMs)),
      refLabel: 'the same sync reads in the consuming thread (the way before the feed worker), same run, interleaved',
      status: 'measured',
      notes: `the steps alone (timers, no data) ${fmtStat(stat(rates(f.samplesPerRun, f.stepsOnlyMs)), 'samples/s')} (the ceiling; ${((fb * 1000) / feedStepMs).toFixed(0)} at exactly ${feedStepMs} ms); time beyond them (stall): feed worker ${fmtStat(stallPct(f.besideStepMs), '%')}, reads in the thread ${fmtStat(stallPct(f.threadBesideStepMs), '%')}; ${feedStepMs} ms is a replayed GAPNet-PL 256 px batch-32 step on an H200, estimated (docs/performance.md)`,
    });
    add({
      section: 'data feed',
      what: `the same feed, batches given back for reuse (src/core/bufferPool.ts): alone, and beside the ${feedStepMs} ms step`,
      unit: 'samples/s',
      ours: feedStat,
      ref: stat(rates(f.samplesPerRun, f.freshMs)),
      refLabel: 'the same feed worker reading every batch into a fresh buffer (the before), same run, interleaved',
      status: 'measured',
      notes: `beside the step: ${fmtStat(side, 'samples/s')} (stall ${fmtStat(stallPct(f.besideStepMs), '%')}) against ${fmtStat(stat(rates(f.samplesPerRun, f.freshBesideStepMs)), 'samples/s')} with fresh buffers (stall ${fmtStat(stallPct(f.freshBesideStepMs), '%')}); a fresh buffer's pages fault at their first write`,
    });
    add({
      section: 'data feed',
      what: `the same feed against what training consumed`,
      unit: 'samples/s',
      ours: feedStat,
      ref: consume,
      refLabel: 'what training consumed: studio run, wasm, 64 px, b16',
      status: 'measured',
      notes: 'ratio > 1 = storage outruns training',
    });
  }
  if (run) {
    add({
      section: 'data feed',
      what: `stall fraction of a studio run (wasm, 64 px from stored 256, b16)`,
      unit: '%',
      ours: run.stallPercent === null ? null : stat([run.stallPercent]),
      ref: null,
      status: run.stallPercent === null ? 'failed' : 'measured',
      notes: `'data wait' read from the live view after ${(run.observedMs / 1000).toFixed(0)} s of training (${run.imagesPerSecond ?? '?'} img/s, backend ${run.backend})`,
    });
    const over = run.longTasks.filter((d) => d > 50);
    add({
      section: 'responsiveness',
      what: 'longest main-thread task while training (studio)',
      unit: 'ms',
      ours: stat([Math.max(0, ...run.longTasks)]),
      ref: null,
      status: 'measured',
      notes: `PerformanceObserver 'longtask' over ${(run.observedMs / 1000).toFixed(0)} s of a wasm run; ${over.length} task(s) > 50 ms${over.length ? `: ${over.map((d) => d.toFixed(0)).join(', ')} ms` : ''}`,
    });
    add({
      section: 'responsiveness',
      what: 'main-thread tasks > 50 ms while training',
      unit: 'tasks',
      ours: stat([over.length]),
      ref: null,
      status: 'measured',
      notes: 'goal: 0 (e2e/train.spec.ts asserts it on a tiny run)',
    });
  } else add({ section: 'data feed', what: 'studio run (stall fraction, long tasks)', unit: '', ours: null, ref: null, status: 'failed', notes: runError });
}
