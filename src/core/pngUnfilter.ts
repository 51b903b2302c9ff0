/**
 * PNG row unfiltering (filter types 0–4: None, Sub, Up, Average, Paeth) of a non-interlaced image
 * whose pixels are whole bytes, in place of a decoder's: the inflated stream in, the pixels out.
 */

/**
 * `raw` is the inflated image data: `height` rows of one filter-type byte and `width × bpp` bytes.
 * Throws with a sentence when its size or a filter type is not what the header promises.
 */
export function unfilterRows(raw: Uint8Array, width: number, height: number, bpp: number): Uint8Array {
  const stride = width * bpp;
  if (raw.length < (stride + 1) * height)
    throw new Error(
      `its image data holds ${raw.length.toLocaleString('en-US')} bytes, fewer than the ${((stride + 1) * height).toLocaleString('en-US')} its header needs`,
    );
  const out = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    const up = row - stride;
    switch (filter) {
      case 0:
        out.set(raw.subarray(src, src + stride), row);
        break;
      case 1:
        for (let x = 0; x < bpp; x++) out[row + x] = raw[src + x];
        for (let x = bpp; x < stride; x++) out[row + x] = (raw[src + x] + out[row + x - bpp]) & 255;
        break;
      case 2:
        if (y === 0) out.set(raw.subarray(src, src + stride), row);
        else for (let x = 0; x < stride; x++) out[row + x] = (raw[src + x] + out[up + x]) & 255;
        break;
      case 3:
        for (let x = 0; x < stride; x++) {
          const a = x >= bpp ? out[row + x - bpp] : 0;
          const b = y > 0 ? out[up + x] : 0;
          out[row + x] = (raw[src + x] + ((a + b) >> 1)) & 255;
        }
        break;
      case 4:
        for (let x = 0; x < stride; x++) {
          const a = x >= bpp ? out[row + x - bpp] : 0;
          const b = y > 0 ? out[up + x] : 0;
          const c = x >= bpp && y > 0 ? out[up + x - bpp] : 0;
          const p = a + b - c;
          const pa = Math.abs(p - a),
            pb = Math.abs(p - b),
            pc = Math.abs(p - c);
          out[row + x] = (raw[src + x] + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c)) & 255;
        }
        break;
      default:
        throw new Error(`row ${y + 1} has filter type ${filter}, which PNG does not define`);
    }
  }
  return out;
}
