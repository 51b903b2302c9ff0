/**
 * Decodes one HPA channel PNG to an 8-bit grayscale plane, resized (area average) to the stored
 * resolution. Plain 8-bit gray (what HPA ships) goes through the platform's own zlib, picked in
 * pngDecoder.ts (DecompressionStream in the browser, Node's zlib in the CLI, + JS unfiltering);
 * every other PNG (16-bit, RGB, palette, alpha, interlaced) through fast-png, converted, with a
 * note saying so.
 *
 * Measured (2026-12-06, 2-core AMD EPYC shared with other jobs, Chromium 156 headless, 300 ×
 * 512-px samples → 256 px, median ± half range of interleaved rounds), samples/s of the studio's
 * decode pool alone (2 workers; ImageDecoder / DecompressionStream + JS unfiltering / fast-png;
 * PIL's one-process loop in the same run):
 *   bench run, load 6:            65.7 ± 16.1 / 50.1 ± 7.2 / 49.3 ± 7.3; PIL 46.5 ± 17.3
 *   bench run, load 9:            62.8 ± 1.2  / 56.0 ± 5.6 / 42.4 ± 1.2; PIL 60.3 ± 18.5
 *   bench run, load 5–11:         40.0 ± 8.6  / 52.1 ± 8.8 / 27.2 ± 4.8; PIL 33.0 ± 5.2
 *   pool alone, 5 rounds, load 1–2: 111 ± 13  / 95.0 ± 8.3 / 71.5 ± 12
 *   pool alone, 5 rounds, load 2–4: 97.1 ± 21 / 75.8 ± 26  / 60.2 ± 17;  PIL 76–96
 * A whole import (zip read + decode + storage) was not decode-bound then: 16.5 ± 2.5 / 17.1 ± 1.8 /
 * 10.5 ± 2.1 samples/s in the first run above; since the zip is read by ranges (zipRanges.ts) it is,
 * and the default became the platform's zlib (docs/ingest.md). In Node, inflateSync + unfiltering took 1.2–1.3 ms
 * per 512-px channel, Node's DecompressionStream 3–5 ms, fast-png 4–8 ms. Earlier (2026-11-26)
 * createImageBitmap + OffscreenCanvas.getImageData lost to fast-png: the canvas round trip costs
 * more than the decode.
 */
import { decode } from 'fast-png';
import { describePngFormat, hasPngSignature, isPlain8BitGray, readPngHeader } from '../core/pngHeader';
import { resizeArea } from '../core/resize';
import { firstBadCrc, readPngLayout } from '../core/pngChunks';
import { decodeGray8ImageDecoder, decodeGray8Inflate, pickPngDecoder, type PngDecoderWay } from './pngDecoder';

export interface DecodedPlane {
  plane: Uint8Array;
  width: number;
  height: number;
  /** e.g. '16-bit grayscale converted to 8-bit', or null */
  converted: string | null;
  /** the decoder that gave these pixels (pickPngDecoder's, or fast-png where the platform's failed) */
  way: PngDecoderWay;
}

export class PngDecodeError extends Error {}

/** Any PNG to 8-bit gray: 16-bit keeps the high byte; colour takes the brightest channel. */
export function decodeToGray(bytes: Uint8Array): { gray: Uint8Array; width: number; height: number } {
  const img = decode(bytes);
  const { width, height } = img;
  const n = width * height;
  let data = img.data as Uint8Array | Uint16Array;
  let channels = img.channels;
  if (img.palette) {
    const pal = img.palette;
    const rgb = new Uint8Array(n * 3);
    for (let i = 0; i < n; i++) {
      const c = pal[data[i]] ?? [0, 0, 0];
      rgb[i * 3] = c[0];
      rgb[i * 3 + 1] = c[1];
      rgb[i * 3 + 2] = c[2];
    }
    data = rgb;
    channels = 3;
  }
  const shift = img.depth === 16 ? 8 : 0;
  const scale = img.depth < 8 && !img.palette ? 255 / ((1 << img.depth) - 1) : 1;
  const colour = channels >= 3 ? 3 : 1;
  const gray = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let v = 0;
    for (let c = 0; c < colour; c++) v = Math.max(v, data[i * channels + c] >> shift);
    gray[i] = Math.min(255, Math.round(v * scale));
  }
  return { gray, width, height };
}

