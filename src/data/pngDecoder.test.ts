import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32, readPngLayout } from '../core/pngChunks';
import { decodeChannelPng, decodeGray } from './decodePng';
import { pickPngDecoder, type PngDecoderWay } from './pngDecoder';

const dir = new URL('../../fixtures/png/', import.meta.url);
/** PIL's pixels of each fixture, as the studio's 8-bit gray (fixtures/png/make_png_fixtures.py) */
const pil = JSON.parse(readFileSync(new URL('pil-decoded.json', dir), 'utf8')) as Record<string, { mode: string; width: number; gray: number[] }>;
const fixture = (name: string) => new Uint8Array(readFileSync(new URL(name, dir)));

/** A PNG from raw (already filtered) rows, every CRC right. */
function png(width: number, height: number, raw: Uint8Array, compress: (raw: Uint8Array) => Uint8Array = deflateSync): Uint8Array {
  const chunk = (type: string, data: Uint8Array) => {
    const body = new Uint8Array([...new TextEncoder().encode(type), ...data]);
    const out = new Uint8Array(12 + data.length);
    const v = new DataView(out.buffer);
    v.setUint32(0, data.length);
    out.set(body, 4);
    v.setUint32(8 + data.length, crc32(body));
    return out;
  };
  const ihdr = new Uint8Array(13);
  new DataView(ihdr.buffer).setUint32(0, width);
  new DataView(ihdr.buffer).setUint32(4, height);
  ihdr.set([8, 0, 0, 0, 0], 8);
  const parts = [new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', compress(raw)), chunk('IEND', new Uint8Array())];
  return new Uint8Array(parts.flatMap((p) => [...p]));
}

describe('decoded pixels are bit-identical to PIL', () => {
  for (const name of Object.keys(pil)) {
    const gray8 = pil[name].mode === 'L' && !name.includes('interlaced');
    it(`${name} (${pil[name].mode}): ${gray8 ? 'the platform zlib and fast-png' : 'fast-png, whichever way is asked'}`, async () => {
      const bytes = fixture(name);
      // the platform's zlib takes plain 8-bit gray only; everything else stays with fast-png
      expect(pickPngDecoder(readPngLayout(bytes), 'inflate')).toBe(gray8 ? 'inflate' : 'fast-png');
      for (const way of ['inflate', 'fast-png'] satisfies PngDecoderWay[]) {
        const d = await decodeGray(bytes, way);
        expect(d.way).toBe(gray8 ? way : 'fast-png');
        expect([...d.gray]).toEqual(pil[name].gray);
      }
    });
  }

  it('in Node (no ImageDecoder) the default reads HPA channels (8-bit gray) with the platform zlib and says no conversion', async () => {
    const bytes = fixture('gray8-filter-paeth.png');
    expect(pickPngDecoder(readPngLayout(bytes))).toBe('inflate');
    expect(pickPngDecoder(readPngLayout(bytes), 'image-decoder')).toBe('inflate');
    const d = await decodeChannelPng(bytes, 32);
    expect([...d.plane]).toEqual(pil['gray8-filter-paeth.png'].gray);
    expect(d.converted).toBeNull();
    expect(d.way).toBe('inflate');
    expect((await decodeChannelPng(fixture('gray16.png'), 32)).converted).toBe('16-bit grayscale converted to 8-bit grayscale');
    expect((await decodeChannelPng(fixture('palette8.png'), 32)).converted).toBe('8-bit palette converted to 8-bit grayscale');
  });
});

describe('skip reasons through the platform zlib way', () => {
  const reasonOf = (bytes: Uint8Array) =>
    decodeChannelPng(bytes, 16, 'inflate').then(
      () => 'decoded',
      (e: Error) => e.message,
    );
  const whole = fixture('gray8-filter-mixed.png');

  it('a truncated file', async () => {
    expect(await reasonOf(whole.slice(0, 60))).toMatch(
      /^truncated PNG: the file ends before its image data is complete \(60 bytes\): its IDAT chunk lacks [\d,]+ bytes$/,
    );
  });

  it('damaged image data names the chunk whose CRC fails', async () => {
    const bad = whole.slice();
    const idat = Buffer.from(bad).indexOf('IDAT');
    for (let i = idat + 8; i < idat + 30; i++) bad[i] ^= 0x5a;
    expect(await reasonOf(bad)).toBe('corrupt PNG: its IDAT chunk fails its CRC check (the file was damaged)');
  });

  it('image data shorter than the header promises, or an unknown filter type, is corrupt, never silently decoded', async () => {
    const rows = (n: number, filter: number) => new Uint8Array(n * 17).map((_, i) => (i % 17 === 0 ? filter : i & 255));
    expect(await reasonOf(png(16, 16, rows(16, 1)))).toBe('decoded');

    expect(await reasonOf(png(16, 16, rows(8, 1)))).toBe('corrupt PNG: its image data holds 136 bytes, fewer than the 272 its header needs');
    expect(await reasonOf(png(16, 16, rows(16, 7)))).toBe('corrupt PNG: row 1 has filter type 7, which PNG does not define');
    // a stream that is no zlib at all
    const garbage = png(16, 16, rows(16, 0));
    const at = Buffer.from(garbage).indexOf('IDAT') + 4;
    garbage.fill(0xff, at, at + 40);
    expect(await reasonOf(garbage)).toBe('corrupt PNG: its IDAT chunk fails its CRC check (the file was damaged)');
    // the same with its CRC made right: the stream itself is refused
    const junk = () => new Uint8Array([0x78, 0x9c, ...new Uint8Array(40).fill(0xff)]);
    expect(await reasonOf(png(16, 16, rows(16, 0), junk))).toBe('corrupt PNG: its compressed image data does not decompress');
  });
});
