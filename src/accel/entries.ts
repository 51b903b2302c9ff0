/**
 * The speed-ups of src/accel as data: for each, the backends it applies to, the flag that switches
 * it off, and what the status line says of its start check. Nothing here pulls in tfjs (a page
 * may read it); ./registry.ts gives each id what installs, checks and adopts it.
 *
 * The order is the order of registration at backend start and of the start checks, whose status
 * words join the backend's reason in that order. The step replay comes last: its check trains
 * through the kernels checked before it.
 */
import type { AccelFlagName } from './flags';

export type AccelBackend = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

const ALL: readonly AccelBackend[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

export interface AccelEntry {
  /** names it; a start check's pass is remembered under it (with backend, adapter, tfjs and flags) */
  readonly id: string;
  readonly backends: readonly AccelBackend[];
  /** the src/accel flag that switches it off (./flags.ts) */
  readonly flag?: AccelFlagName;
  /** the words of a start check that passed; absent: the entry is installed, not checked */
  readonly passed?: string;
  /** the words of a pass in another form, by the name its check gives it (./registry.ts) */
  readonly passedAs?: Readonly<Record<string, string>>;
  /** the words of a failed check (null: the status line says nothing) */
  readonly failed?: (why: string, backend: AccelBackend) => string | null;
  /** the words when a start leaves the check out, which then sets the flag false */
  readonly skipped?: string;
}

export const ACCEL_ENTRIES = [
  { id: 'wasm training kernels', backends: ['wasm'] },
  { id: 'studio gradients', backends: ALL },
  {
    id: 'writeBuffer upload',
    backends: ['webgpu'],
    flag: 'HPA_UPLOAD_WRITE_BUFFER',
    passed: 'values reach the GPU by queue.writeBuffer, no staging buffer each (checked)',
    failed: (why) => `tfjs's staged uploads: writeBuffer upload ${why}`,
  },
  {
    id: 'byte upload',
    backends: ['webgpu'],
    passed: 'image batches upload as bytes, widened to float on the GPU (checked)',
    failed: (why) => `image batches upload as float32: byte upload ${why}`,
  },
  { id: 'SELU gradient', backends: ['webgpu'], passed: 'SELU gradient in one kernel (checked)', failed: (why) => `tfjs's SELU gradient: ${why}` },
  {
    id: 'AlphaDropout',
    backends: ['webgpu'],
    passed: 'AlphaDropout in one kernel each way (checked)',
    failed: (why) => `AlphaDropout as tfjs ops: fused kernel ${why}`,
  },
  {
    id: 'fused loss',
    backends: ['webgpu'],
    flag: 'HPA_FUSED_LOSS',
    passed: 'BCE and focal loss in one kernel each way (checked)',
    failed: (why) => `the loss as tfjs ops: fused loss ${why}`,
  },
  {
    id: 'chunk sum',
    backends: ['webgpu'],
    flag: 'HPA_CHUNK_SUM_LANES',
    passed: 'split sums added in lanes (checked)',
    passedAs: { 'software adapter': 'split sums one thread per value on a software adapter (lanes checked)' },
    failed: (why) => `split sums: ${why}`,
  },
  {
    id: 'column reduce',
    backends: ['webgpu'],
    flag: 'HPA_COLUMN_REDUCE',
    passed: 'per-channel sums and average pools without a transpose (checked)',
    failed: (why) => `tfjs's Sum and Mean: column reduction ${why}`,
  },
  {
    id: 'conv filter gradient',
    backends: ['webgpu'],
    flag: 'HPA_CONV_FILTER_GRAD_TILED',
    passed: 'conv filter gradients split over the GPU (checked)',
    failed: (why) => `tfjs's conv filter gradient: split kernel ${why}`,
  },
  {
    // tfjs's own flag WEBGPU_USE_NAIVE_CONV2D_TRANSPOSE (true) is its before; the check sets it
    id: 'conv input gradient',
    backends: ['webgpu'],
    passed: 'conv input gradients as matrix multiplies (checked)',
    failed: (why) => `naive conv input gradient: matrix-multiply version ${why}`,
  },
  {
    id: 'conv input gradient as a convolution',
    backends: ['webgpu'],
    flag: 'HPA_CONV_INPUT_GRAD_AS_CONV',
    passed: 'conv input gradients as forward convolutions, stride 2 by parity (checked)',
    failed: (why) => `tfjs's program for conv input gradients: forward-convolution version ${why}`,
  },
  {
    id: 'fused Adam',
    backends: ALL,
    flag: 'HPA_ADAM_IN_PLACE',
    passed: 'Adam fused into one kernel per weight (checked)',
    passedAs: { 'in place': 'Adam fused into one kernel per weight, in place (checked)' },
    // webgl has no fused kernel and keeps tfjs's Adam without a word
    failed: (why, backend) => (backend === 'webgl' ? null : `tfjs's Adam: fused Adam ${why}`),
  },
  {
    id: 'augment gather',
    backends: ALL,
    passed: 'crops and flips of a batch in one gather (checked)',
    failed: (why) => `augmentation image by image: ${why}`,
  },
  {
    id: 'step replay',
    backends: ['webgpu'],
    flag: 'HPA_STEP_REPLAY',
    passed: 'training steps replayed from a recording of their GPU commands (checked)',
    failed: (why) => `every step through tfjs: step replay ${why}`,
    skipped: 'every step through tfjs: step replay not checked here',
  },
] as const satisfies readonly AccelEntry[];

export type AccelId = (typeof ACCEL_ENTRIES)[number]['id'];

/** The entries that apply to `backend`, in order. */
export const entriesFor = (backend: AccelBackend): readonly AccelEntry[] =>
  ACCEL_ENTRIES.filter((e) => (e.backends as readonly AccelBackend[]).includes(backend));

/** The entry of an id. */
export const accelEntry = (id: AccelId): AccelEntry => ACCEL_ENTRIES.find((e) => e.id === id)!;
