/**
 * The bench's transfer part (`npm run bench -- --only transfer`): MobileNetV2 and ResNet50 training
 * steps at 128 and 224 px on wasm in Node and in headless Chromium (the bench page's worker, the
 * studio's own backend set-up), each beside PyTorch CPU running torchvision's definitions of the
 * same networks (bench/torch_ref.py) with the same batch, preprocessing, widened first convolution,
 * seed head, BCE and Adam, one thread each. Per combination PyTorch, Node and Chromium run back to
 * back, so the machine's drift between minutes hits the three alike.
 */
import { job, type Session } from './browser/drive';
import { isErr, nodeJob, s1, torch } from './lib/children';
import type { Row } from './lib/report';
import { rates, stat, type Stat } from './lib/stats';
import type { TrainTiming } from './lib/trainSteps';
import { paramsNote, TRANSFER_CHANNELS, TRANSFER_HEAD, transferPlan, type TransferCombo } from './lib/transferPlan';

interface TorchTrain {
  torch: string;
  torchvision: string;
  threads: number;
  params: number;
  macs: number;
  firstStepMs: number;
  stepMs: number[];
}

const TORCHVISION_NAME = { mobilenetv2: 'mobilenet_v2', resnet50: 'resnet50' } as const;
const gmacs = (m: number | undefined) => (m === undefined ? '?' : (m / 1e9).toFixed(2));

export async function transferBench(
  s: Session | null,
  o: { quick: boolean; log: (line: string) => void; noBrowser: string | null },
  add: (r: Row) => void,
): Promise<{ torchVersion: string | null }> {
  const plan = transferPlan(o.quick);
  const spec = { channels: TRANSFER_CHANNELS, head: TRANSFER_HEAD };
  o.log(
    `transfer: ${plan.map((c) => `${c.model} ${c.size} px b${c.batch}`).join(', ')}; ${spec.channels} first conv, ${spec.head} head, BCE + Adam; PyTorch CPU, Node wasm${s ? ' and Chromium wasm' : ''}, one thread each`,
  );
  let torchVersion: string | null = null;
  for (const c of plan) {
    const key = `${c.model} ${c.size} px b${c.batch}`;
    const t = await torch<TorchTrain>(
      ['train', '--model', c.model, '--size', String(c.size), '--batch', String(c.batch), '--warmup', String(c.warmup), '--steps', String(c.steps)].concat([
        '--channels',
        spec.channels,
        '--head',
        spec.head,
      ]),
      600_000,
    );
    const ref = isErr(t) ? null : stat(rates(c.batch, t.stepMs));
    if (!isErr(t)) torchVersion = t.torch;
    o.log(`  torch ${key}: ${ref ? `${ref.median.toFixed(2)} img/s` : `failed: ${(t as { error: string }).error}`}`);
    const refLabel = isErr(t)
      ? `PyTorch failed: ${t.error}`
      : `PyTorch ${t.torch} CPU, ${t.threads} thread, torchvision ${t.torchvision} ${TORCHVISION_NAME[c.model]}`;
    const torchSide = isErr(t) ? null : t;

    const job1 = {
      kind: 'train',
      backend: 'wasm',
      model: c.model,
      size: c.size,
      batch: c.batch,
      warmup: c.warmup,
      steps: c.steps,
      budgetMs: c.budgetMs,
      ...spec,
    };
    // the first step of ResNet50 at 224 px is tens of seconds on one wasm thread, the model's build a few more
    const timeoutMs = c.budgetMs + 300_000;
    const n = await nodeJob<TrainTiming & { detail: string }>(job1, timeoutMs);
    const what = (where: string) => `train ${key} (${spec.channels}, ${spec.head} head) — ${where}`;
    if (isErr(n)) add(failed(what('Node wasm'), ref, refLabel, n.error));
    else add(row(what('Node wasm'), c, n, torchSide, ref, refLabel, n.detail));

    if (!s)
      add({
        section: 'transfer',
        what: what('Chromium wasm'),
        unit: 'img/s',
        ours: null,
        ref,
        refLabel,
        status: 'skipped',
        notes: o.noBrowser ?? 'no browser',
      });
    else {
      const a = await job(
        s,
        { kind: 'train', backend: 'wasm', model: c.model, size: c.size, batch: c.batch, warmup: c.warmup, steps: c.steps, budgetMs: c.budgetMs, ...spec },
        timeoutMs,
      );
      if (!a.ok || a.kind !== 'train') add(failed(what('Chromium wasm'), ref, refLabel, a.ok ? 'unexpected answer' : a.error.split('\n')[0]));
      else {
        const threads = a.backend.wasmThreads;
        add(
          row(what('Chromium wasm'), c, a.timing, torchSide, ref, refLabel, threads !== undefined ? `${threads} wasm thread${threads === 1 ? '' : 's'}` : ''),
        );
      }
    }
  }
  return { torchVersion };
}

function failed(what: string, ref: Stat | null, refLabel: string, error: string): Row {
  return { section: 'transfer', what, unit: 'img/s', ours: null, ref, refLabel, status: 'failed', notes: error };
}

function row(what: string, c: TransferCombo, t: TrainTiming, torchSide: TorchTrain | null, ref: Stat | null, refLabel: string, detail: string): Row {
  const step = stat(t.stepMs);
  const macs = torchSide ? `forward ${gmacs(t.macs)} vs ${gmacs(torchSide.macs)} GMAC/image` : `forward ${gmacs(t.macs)} GMAC/image`;
  const torchStep = torchSide ? `; torch step ${stat(torchSide.stepMs).median.toFixed(0)} ms, first ${s1(torchSide.firstStepMs)}` : '';
  return {
    section: 'transfer',
    what,
    unit: 'img/s',
    ours: stat(rates(c.batch, t.stepMs)),
    ref,
    refLabel,
    status: 'measured',
    notes: `step ${step.median.toFixed(0)} ms, first step ${s1(t.firstStepMs)}; ${t.stepMs.length} timed after ${t.warmups} warm-up (budget ${c.budgetMs / 1000} s)${torchStep}; ${paramsNote(c.model, t.params, torchSide?.params ?? null)}; ${macs}${detail ? `; ${detail}` : ''}`,
    extra: {
      firstStepMs: t.firstStepMs,
      stepMs: t.stepMs,
      warmups: t.warmups,
      params: t.params,
      macs: t.macs,
      refParams: torchSide?.params ?? null,
      refMacs: torchSide?.macs ?? null,
      refStepMs: torchSide?.stepMs ?? null,
      backend: t.backend,
    },
  };
}
