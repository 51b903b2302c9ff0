/**
 * The self-checks a backend runs when a worker starts it: each of the studio's own kernels (and the
 * step replay) is run beside tfjs's and kept on only where this GPU and browser give the same
 * answers; a failure turns it off and says why in the status line.
 *
 * They cost seconds on a software adapter (on SwiftShader ~4 s, and ~6 s more for the step replay's
 * training run; 2026-11-27, 2-core EPYC), and a page starts a worker per run and per prediction,
 * while the 'auto' backend starts webgpu twice in one worker. So a pass is remembered: in the worker,
 * and in the page, which hands the passes a worker reported (`BackendReport.checks`) to the next one
 * it starts. A pass is reused only for the same backend, adapter, tfjs version and the studio's
 * `HPA_*` flags; its kernel is then switched on as the check would have left it. A failure is not
 * remembered: that check runs again at the next start, and its fallback is set up again.
 */
import * as tf from '@tensorflow/tfjs';
import { verifyAugmentGather } from '../core/augment';
import { accelFlagSettings, NAIVE_CONV_INPUT_GRAD_FLAG, setAccelFlag, STEP_REPLAY_FLAG } from '../accel/flags';
import { registerFusedAdam, verifyFusedAdam } from '../accel/fusedAdam';
import { verifyStepReplay } from '../accel/webgpu/replayCheck';
import { inPlaceAdamUpdates } from '../accel/webgpu/adamUpdate';
import { verifyAlphaDropout } from '../accel/webgpu/alphaDropout';
import { useChunkSumLanes, verifyChunkSum } from '../accel/webgpu/chunkSum';
import { verifyColumnReduce } from '../accel/webgpu/columnReduce';
import { verifyConv2dFilterGrad } from '../accel/webgpu/conv2dFilterGrad';
import { adoptMatMulConvInputGrad } from '../accel/webgpu/conv2dInputGrad';
import { verifyConvInputGradAsConv } from '../accel/webgpu/convInputGradAsConv';
import { verifyFocalLoss } from '../accel/webgpu/focalLoss';
import { verifySeluGrad } from '../accel/webgpu/seluGrad';
import { verifyUint8Upload } from '../accel/webgpu/uint8Upload';
import { installWriteBufferUpload, verifyWriteBufferUpload } from '../accel/webgpu/writeBufferUpload';
import type { AdapterInfo, StartChecks, TrainingBackend } from './protocol';

interface Check {
  id: string;
  /** null: passed; otherwise why not (the check has already turned its kernel off) */
  run(): Promise<string | null>;
  /** the status words of a pass; `failed` those of a failure (null: say nothing) */
  passed(): string;
  failed(why: string): string | null;
  /** what a pass leaves on, for a pass reused without running the check */
  adopt?(): void;
}

/** Passes known to this worker: its own, and those its page handed over. */
const known: StartChecks = {};

/** Adds passes reported by other workers of the page (from the init message). */
export function rememberChecks(passes: StartChecks | undefined): void {
  if (passes) Object.assign(known, passes);
}

/** Every pass this worker knows, for its BackendReport. */
export const knownChecks = (): StartChecks => ({ ...known });

/** What a pass depends on: the backend, the adapter, tfjs, and the studio's flags as set now. */
function scope(backend: TrainingBackend, adapter: AdapterInfo | null): string {
  const flags = accelFlagSettings();
  const gpu =
    backend === 'webgpu' && adapter
      ? [adapter.vendor, adapter.architecture, adapter.device, adapter.description, adapter.fallback ? 'fallback' : ''].join('/')
      : '';
  return [backend, `tfjs ${tf.version.tfjs}`, gpu, ...flags].join(' | ');
}

