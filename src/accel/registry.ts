/**
 * The speed-ups of ./entries.ts with what they do to tfjs: `register` installs one (a kernel in
 * tfjs's registry, a gradient, a patch) when a backend starts, before tf.setBackend; `check` is its
 * start check on the running backend (null: it passed; else why not, and the check has turned it
 * off; or the form of a pass the status words name); `adopt` is what a pass remembered from an
 * earlier start switches on without rerunning the check.
 *
 * Who reads it: the backend start of the workers (src/worker/backend.ts) and of Node (src/cli),
 * the start checks (src/worker/startChecks.ts) and the GPU kit (bench/gpu-kit/gpu-bench.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { verifyAugmentGather } from '../core/augment';
import { accelEntry, entriesFor, type AccelBackend, type AccelEntry, type AccelId } from './entries';
import { NAIVE_CONV_INPUT_GRAD_FLAG, registerAccelFlags, setAccelFlag } from './flags';
import { registerFusedAdam, verifyFusedAdam } from './fusedAdam';
import { installStudioGradients } from './gradients/studioGradients';
import { registerWasmTrainingKernels } from './wasm/registerWasmTrainingKernels';
import { inPlaceAdamUpdates } from './webgpu/adamUpdate';
import { registerWebGpuAlphaDropout, verifyAlphaDropout } from './webgpu/alphaDropout';
import { useChunkSumLanes, verifyChunkSum } from './webgpu/chunkSum';
import { registerWebGpuColumnReduce, verifyColumnReduce } from './webgpu/columnReduce';
import { registerWebGpuConv2dFilterGrad, verifyConv2dFilterGrad } from './webgpu/conv2dFilterGrad';
import { adoptMatMulConvInputGrad } from './webgpu/conv2dInputGrad';
import { registerWebGpuConvInputGradAsConv, verifyConvInputGradAsConv } from './webgpu/convInputGradAsConv';
import { registerWebGpuFocalLoss, verifyFocalLoss } from './webgpu/focalLoss';
import { verifyStepReplay } from './webgpu/replayCheck';
import { registerWebGpuSeluGrad, verifySeluGrad } from './webgpu/seluGrad';
import { registerWebGpuUint8Upload, verifyUint8Upload } from './webgpu/uint8Upload';
import { installWriteBufferUpload, verifyWriteBufferUpload } from './webgpu/writeBufferUpload';

/** What a start check may depend on besides the backend. */
export interface CheckContext {
  backend: AccelBackend;
  /** a software WebGPU adapter (SwiftShader): slow at what a GPU does at once */
  softwareAdapter: boolean;
}

/** null: passed; a string: why not; `passedAs`: passed, in the form of the entry's `passedAs` words of that name. */
export type CheckOutcome = null | string | { passedAs: string };

interface AccelImpl {
  register?(): void;
  check?(c: CheckContext): Promise<CheckOutcome>;
  adopt?(c: CheckContext): void;
}

const IMPLS: Record<AccelId, AccelImpl> = {
  'wasm training kernels': { register: () => void registerWasmTrainingKernels() },
  'studio gradients': { register: installStudioGradients },
  'writeBuffer upload': {
    // installing it is not registering: it patches the backend tf.setBackend made, reused pass or not
    check: async () => (installWriteBufferUpload() ? verifyWriteBufferUpload() : 'tfjs internals not as expected'),
    adopt: () => void installWriteBufferUpload(),
  },
  'byte upload': { register: registerWebGpuUint8Upload, check: verifyUint8Upload },
  'SELU gradient': { register: registerWebGpuSeluGrad, check: verifySeluGrad },
  AlphaDropout: { register: registerWebGpuAlphaDropout, check: verifyAlphaDropout },
  'fused loss': { register: registerWebGpuFocalLoss, check: verifyFocalLoss },
  'chunk sum': {
    // lanes meet at a workgroup barrier, which a software adapter emulates slowly (./webgpu/chunkSum.ts)
    check: async (c) => {
      const why = await verifyChunkSum();
      if (why !== null) return why;
      useChunkSumLanes(!c.softwareAdapter);
      return c.softwareAdapter ? { passedAs: 'software adapter' } : null;
    },
    adopt: (c) => useChunkSumLanes(!c.softwareAdapter),
  },
  'column reduce': { register: registerWebGpuColumnReduce, check: verifyColumnReduce },
  'conv filter gradient': { register: registerWebGpuConv2dFilterGrad, check: verifyConv2dFilterGrad },
  'conv input gradient': { check: adoptMatMulConvInputGrad, adopt: () => tf.env().set(NAIVE_CONV_INPUT_GRAD_FLAG, false) },
  'conv input gradient as a convolution': { register: registerWebGpuConvInputGradAsConv, check: verifyConvInputGradAsConv },
  'fused Adam': {
    register: registerFusedAdam,
    check: async () => {
      const before = inPlaceAdamUpdates();
      const why = await verifyFusedAdam();
      // whether its updates ran in place (one dispatch rewriting w, m and v)
      return why ?? (inPlaceAdamUpdates() > before ? { passedAs: 'in place' } : null);
    },
    adopt: registerFusedAdam,
  },
  'augment gather': { check: verifyAugmentGather },
  'step replay': { check: verifyStepReplay },
};

/**
 * Registers the flags and every speed-up that applies to `backend`. Called when a backend starts,
 * before tf.setBackend, so that its kernels are the backend's from its first op (idempotent).
 */
export function registerAccel(backend: AccelBackend): void {
  registerAccelFlags();
  for (const e of entriesFor(backend)) IMPLS[e.id as AccelId].register?.();
}

/** One start check, with its status words. */
export interface StartCheck {
  readonly id: AccelId;
  /** null: passed; otherwise why not (the check has turned its speed-up off) */
  run(): Promise<string | null>;
  /** the status words of the pass `run` found */
  passed(): string;
  /** the status words of a failure (null: say nothing) */
  failed(why: string): string | null;
  /** what a pass leaves on, for a pass reused without running the check */
  adopt(): void;
}

/** The start checks of `c.backend`, in order. */
export function startChecksFor(c: CheckContext): StartCheck[] {
  return entriesFor(c.backend)
    .filter((e): e is AccelEntry & { passed: string } => e.passed !== undefined)
    .map((e) => {
      const impl = IMPLS[e.id as AccelId];
      let words = e.passed;
      return {
        id: e.id as AccelId,
        run: async () => {
          const outcome = await impl.check!(c);
          if (typeof outcome === 'string') return outcome;
          words = outcome ? (e.passedAs?.[outcome.passedAs] ?? e.passed) : e.passed;
          return null;
        },
        passed: () => words,
        failed: (why) => (e.failed ? e.failed(why, c.backend) : why),
        adopt: () => impl.adopt?.(c),
      };
    });
}

/** Leaves a speed-up's check out at this start: its flag goes false (it stays off); the status words for that. */
export function skipCheck(id: AccelId): string {
  const e = accelEntry(id);
  if (e.flag) setAccelFlag(e.flag, false);
  return e.skipped ?? `${id}: not checked here`;
}
