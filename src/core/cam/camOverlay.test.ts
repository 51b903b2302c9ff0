import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { blendCam, camColour, camToRgba, greyComposite, normaliseCam, upscaleNearest } from './camOverlay';
import { encodeRgbaPng } from './camPng';

describe('normaliseCam', () => {
  it('scales by the maximum to [0, 1]; an all-zero map stays zero', () => {
    expect(Array.from(normaliseCam(new Float32Array([0, 2, 4, 1])))).toEqual([0, 0.5, 1, 0.25]);
    expect(Array.from(normaliseCam(new Float32Array([0, 0, 0])))).toEqual([0, 0, 0]);
    expect(normaliseCam(new Float32Array(0)).length).toBe(0);
  });
});

describe('camColour (inferno)', () => {
  it('runs from near black through purple and orange to pale yellow, brighter as v rises', () => {
    expect(camColour(0)).toEqual([0, 0, 4]);
    expect(camColour(1)).toEqual([252, 255, 164]);
    const [r, g, b] = camColour(0.25);
    expect(b).toBeGreaterThan(r); // purple-blue at the cold end
    expect(g).toBeLessThan(30);
    const [r2, g2, b2] = camColour(0.75);
    expect(r2).toBeGreaterThan(240); // orange at the warm end
    expect(b2).toBeLessThan(20);
    expect(g2).toBeGreaterThan(100);
    const lum = (c: number[]) => 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
    for (let i = 1; i <= 64; i++) expect(lum(camColour(i / 64))).toBeGreaterThan(lum(camColour((i - 1) / 64)));
  });

  it('clamps outside [0, 1] and treats NaN as 0', () => {
    expect(camColour(-3)).toEqual(camColour(0));
    expect(camColour(7)).toEqual(camColour(1));
    expect(camColour(NaN)).toEqual(camColour(0));
  });
});

describe('camToRgba', () => {
  it('upsamples bilinearly with pixel centres aligned: a hot right column fades to the left; alpha = 255·v', () => {
    // 2 × 1 map [0, 3] → 4 × 4: output column d samples the map at x = (d + 0.5)·2/4 − 0.5 = 0 (clamped), 0.25, 0.75, 1 (clamped)
    const rgba = camToRgba(new Float32Array([0, 3]), 2, 1, 4);
    const alpha = (x: number, y: number) => rgba[(y * 4 + x) * 4 + 3];
    expect([0, 1, 2, 3].map((x) => alpha(x, 0))).toEqual([0, 64, 191, 255]);
    for (let y = 1; y < 4; y++) expect([0, 1, 2, 3].map((x) => alpha(x, y))).toEqual([0, 64, 191, 255]);
    expect(Array.from(rgba.subarray(12, 15))).toEqual(camColour(1));
    expect(Array.from(rgba.subarray(0, 3))).toEqual(camColour(0));
  });

  it('a map the size of the output maps pixel for pixel; an all-zero map is fully transparent', () => {
    const map = new Float32Array([1, 0, 0.5, 0.25]);
    const rgba = camToRgba(map, 2, 2, 2);
    expect([3, 7, 11, 15].map((i) => rgba[i])).toEqual([255, 0, 128, 64]);
    expect(camToRgba(new Float32Array(4), 2, 2, 8).every((v, i) => i % 4 !== 3 || v === 0)).toBe(true);
  });

  it('rejects a map of the wrong length and writes into a given buffer', () => {
    expect(() => camToRgba(new Float32Array(3), 2, 2, 4)).toThrow(/2 × 2 map has 4 values, got 3/);
    const out = new Uint8ClampedArray(4 * 4 * 4);
    expect(camToRgba(new Float32Array([1]), 1, 1, 4, out)).toBe(out);
    expect(out.every((v, i) => (i % 4 === 3 ? v === 255 : true))).toBe(true);
  });
});

describe('blendCam', () => {
  const composite = new Uint8ClampedArray([100, 50, 0, 255, 100, 50, 0, 255]);
  const overlay = new Uint8ClampedArray([200, 250, 100, 255, 200, 250, 100, 0]);

  it('draws the overlay at opacity × its alpha, keeping transparent parts of the overlay as the composite', () => {
    expect(Array.from(blendCam(composite, overlay, 0.5))).toEqual([150, 150, 50, 255, 100, 50, 0, 255]);
    expect(Array.from(blendCam(composite, overlay, 0))).toEqual(Array.from(composite));
    expect(Array.from(blendCam(composite, overlay, 1)).slice(0, 4)).toEqual([200, 250, 100, 255]);
  });

  it('rejects an opacity outside [0, 1] and mismatched sizes', () => {
    expect(() => blendCam(composite, overlay, 1.5)).toThrow(/opacity/);
    expect(() => blendCam(composite, overlay.subarray(0, 4), 0.5)).toThrow(/overlay 4/);
  });
});

describe('encodeRgbaPng', () => {
  it('writes a PNG that decodes to the same RGBA pixels', () => {
    const composite = new Uint8ClampedArray(4 * 4 * 4).map((_, i) => (i % 4 === 3 ? 255 : (i * 37) % 256));
    const rgba = blendCam(composite, camToRgba(new Float32Array([0, 1, 2, 3]), 2, 2, 4), 0.7);
    const png = decode(encodeRgbaPng(rgba, 4, 4));
    expect([png.width, png.height, png.channels, png.depth]).toEqual([4, 4, 4, 8]);
    expect(Array.from(png.data)).toEqual(Array.from(rgba));
  });

  it('rejects a buffer that does not match the size', () => {
    expect(() => encodeRgbaPng(new Uint8Array(10), 2, 2)).toThrow(/2 × 2 RGBA image has 16 bytes, got 10/);
  });
});

describe('greyComposite and upscaleNearest', () => {
  it('makes each pixel its Rec. 709 luminance, alpha kept', () => {
    const rgba = Uint8ClampedArray.from([255, 0, 0, 255, 0, 255, 0, 128, 0, 0, 255, 255, 200, 200, 0, 255]);
    expect(Array.from(greyComposite(rgba))).toEqual([54, 54, 54, 255, 182, 182, 182, 128, 18, 18, 18, 255, 186, 186, 186, 255]);
  });
  it('repeats each pixel scale × scale times', () => {
    const rgba = Uint8ClampedArray.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
    const up = upscaleNearest(rgba, 2, 2);
    const px = (x: number, y: number) => Array.from(up.subarray((y * 4 + x) * 4, (y * 4 + x) * 4 + 4));
    expect([px(0, 0), px(1, 1), px(2, 0), px(3, 1), px(0, 2), px(3, 3)]).toEqual([
      [1, 2, 3, 4],
      [1, 2, 3, 4],
      [5, 6, 7, 8],
      [5, 6, 7, 8],
      [9, 10, 11, 12],
      [13, 14, 15, 16],
    ]);
    expect(() => upscaleNearest(rgba, 2, 1.5)).toThrow(/positive integer/);
  });
});
