/**
 * Decodes one HPA channel PNG to an 8-bit grayscale plane, resized (area average) to the
 * stored resolution. Plain 8-bit grayscale PNGs go through the browser's native decoder
 * (createImageBitmap + OffscreenCanvas) where present; other formats (16-bit, RGB, palette,
 * alpha) through fast-png and are converted, with a note saying so.
 */
import { decode } from 'fast-png';
import { describePngFormat, isPlain8BitGray, readPngHeader } from '../core/pngHeader';
import { resizeArea } from '../core/resize';

export interface DecodedPlane {
  plane: Uint8Array;
  width: number;
  height: number;
  /** e.g. '16-bit grayscale converted to 8-bit', or null */
  converted: string | null;
}

export class PngDecodeError extends Error {}

const nativeAvailable = () => typeof createImageBitmap === 'function' && typeof OffscreenCanvas === 'function';
let canvas: OffscreenCanvas | null = null;
let ctx: OffscreenCanvasRenderingContext2D | null = null;

async function decodeNative(bytes: Uint8Array, width: number, height: number): Promise<Uint8Array> {
  const bitmap = await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'image/png' }), {
    colorSpaceConversion: 'none',
    premultiplyAlpha: 'none',
  });
  if (!canvas || canvas.width !== width || canvas.height !== height) {
    canvas = new OffscreenCanvas(width, height);
    ctx = canvas.getContext('2d', { willReadFrequently: true });
  }
  ctx!.drawImage(bitmap, 0, 0);
  bitmap.close();
  const rgba = ctx!.getImageData(0, 0, width, height, { colorSpace: 'srgb' }).data;
  const out = new Uint8Array(width * height);
  for (let i = 0, j = 0; i < out.length; i++, j += 4) out[i] = rgba[j];
  return out;
}

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

export async function decodeChannelPng(bytes: Uint8Array, resolution: number): Promise<DecodedPlane> {
  const header = readPngHeader(bytes);
  if (!header) throw new PngDecodeError('not a PNG (bad signature or header)');
  const { width, height } = header;
  if (width !== height) throw new PngDecodeError(`image is ${width}×${height}, expected a square image`);
  if (width > 8192) throw new PngDecodeError(`image is ${width}×${height}, larger than any HPA image`);
  const target = Math.min(resolution, width);
  let gray: Uint8Array;
  let converted: string | null = null;
  try {
    if (isPlain8BitGray(header) && nativeAvailable()) {
      gray = await decodeNative(bytes, width, height);
    } else {
      gray = decodeToGray(bytes).gray;
      if (!isPlain8BitGray(header)) converted = `${describePngFormat(header)} converted to 8-bit grayscale`;
    }
  } catch (e) {
    throw new PngDecodeError(`corrupt or truncated PNG (${e instanceof Error ? e.message : String(e)})`);
  }
  return { plane: resizeArea(gray, width, height, target, target), width, height, converted };
}
