/**
 * Reads only the header of a stored checkpoint (the layout is written by checkpoint.ts's
 * encodeCheckpoint: "HPAC" | u32 version | u32 header length | JSON header | padding | float32 data)
 * and says whether its bytes are all there: what the header's shapes need against what is stored.
 * No tfjs and no float decoding, so the consistency check at start can look at a checkpoint cheaply.
 */
import type { EpochLogs } from './logs';

const MAGIC = 0x43415048; // "HPAC" little-endian
const VERSION = 1;

export interface CheckpointHeader {
  epoch: number;
  history: EpochLogs[];
  /** bytes the header's tensors need in all */
  expectedBytes: number;
  /** bytes stored */
  storedBytes: number;
}

/** The header, or a reason why the bytes are not a readable checkpoint. */
export function readCheckpointHeader(buf: ArrayBuffer): CheckpointHeader | { error: string } {
  if (buf.byteLength < 12) return { error: `${buf.byteLength} bytes, shorter than a checkpoint's header` };
  const view = new DataView(buf);
  if (view.getUint32(0, true) !== MAGIC) return { error: 'not a checkpoint (bad magic number)' };
  if (view.getUint32(4, true) !== VERSION) return { error: `checkpoint version ${view.getUint32(4, true)} is not supported` };
  const len = view.getUint32(8, true);
  if (12 + len > buf.byteLength) return { error: `its header needs ${12 + len} bytes, ${buf.byteLength} are stored` };
  let h: { epoch: number; history: EpochLogs[]; weights: { shape: number[] }[]; optimizer: { shape: number[] }[] };
  try {
    h = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, 12, len)));
  } catch {
    return { error: 'its header is not readable' };
  }
  const floats = [...h.weights, ...h.optimizer].reduce((s, d) => s + d.shape.reduce((a, b) => a * b, 1), 0);
  return { epoch: h.epoch, history: h.history, expectedBytes: Math.ceil((12 + len) / 4) * 4 + floats * 4, storedBytes: buf.byteLength };
}
