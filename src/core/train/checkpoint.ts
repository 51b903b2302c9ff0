/**
 * The checkpoint format: a model's weights as named Float32Arrays, the optimizer's state, the
 * epoch, the learning rate and the history so far. `encodeCheckpoint` makes one ArrayBuffer (for
 * IndexedDB in the browser or a file in Node); `decodeCheckpoint` reads it back.
 *
 * Layout: "HPAC" | u32 version | u32 header length | UTF-8 JSON header | zero padding to 4 bytes |
 * float32 data (little-endian) of every tensor, in header order.
 */
import * as tf from '@tensorflow/tfjs';
import type { EpochLogs } from './logs';

export interface NamedArray {
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface Checkpoint {
  /** epochs completed (1-based count) */
  epoch: number;
  /** index of the training phase */
  phase: number;
  /** optimizer steps taken in the phase */
  optimizerStep: number;
  learningRate: number;
  weights: NamedArray[];
  /** optimizer slot variables in the optimizer's own order (Adam: iterations, m…, v…) */
  optimizer: NamedArray[];
  history: EpochLogs[];
  /** anything the caller wants to keep with it (model name, options, run config) */
  meta: Record<string, unknown>;
  /**
   * Masks each seeded dropout layer had drawn (core/models/layers/seededDropout.ts), by layer name:
   * a resumed run draws the masks the uninterrupted one would have. Absent in checkpoints written
   * before it was kept (their runs resume with fresh draws).
   */
  maskDraws?: Record<string, number>;
}

const MAGIC = 0x43415048; // "HPAC" little-endian
const VERSION = 1;

/** Reads the model's weights (by their layer-scoped names, e.g. conv1/kernel) and the optimizer's state. */
export async function captureCheckpoint(
  model: tf.LayersModel,
  optimizer: tf.Optimizer | null,
  state: Omit<Checkpoint, 'weights' | 'optimizer' | 'optimizerStep' | 'maskDraws'>,
): Promise<Checkpoint> {
  const weights = await Promise.all(
    model.weights.map(async (w) => ({ name: w.originalName, shape: [...w.shape] as number[], data: (await w.read().data()) as Float32Array })),
  );
  const named = optimizer ? await optimizer.getWeights() : [];
  const opt = await Promise.all(named.map(async (n) => ({ name: n.name, shape: [...n.tensor.shape], data: Float32Array.from(await n.tensor.data()) })));
  const maskDraws: Record<string, number> = {};
  for (const l of model.layers) if (hasMaskDraws(l)) maskDraws[l.name] = l.maskDraws;
  return { ...state, optimizerStep: optimizer?.iterations ?? 0, weights: dedupe(weights), optimizer: opt, maskDraws };
}

function hasMaskDraws(l: tf.layers.Layer): l is tf.layers.Layer & { maskDraws: number } {
  return typeof (l as unknown as { maskDraws?: unknown }).maskDraws === 'number';
}

function dedupe(ws: NamedArray[]): NamedArray[] {
  const seen = new Set<string>();
  for (const w of ws) {
    if (seen.has(w.name)) throw new Error(`two weights are named '${w.name}': layer names must be unique`);
    seen.add(w.name);
  }
  return ws.map((w) => ({ ...w, data: Float32Array.from(w.data) }));
}

/** Writes a checkpoint's weights into a model (matched by name) and, if given, its optimizer state. */
export async function restoreCheckpoint(model: tf.LayersModel, c: Checkpoint, optimizer?: tf.Optimizer): Promise<void> {
  const byName = new Map(c.weights.map((w) => [w.name, w]));
  const values = model.weights.map((w) => {
    const saved = byName.get(w.originalName);
    if (!saved) throw new Error(`checkpoint has no weight '${w.originalName}'`);
    if (saved.shape.join() !== w.shape.join())
      throw new Error(`weight '${w.originalName}' is [${saved.shape}] in the checkpoint but [${w.shape}] in the model`);
    return tf.tensor(saved.data, saved.shape);
  });
  model.setWeights(values);
  tf.dispose(values);
  for (const l of model.layers) if (hasMaskDraws(l) && c.maskDraws?.[l.name] !== undefined) l.maskDraws = c.maskDraws[l.name];
  if (optimizer && c.optimizer.length) {
    const named = c.optimizer.map((o) => ({ name: o.name, tensor: tf.tensor(o.data, o.shape) }));
    await optimizer.setWeights(named);
    tf.dispose(named.map((n) => n.tensor));
  }
}

export function encodeCheckpoint(c: Checkpoint): ArrayBuffer {
  const arrays = [...c.weights, ...c.optimizer];
  const describe = (a: NamedArray) => ({ name: a.name, shape: a.shape });
  const header = new TextEncoder().encode(
    JSON.stringify({
      epoch: c.epoch,
      phase: c.phase,
      optimizerStep: c.optimizerStep,
      learningRate: c.learningRate,
      history: c.history,
      meta: c.meta,
      maskDraws: c.maskDraws,
      weights: c.weights.map(describe),
      optimizer: c.optimizer.map(describe),
    }),
  );
  const headerEnd = 12 + header.length;
  const dataStart = Math.ceil(headerEnd / 4) * 4;
  const floats = arrays.reduce((s, a) => s + a.data.length, 0);
  const buf = new ArrayBuffer(dataStart + floats * 4);
  const view = new DataView(buf);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, VERSION, true);
  view.setUint32(8, header.length, true);
  new Uint8Array(buf, 12, header.length).set(header);
  let off = dataStart;
  for (const a of arrays) {
    for (let i = 0; i < a.data.length; i++, off += 4) view.setFloat32(off, a.data[i], true);
  }
  return buf;
}

export function decodeCheckpoint(buf: ArrayBuffer): Checkpoint {
  if (buf.byteLength < 12) throw new Error('not a checkpoint: too short');
  const view = new DataView(buf);
  if (view.getUint32(0, true) !== MAGIC) throw new Error('not a checkpoint: bad magic number');
  const version = view.getUint32(4, true);
  if (version !== VERSION) throw new Error(`checkpoint version ${version} is not supported (expected ${VERSION})`);
  const len = view.getUint32(8, true);
  const h = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, 12, len)));
  let off = Math.ceil((12 + len) / 4) * 4;
  const read = (d: { name: string; shape: number[] }): NamedArray => {
    const n = d.shape.reduce((a, b) => a * b, 1);
    if (off + n * 4 > buf.byteLength) throw new Error(`checkpoint is truncated at '${d.name}'`);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++, off += 4) data[i] = view.getFloat32(off, true);
    return { name: d.name, shape: d.shape, data };
  };
  const weights = (h.weights as { name: string; shape: number[] }[]).map(read);
  const optimizer = (h.optimizer as { name: string; shape: number[] }[]).map(read);
  return {
    epoch: h.epoch,
    phase: h.phase,
    optimizerStep: h.optimizerStep,
    learningRate: h.learningRate,
    history: h.history,
    meta: h.meta,
    ...(h.maskDraws ? { maskDraws: h.maskDraws } : {}),
    weights,
    optimizer,
  };
}
