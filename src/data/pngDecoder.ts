/**
 * Which decoder turns a channel PNG into 8-bit gray, and the two that use the platform's own code:
 * the platform's zlib (DecompressionStream('deflate') on the joined IDAT data, then JS
 * unfiltering) and WebCodecs' ImageDecoder. Both take only what HPA ships, 8-bit grayscale
 * without interlacing; every other PNG goes to fast-png (decodePng.ts), which converts it.
 */
import type { PngLayout } from '../core/pngChunks';
import { isPlain8BitGray } from '../core/pngHeader';
import { unfilterRows } from '../core/pngUnfilter';

type NodeZlib = { inflateSync(data: Uint8Array): Uint8Array };
/**
 * Node's zlib where this runs in Node (the CLI): its inflateSync took 1.2–1.3 ms for a 512-px HPA
 * channel against 3–5 ms through Node's DecompressionStream (2026-12-06, 2-core AMD EPYC). Reached by
 * process.getBuiltinModule so the browser build never sees a node: import.
 */
const nodeZlib = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.('node:zlib') as NodeZlib | undefined;

export const PNG_DECODER_WAYS = ['inflate', 'fast-png', 'image-decoder'] as const;
export type PngDecoderWay = (typeof PNG_DECODER_WAYS)[number];

export const isPngDecoderWay = (v: unknown): v is PngDecoderWay => PNG_DECODER_WAYS.includes(v as PngDecoderWay);

/**
 * The way chosen by the ingest bench's numbers (docs/ingest.md): the platform's zlib + JS
 * unfiltering. Once the zip reading kept the pool fed, it beat ImageDecoder in the pool alone in
 * both bench runs (49.4 against 43.8 samples/s, then 25.0 against 11.7) and the whole import was
 * level within the noise of a loaded machine (12.9 / 11.4, then 11.8 / 12.6); it runs on the pool's
 * own threads where ImageDecoder's decode competes from Chromium's, and every browser with
 * DecompressionStream has it.
 */
export const DEFAULT_PNG_DECODER: PngDecoderWay = 'inflate';

const hasInflate = () => !!nodeZlib || typeof DecompressionStream !== 'undefined';

/**
 * The one place that picks a decoder: `wanted` (a bench or test forcing one way) or the default.
 * Anything but plain 8-bit gray goes to fast-png; a way this platform lacks falls back:
 * ImageDecoder to the platform's zlib, that to fast-png.
 */
export function pickPngDecoder(layout: PngLayout | null, wanted: PngDecoderWay = DEFAULT_PNG_DECODER): PngDecoderWay {
  if (!layout || !isPlain8BitGray(layout) || layout.interlace !== 0) return 'fast-png';
  if (wanted === 'image-decoder' && typeof ImageDecoder === 'undefined') wanted = 'inflate';
  if (wanted === 'inflate' && !hasInflate()) return 'fast-png';
  return wanted;
}

/** Inflates one zlib stream with the platform's own zlib: Node's, or the browser's DecompressionStream. */
export async function inflateZlib(data: Uint8Array): Promise<Uint8Array> {
  if (nodeZlib) return nodeZlib.inflateSync(data);
  const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('deflate'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** 8-bit gray, not interlaced: inflate, then unfilter. */
export async function decodeGray8Inflate(layout: PngLayout): Promise<Uint8Array> {
  // the platforms word a bad stream differently; pngFailureReason turns this one into a sentence
  const raw = await inflateZlib(layout.idat).catch(() => {
    throw new Error('Error while decompressing the data');
  });
  return unfilterRows(raw, layout.width, layout.height, 1);
}

/**
 * 8-bit gray through WebCodecs: the frame comes as RGBA (or BGRA/RGBX), gray in each colour byte;
 * colour management off, so the values are the file's.
 */
export async function decodeGray8ImageDecoder(bytes: Uint8Array, layout: PngLayout): Promise<Uint8Array> {
  const decoder = new ImageDecoder({ data: bytes, type: 'image/png', colorSpaceConversion: 'none', preferAnimation: false });
  try {
    const { image } = await decoder.decode();
    try {
      const n = layout.width * layout.height;
      if (image.codedWidth !== layout.width || image.codedHeight !== layout.height)
        throw new Error(`ImageDecoder gave ${image.codedWidth}×${image.codedHeight} for a ${layout.width}×${layout.height} header`);
      const format = image.format ?? '';
      if (format.startsWith('I4') || format.startsWith('NV')) {
        throw new Error(`ImageDecoder gave a ${format} frame, not RGB`);
      }
      const rgba = new Uint8Array(n * 4);
      await image.copyTo(rgba);
      const gray = new Uint8Array(n);
      // gray sits in R, G and B alike; byte 1 is G in RGBA and BGRA (read as one little-endian
      // word per pixel, as every platform that runs this is: ~25 % faster than byte reads)
      const words = new Uint32Array(rgba.buffer);
      for (let i = 0; i < n; i++) gray[i] = words[i] >>> 8;
      return gray;
    } finally {
      image.close();
    }
  } finally {
    decoder.close();
  }
}
