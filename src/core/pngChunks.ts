/**
 * A PNG's chunk layout, read without decoding: the header fields the decoders need and the
 * compressed image data (every IDAT chunk's data, concatenated: one zlib stream).
 */
import { readPngHeader, type PngHeader } from './pngHeader';

export interface PngLayout extends PngHeader {
  /** 0 none, 1 Adam7 */
  interlace: number;
  /** the zlib stream split over the IDAT chunks, joined */
  idat: Uint8Array;
}

/**
 * The layout of a whole PNG, or null when its chunks do not reach IEND in order (truncated or
 * corrupt: the caller names which, from pngTruncation and firstBadCrc).
 */
export function readPngLayout(bytes: Uint8Array): PngLayout | null {
  const header = readPngHeader(bytes);
  if (!header) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts: Uint8Array[] = [];
  let total = 0;
  for (let at = 8; at + 12 <= bytes.length;) {
    const length = view.getUint32(at);
    const end = at + 12 + length;
    if (end > bytes.length) return null;
    const t0 = bytes[at + 4],
      t1 = bytes[at + 5],
      t2 = bytes[at + 6],
      t3 = bytes[at + 7];
    if (t0 === 73 && t1 === 68 && t2 === 65 && t3 === 84) {
      parts.push(bytes.subarray(at + 8, at + 8 + length));
      total += length;
    } else if (t0 === 73 && t1 === 69 && t2 === 78 && t3 === 68) {
      if (!parts.length) return null;
      // one IDAT (the usual case) needs no copy
      let idat = parts[0];
      if (parts.length > 1) {
        idat = new Uint8Array(total);
        let o = 0;
        for (const p of parts) idat.set(p, (o += p.length) - p.length);
      }
      return { ...header, interlace: bytes[28], idat };
    }
    at = end;
  }
  return null;
}

let table: Uint32Array | null = null;

/** CRC-32 (ISO 3309, as PNG and zip use) of `bytes`. */
export function crc32(bytes: Uint8Array): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = table[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * The type of the first whole chunk whose stored CRC does not match its type and data, or null.
 * Checked only once a decode has failed, to say why: the zlib stream's own Adler-32 already
 * refuses damaged image data, so the happy path skips this pass over every byte.
 */
export function firstBadCrc(bytes: Uint8Array): string | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 8; at + 12 <= bytes.length;) {
    const end = at + 12 + view.getUint32(at);
    if (end > bytes.length) return null;
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (crc32(bytes.subarray(at + 4, end - 4)) !== view.getUint32(end - 4)) return type;
    if (type === 'IEND') return null;
    at = end;
  }
  return null;
}