function checksFor(backend: TrainingBackend, adapter: AdapterInfo | null, o: { checkStepReplay?: boolean }): Check[] {
  // lanes meet at a workgroup barrier, which a software adapter emulates slowly (chunkSum.ts)
  const lanes = !adapter?.fallback;
  const gpu: Check[] = [
    {
      id: 'writeBuffer upload',
      // installing it is not the check: it patches this worker's backend, reused pass or not
      run: async () => (installWriteBufferUpload() ? verifyWriteBufferUpload() : 'tfjs internals not as expected'),
      passed: () => 'values reach the GPU by queue.writeBuffer, no staging buffer each (checked)',
      failed: (why) => `tfjs's staged uploads: writeBuffer upload ${why}`,
      adopt: () => void installWriteBufferUpload(),
    },
    {
      id: 'byte upload',
      run: verifyUint8Upload,
      passed: () => 'image batches upload as bytes, widened to float on the GPU (checked)',
      failed: (why) => `image batches upload as float32: byte upload ${why}`,
    },
    { id: 'SELU gradient', run: verifySeluGrad, passed: () => 'SELU gradient in one kernel (checked)', failed: (why) => `tfjs's SELU gradient: ${why}` },
    {
      id: 'AlphaDropout',
      run: verifyAlphaDropout,
      passed: () => 'AlphaDropout in one kernel each way (checked)',
      failed: (why) => `AlphaDropout as tfjs ops: fused kernel ${why}`,
    },
    {
      id: 'fused loss',
      run: verifyFocalLoss,
      passed: () => 'BCE and focal loss in one kernel each way (checked)',
      failed: (why) => `the loss as tfjs ops: fused loss ${why}`,
    },
    {
      id: 'chunk sum',
      run: async () => {
        const why = await verifyChunkSum();
        if (why === null) useChunkSumLanes(lanes);
        return why;
      },
      passed: () => (lanes ? 'split sums added in lanes (checked)' : 'split sums one thread per value on a software adapter (lanes checked)'),
      failed: (why) => `split sums: ${why}`,
      adopt: () => useChunkSumLanes(lanes),
    },
    {
      id: 'column reduce',
      run: verifyColumnReduce,
      passed: () => 'per-channel sums and average pools without a transpose (checked)',
      failed: (why) => `tfjs's Sum and Mean: column reduction ${why}`,
    },
    {
      id: 'conv filter gradient',
      run: verifyConv2dFilterGrad,
      passed: () => 'conv filter gradients split over the GPU (checked)',
      failed: (why) => `tfjs's conv filter gradient: split kernel ${why}`,
    },
    {
      id: 'conv input gradient',
      run: adoptMatMulConvInputGrad,
      passed: () => 'conv input gradients as matrix multiplies (checked)',
      failed: (why) => `naive conv input gradient: matrix-multiply version ${why}`,
      adopt: () => tf.env().set(NAIVE_CONV_INPUT_GRAD_FLAG, false),
    },
    {
      id: 'conv input gradient as a convolution',
      run: verifyConvInputGradAsConv,
      passed: () => 'conv input gradients as forward convolutions, stride 2 by parity (checked)',
      failed: (why) => `tfjs's program for conv input gradients: forward-convolution version ${why}`,
    },
  ];
  let inPlace = false;
  const all: Check[] = [
    ...(backend === 'webgpu' ? gpu : []),
    {
      id: 'fused Adam',
      run: async () => {
        const before = inPlaceAdamUpdates();
        const off = await verifyFusedAdam(); // webgl has no fused kernel and keeps tfjs's Adam
        inPlace = inPlaceAdamUpdates() > before; // whether its updates ran in place (one dispatch rewriting w, m and v)
        return off;
      },
      passed: () => `Adam fused into one kernel per weight${inPlace ? ', in place' : ''} (checked)`,
      failed: (why) => (backend === 'webgl' ? null : `tfjs's Adam: fused Adam ${why}`),
      adopt: registerFusedAdam,
    },
    {
      id: 'augment gather',
      run: verifyAugmentGather,
      passed: () => 'crops and flips of a batch in one gather (checked)',
      failed: (why) => `augmentation image by image: ${why}`,
    },
  ];
  // last: it trains through the fused kernels checked above
  if (backend === 'webgpu' && o.checkStepReplay !== false) {
    all.push({
      id: 'step replay',
      run: verifyStepReplay,
      passed: () => 'training steps replayed from a recording of their GPU commands (checked)',
      failed: (why) => `every step through tfjs: step replay ${why}`,
    });
  }
  return all;
}

/** What a start's checks came to: the status words, and how many checks there were and were reused. */
export interface StartCheckResult {
  /** the status words, each after a '; ', in the order the checks run */
  words: string;
  /** the checks this backend has */
  checks: number;
  /** of them, passes of an earlier start on this page, not rerun */
  reused: number;
}

/** Runs (or reuses) the start checks of the backend tfjs has just started. */
export async function runStartChecks(backend: TrainingBackend, adapter: AdapterInfo | null, o: { checkStepReplay?: boolean } = {}): Promise<StartCheckResult> {
  const where = scope(backend, adapter);
  let words = '';
  let reused = 0;
  const checks = checksFor(backend, adapter, o);
  for (const c of checks) {
    const key = `${where} | ${c.id}`;
    const pass = known[key];
    if (pass !== undefined) {
      c.adopt?.();
      words += `; ${pass}`;
      reused++;
      continue;
    }
    const why = await c.run();
    if (why === null) {
      known[key] = c.passed();
      words += `; ${known[key]}`;
    } else {
      const said = c.failed(why);
      if (said) words += `; ${said}`;
    }
  }
  if (backend === 'webgpu' && o.checkStepReplay === false) {
    // a caller that will not replay (a bench job timing tfjs-built steps): no check, and no replay
    setAccelFlag(STEP_REPLAY_FLAG, false);
    words += '; every step through tfjs: step replay not checked here';
  }
  if (reused) words += `; ${reused === checks.length ? 'all' : `${reused} of`} ${checks.length} checks passed at an earlier start on this page, not rerun`;
  return { words, checks: checks.length, reused };
}
