import { encode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { decodeChannelPng, pngFailureReason, pngTruncation } from './decodePng';

/** A 16 × 16 8-bit grayscale PNG of noise (so its compressed data is a few hundred bytes). */
function noisePng(size = 16): Uint8Array {
  const data = new Uint8Array(size * size);
  let s = 12345;
  for (let i = 0; i < data.length; i++) data[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
  return encode({ width: size, height: size, data, channels: 1, depth: 8 });
}

const reasonOf = async (bytes: Uint8Array) =>
  decodeChannelPng(bytes, 16).then(
    () => 'decoded',
    (e: Error) => e.message,
  );

describe('skip reasons of broken PNGs', () => {
  const full = noisePng();

  it('a PNG cut inside its image data reads as a sentence that says so, with its size', async () => {
    const cut = full.slice(0, 60);
    const reason = await reasonOf(cut);
    expect(reason).toMatch(/^truncated PNG: the file ends before its image data is complete \(60 bytes\): its IDAT chunk lacks [\d,]+ bytes$/);
    // not the decoder's own words ('Error while decompressing the data:'), and no empty tail
    expect(reason).not.toMatch(/data:\)|decompressing|DataView/);
  });

  it('names each place a PNG can end: in the header, between chunks, before IEND', async () => {
    expect(await reasonOf(full.slice(0, 20))).toBe('truncated PNG: the file ends before its header is complete (20 bytes)');
    expect(await reasonOf(full.slice(0, 33))).toBe('truncated PNG: the file ends before any image data is complete (33 bytes)');
    expect(await reasonOf(full.slice(0, full.length - 12))).toBe(`truncated PNG: the file ends without its closing IEND chunk (${full.length - 12} bytes)`);
    expect(pngTruncation(full)).toBeNull();
  });

  it('a corrupt but whole PNG gets the decoder reason as a sentence', async () => {
    const bad = full.slice();
    // scramble the compressed data inside the IDAT chunk, keep the layout
    const idat = Buffer.from(bad).indexOf('IDAT');
    for (let i = idat + 4; i < idat + 40; i++) bad[i] = 0xff;
    const reason = await reasonOf(bad);
    expect(reason).toMatch(/^corrupt PNG: /);
    expect(reason).not.toMatch(/[:(]\)?$/);
    expect(pngFailureReason(bad, new Error('Error while decompressing the data:'))).toBe('corrupt PNG: its compressed image data does not decompress');
    expect(pngFailureReason(bad, new Error(''))).toBe('corrupt PNG: the decoder gave no reason');
  });

  it('a file that is no PNG at all says so', async () => {
    expect(await reasonOf(new TextEncoder().encode('this is not an image, just some text of a certain length'))).toBe('not a PNG (bad signature or header)');
  });
});
