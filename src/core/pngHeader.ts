/** Reads a PNG's IHDR without decoding it: size, bit depth and colour type. */

export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  /** 0 gray, 2 RGB, 3 palette, 4 gray+alpha, 6 RGBA */
  colorType: number;
}

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

/** Whether the bytes start with the 8-byte PNG signature. */
export const hasPngSignature = (bytes: Uint8Array) => bytes.length >= 8 && SIGNATURE.every((b, i) => bytes[i] === b);

/** Returns null when the bytes do not start like a PNG. */
export function readPngHeader(bytes: Uint8Array): PngHeader | null {
  if (bytes.length < 33 || !hasPngSignature(bytes)) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (String.fromCharCode(bytes[12], bytes[13], bytes[14], bytes[15]) !== 'IHDR') return null;
  return { width: view.getUint32(16), height: view.getUint32(20), bitDepth: bytes[24], colorType: bytes[25] };
}

export const isPlain8BitGray = (h: PngHeader) => h.bitDepth === 8 && h.colorType === 0;

export function describePngFormat(h: PngHeader): string {
  const type =
    ({ 0: 'grayscale', 2: 'RGB', 3: 'palette', 4: 'grayscale+alpha', 6: 'RGBA' } as Record<number, string>)[h.colorType] ?? `colour type ${h.colorType}`;
  return `${h.bitDepth}-bit ${type}`;
}
