import { describe, expect, it } from 'vitest';
import { autoWindow, compositeRGBY, downscaleRGBY } from './composite';

const px = (...rgby: number[]) => new Uint8Array(rgby);
const comp = (rgby: Uint8Array, ...rest: Parameters<typeof compositeRGBY> extends [unknown, unknown, ...infer R] ? R : never) =>
  Array.from(compositeRGBY(rgby, new Uint8ClampedArray(rgby.length), ...rest));

describe('RGBY composite', () => {
  it('maps red → R, green → G, blue → B and adds yellow to R and G, clamped at 255', () => {
    expect(comp(px(10, 20, 30, 0))).toEqual([10, 20, 30, 255]);
    expect(comp(px(10, 20, 30, 100))).toEqual([110, 120, 30, 255]);
    expect(comp(px(200, 100, 30, 100))).toEqual([255, 200, 30, 255]);
  });

  it('hides toggled-off channels (green off leaves only yellow in G)', () => {
    expect(comp(px(10, 20, 30, 5), [true, false, true, true])).toEqual([15, 5, 30, 255]);
    expect(comp(px(10, 20, 30, 5), [false, true, true, false])).toEqual([0, 20, 30, 255]);
    expect(comp(px(10, 20, 30, 5), [false, false, false, false])).toEqual([0, 0, 0, 255]);
  });

  it('stretches each channel through its own window: low → 0, high → 255, linear between, clamped', () => {
    const full: [number, number] = [0, 255];
    const w = [[50, 150], full, full, full] as const;
    expect(comp(px(50, 0, 0, 0), undefined, w)[0]).toBe(0);
    expect(comp(px(100, 0, 0, 0), undefined, w)[0]).toBe(128); // (100 − 50)·255/100 = 127.5 → 128
    expect(comp(px(150, 0, 0, 0), undefined, w)[0]).toBe(255);
    expect(comp(px(20, 0, 0, 0), undefined, w)[0]).toBe(0);
    expect(comp(px(250, 7, 0, 0), undefined, w).slice(0, 2)).toEqual([255, 7]);
  });

  it('refuses mismatched buffers', () => {
    expect(() => compositeRGBY(px(1, 2, 3, 4), new Uint8ClampedArray(8))).toThrow(/output has 8 bytes, input 4/);
  });
});

describe('downscale', () => {
  it('averages each source block per channel (4×4 → 2×2)', () => {
    const size = 4;
    const src = new Uint8Array(size * size * 4);
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) for (let c = 0; c < 4; c++) src[(y * size + x) * 4 + c] = (y * size + x) * (c + 1);
    const out = downscaleRGBY(src, 4, 2);
    // top-left block holds pixel values 0, 1, 4, 5 (mean 2.5) scaled by (c + 1)
    expect(Array.from(out.slice(0, 4))).toEqual([3, 5, 8, 10]); // 2.5, 5, 7.5, 10 rounded
    // bottom-right block: 10, 11, 14, 15 → mean 12.5
    expect(Array.from(out.slice(12, 16))).toEqual([13, 25, 38, 50]);
  });

  it('handles a non-integer ratio (5 → 2) and leaves small images alone', () => {
    const src = new Uint8Array(5 * 5 * 4).fill(77);
    expect(Array.from(downscaleRGBY(src, 5, 2))).toEqual(new Array(16).fill(77));
    expect(downscaleRGBY(src, 5, 8)).toBe(src);
  });
});

describe('auto contrast', () => {
  it('picks the 0.5 % and 99.5 % percentiles of a channel', () => {
    const n = 1000;
    const src = new Uint8Array(n * 4);
    for (let i = 0; i < n; i++) src[i * 4 + 1] = Math.floor((i * 200) / n) + 20; // green 20..219
    const [lo, hi] = autoWindow(src, 1);
    expect(lo).toBe(20);
    expect(hi).toBe(218); // the 995th of 1,000 values (each of 20..219 occurs 5 times)
    expect(autoWindow(src, 0)).toEqual([0, 1]); // an all-black channel still gets a valid window
  });
});
