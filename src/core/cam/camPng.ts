/** A CAM export (composite + overlay, RGBA) as PNG bytes, for the CLI and the page's download alike. */
import { encode } from 'fast-png';

/** 8-bit RGBA PNG of a w × h image (rgba: w·h·4 bytes, row-major). */
export function encodeRgbaPng(rgba: Uint8Array | Uint8ClampedArray, w: number, h: number): Uint8Array {
  if (!(Number.isInteger(w) && Number.isInteger(h) && w > 0 && h > 0)) throw new Error(`encodeRgbaPng: size must be positive integers, got ${w} × ${h}`);
  if (rgba.length !== w * h * 4) throw new Error(`encodeRgbaPng: a ${w} × ${h} RGBA image has ${w * h * 4} bytes, got ${rgba.length}`);
  return encode({ width: w, height: h, data: rgba, channels: 4, depth: 8 });
}
