/**
 * The studio's tfjs flags: every `HPA_*` flag, declared here and nowhere else. Each switches one
 * speed-up of src/accel off (false) for the bench's "before" and is on by default. They are
 * registered with tfjs once, when a backend starts (registerAccel in ./registry.ts calls
 * registerAccelFlags; the Node backends and the bench through it); a flag read before that
 * registers them all first, so a kernel run on its own (a unit test) sees the defaults.
 *
 * A start check's pass is remembered per value of every flag here (src/worker/startChecks.ts).
 */
import * as tf from '@tensorflow/tfjs';

export const WRITE_BUFFER_UPLOAD_FLAG = 'HPA_UPLOAD_WRITE_BUFFER';
export const FUSED_LOSS_FLAG = 'HPA_FUSED_LOSS';
export const CHUNK_SUM_LANES_FLAG = 'HPA_CHUNK_SUM_LANES';
export const COLUMN_REDUCE_FLAG = 'HPA_COLUMN_REDUCE';
export const CONV_FILTER_GRAD_TILED_FLAG = 'HPA_CONV_FILTER_GRAD_TILED';
export const CONV_INPUT_GRAD_AS_CONV_FLAG = 'HPA_CONV_INPUT_GRAD_AS_CONV';
export const ADAM_IN_PLACE_FLAG = 'HPA_ADAM_IN_PLACE';
export const STEP_REPLAY_FLAG = 'HPA_STEP_REPLAY';

export type AccelFlagName =
  | typeof WRITE_BUFFER_UPLOAD_FLAG
  | typeof FUSED_LOSS_FLAG
  | typeof CHUNK_SUM_LANES_FLAG
  | typeof COLUMN_REDUCE_FLAG
  | typeof CONV_FILTER_GRAD_TILED_FLAG
  | typeof CONV_INPUT_GRAD_AS_CONV_FLAG
  | typeof ADAM_IN_PLACE_FLAG
  | typeof STEP_REPLAY_FLAG;

export interface AccelFlag {
  name: AccelFlagName;
  default: boolean;
  /** what it switches, and where */
  switches: string;
}

export const ACCEL_FLAGS: readonly AccelFlag[] = [
  {
    name: WRITE_BUFFER_UPLOAD_FLAG,
    default: true,
    switches: "uploads by queue.writeBuffer into pooled buffers (webgpu/writeBufferUpload.ts); false: tfjs's staging buffer per upload",
  },
  {
    name: FUSED_LOSS_FLAG,
    default: true,
    switches: 'BCE and focal loss in one kernel each way where registered (webgpu/focalLoss.ts); false: the losses as tfjs ops',
  },
  {
    name: CHUNK_SUM_LANES_FLAG,
    default: true,
    switches: "the split reductions' second pass in lanes where the start check allows it (webgpu/chunkSum.ts); false: one thread per value",
  },
  {
    name: COLUMN_REDUCE_FLAG,
    default: true,
    switches: "Sum and Mean over all axes but the last without a transpose (webgpu/columnReduce.ts); false: tfjs's kernels",
  },
  {
    name: CONV_FILTER_GRAD_TILED_FLAG,
    default: true,
    switches: "the conv filter gradient's tiled first pass (webgpu/conv2dFilterGrad.ts); false: its split-K pass",
  },
  {
    name: CONV_INPUT_GRAD_AS_CONV_FLAG,
    default: true,
    switches: "conv input gradients as forward convolutions, stride 2 by parity (webgpu/convInputGradAsConv.ts); false: tfjs's input-gradient program",
  },
  {
    name: ADAM_IN_PLACE_FLAG,
    default: true,
    switches: "the fused Adam's webgpu update in place, one dispatch per weight (webgpu/adamUpdate.ts); false: three dispatches",
  },
  {
    name: STEP_REPLAY_FLAG,
    default: true,
    switches: 'steps replayed from a recording of their GPU commands (webgpu/stepReplay.ts); false: every step through tfjs',
  },
];

/**
 * tfjs-backend-webgpu's own flag that the start checks set (webgpu/conv2dInputGrad.ts): true runs its
 * naive conv input gradient, false its matrix-multiply one. tfjs registers it.
 */
export const NAIVE_CONV_INPUT_GRAD_FLAG = 'WEBGPU_USE_NAIVE_CONV2D_TRANSPOSE';

let registered = false;

/** Registers every flag above with tfjs, at its default (idempotent). */
export function registerAccelFlags(): void {
  if (registered) return;
  registered = true;
  for (const f of ACCEL_FLAGS) tf.env().registerFlag(f.name, () => f.default);
}

/** A flag's value now (registering the flags first if no backend start has). */
export function accelFlag(name: AccelFlagName): boolean {
  registerAccelFlags();
  return tf.env().getBool(name);
}

/** Sets a flag (registering the flags first if no backend start has). */
export function setAccelFlag(name: AccelFlagName, on: boolean): void {
  registerAccelFlags();
  tf.env().set(name, on);
}

/** `NAME=value` for every flag, in name order: what a start check's pass is remembered under. */
export function accelFlagSettings(): string[] {
  registerAccelFlags();
  return ACCEL_FLAGS.map((f) => f.name)
    .sort()
    .map((name) => `${name}=${String(tf.env().get(name))}`);
}