export async function decodeChannelPng(bytes: Uint8Array, resolution: number, wanted?: PngDecoderWay): Promise<DecodedPlane> {
  const header = readPngHeader(bytes);
  if (!header)
    throw new PngDecodeError(hasPngSignature(bytes) && bytes.length < 33 ? truncatedReason(bytes, 'its header') : 'not a PNG (bad signature or header)');
  const { width, height } = header;
  if (width !== height) throw new PngDecodeError(`image is ${width}×${height}, expected a square image`);
  if (width > 8192) throw new PngDecodeError(`image is ${width}×${height}, larger than any HPA image`);
  const target = Math.min(resolution, width);
  const { gray, way } = await decodeGray(bytes, wanted);
  const converted = isPlain8BitGray(header) ? null : `${describePngFormat(header)} converted to 8-bit grayscale`;
  return { plane: resizeArea(gray, width, height, target, target), width, height, converted, way };
}

/**
 * The PNG's pixels as 8-bit gray by the way pickPngDecoder picks. Where a platform way fails,
 * fast-png tries too (so a file only it reads still imports); where both fail, the reason is the
 * most specific one known: truncation, a failed CRC, then the platform way's sentence.
 */
export async function decodeGray(bytes: Uint8Array, wanted?: PngDecoderWay): Promise<{ gray: Uint8Array; way: PngDecoderWay }> {
  const layout = readPngLayout(bytes);
  const way = pickPngDecoder(layout, wanted);
  let platformError: unknown = null;
  if (layout && way !== 'fast-png') {
    try {
      return { gray: way === 'inflate' ? await decodeGray8Inflate(layout) : await decodeGray8ImageDecoder(bytes, layout), way };
    } catch (e) {
      platformError = e;
    }
  }
  try {
    return { gray: decodeToGray(bytes).gray, way: 'fast-png' };
  } catch (e) {
    const badCrc = pngTruncation(bytes) ? null : firstBadCrc(bytes);
    if (badCrc) throw new PngDecodeError(`corrupt PNG: its ${badCrc} chunk fails its CRC check (the file was damaged)`);
    throw new PngDecodeError(pngFailureReason(bytes, platformError ?? e));
  }
}

const truncatedReason = (bytes: Uint8Array, where: string) =>
  `truncated PNG: the file ends before ${where} is complete (${bytes.length.toLocaleString('en-US')} bytes)`;

/**
 * Where a PNG ends early, in words, found from its chunk layout (length, type, data, CRC from byte
 * 8 on), or null when every chunk up to IEND is whole or a chunk is not a PNG chunk at all (that
 * is corruption, not truncation).
 */
export function pngTruncation(bytes: Uint8Array): string | null {
  if (!hasPngSignature(bytes)) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let sawImageData = false;
  for (let at = 8; ;) {
    if (at + 8 > bytes.length) {
      if (sawImageData && at === bytes.length)
        return `truncated PNG: the file ends without its closing IEND chunk (${bytes.length.toLocaleString('en-US')} bytes)`;
      return truncatedReason(bytes, sawImageData ? 'its image data' : 'any image data');
    }
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (!/^[A-Za-z]{4}$/.test(type)) return null;
    const end = at + 12 + view.getUint32(at);
    if (end > bytes.length) {
      const what = type === 'IHDR' ? 'its header' : type === 'IDAT' || sawImageData ? 'its image data' : 'any image data';
      return `${truncatedReason(bytes, what)}: its ${type} chunk lacks ${(end - bytes.length).toLocaleString('en-US')} bytes`;
    }
    if (type === 'IDAT') sawImageData = true;
    if (type === 'IEND') return null;
    at = end;
  }
}

/**
 * The skip reason of a PNG the decoder refused: truncation when the chunk layout shows it,
 * otherwise the decoder's own message as a sentence (fast-png's inflate error has an empty tail,
 * 'Error while decompressing the data:').
 */
export function pngFailureReason(bytes: Uint8Array, error: unknown): string {
  const truncated = pngTruncation(bytes);
  if (truncated) return truncated;
  const message = (error instanceof Error ? error.message : String(error)).trim().replace(/[\s:]+$/, '');
  if (/decompress/i.test(message)) return 'corrupt PNG: its compressed image data does not decompress';
  return `corrupt PNG: ${message || 'the decoder gave no reason'}`;
}
