import { encode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { classifyPath } from './layout';
import { readPngHeader } from './pngHeader';
import { interleave, resizeArea } from './resize';

describe('Kaggle layout', () => {
  it('recognises CSVs and channel PNGs in every layout of §1', () => {
    expect(classifyPath('train.csv')).toMatchObject({ kind: 'csv', role: 'train' });
    expect(classifyPath('hpa/Sample_Submission.csv')).toMatchObject({ kind: 'csv', role: 'sample_submission' });
    expect(classifyPath('top/train/00070df0-bbc3_green.PNG')).toEqual({
      kind: 'png',
      id: '00070df0-bbc3',
      channel: 'green',
      split: 'train',
      path: 'top/train/00070df0-bbc3_green.PNG',
    });
    expect(classifyPath('test/abc_yellow.png')).toMatchObject({ kind: 'png', split: 'test', channel: 'yellow' });
    expect(classifyPath('abc_blue.png')).toMatchObject({ kind: 'png', split: null });
    expect(classifyPath('__MACOSX/train/._abc_blue.png').kind).toBe('other');
    expect(classifyPath('train/abc_purple.png').kind).toBe('other');
  });
});

describe('PNG header', () => {
  it('reads size, depth and colour type; rejects non-PNG bytes', () => {
    const png = encode({ width: 7, height: 5, data: new Uint8Array(35), channels: 1, depth: 8 });
    expect(readPngHeader(png)).toEqual({ width: 7, height: 5, bitDepth: 8, colorType: 0 });
    const png16 = encode({ width: 3, height: 3, data: new Uint16Array(27), channels: 3, depth: 16 });
    expect(readPngHeader(png16)).toEqual({ width: 3, height: 3, bitDepth: 16, colorType: 2 });
    expect(readPngHeader(new TextEncoder().encode('definitely not a png file at all, no'))).toBeNull();
  });
});

describe('resize', () => {
  it('box-averages for integer factors (512 → 256 style)', () => {
    const src = new Uint8Array([0, 2, 10, 20, 4, 6, 30, 40, 1, 1, 1, 1, 1, 1, 255, 255]);
    expect([...resizeArea(src, 4, 4, 2, 2)]).toEqual([3, 25, 1, 128]);
  });
  it('area-averages for other factors and keeps a constant image constant', () => {
    const src = new Uint8Array(10 * 10).fill(77);
    const out = resizeArea(src, 10, 10, 3, 3);
    expect([...out]).toEqual(new Array(9).fill(77));
    const ramp = Uint8Array.from({ length: 9 }, (_, i) => (i % 3) * 90);
    expect([...resizeArea(ramp, 3, 3, 2, 2)]).toEqual([30, 150, 30, 150]);
  });
  it("integer factors give each block's rounded mean (factors 2, 3, 4 and unequal ones)", () => {
    for (const [sw, sh, dw, dh] of [
      [8, 8, 4, 4],
      [12, 12, 4, 4],
      [16, 16, 4, 4],
      [12, 8, 4, 4],
    ]) {
      const src = Uint8Array.from({ length: sw * sh }, (_, i) => (i * 97 + ((i * i) % 31)) & 255);
      const [fx, fy] = [sw / dw, sh / dh];
      const want = Array.from({ length: dw * dh }, (_, k) => {
        const [x, y] = [k % dw, Math.floor(k / dw)];
        let sum = 0;
        for (let j = 0; j < fy; j++) for (let i = 0; i < fx; i++) sum += src[(y * fy + j) * sw + x * fx + i];
        return Math.floor((sum + ((fx * fy) >> 1)) / (fx * fy));
      });
      expect([...resizeArea(src, sw, sh, dw, dh)], `${sw}×${sh} → ${dw}×${dh}`).toEqual(want);
    }
  });
  it('refuses to upscale', () => {
    expect(() => resizeArea(new Uint8Array(4), 2, 2, 4, 4)).toThrow(/only downscales/);
  });
  it('interleaves four planes as R,G,B,Y', () => {
    const p = [0, 1, 2, 3].map((c) => Uint8Array.from([c * 10, c * 10 + 1]));
    expect([...interleave(p, 2)]).toEqual([0, 10, 20, 30, 1, 11, 21, 31]);
  });
});
