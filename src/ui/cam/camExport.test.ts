import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { greyComposite, upscaleNearest } from '../../core/cam/camOverlay';
import { ALL_CHANNELS, compositeRGBY, FULL_WINDOWS, type ChannelFlags } from '../../core/composite';
import { camPng, overlayRgba, type CamMap } from './camExport';

const SIZE = 16;
const pixels = Uint8Array.from({ length: SIZE * SIZE * 4 }, (_, i) => (i * 29) % 200);
/** a 4×4 map, hot in its bottom-right cell only */
const hot = (region: CamMap['region']): CamMap => {
  const map = new Float32Array(16);
  map[15] = 2.5;
  return { width: 4, height: 4, map, region };
};
const at = (rgba: ArrayLike<number>, x: number, y: number) => Array.from({ length: 4 }, (_, c) => rgba[(y * SIZE + x) * 4 + c]);
const view = { visible: ALL_CHANNELS, windows: FULL_WINDOWS, grey: false };

describe('camPng', () => {
  it('decodes at the stored size; at opacity 0 it is the composite as shown', () => {
    const off: ChannelFlags = [true, false, true, true];
    const png = decode(camPng(pixels, SIZE, { visible: off, windows: FULL_WINDOWS, grey: false }, hot({ top: 0, left: 0, size: SIZE }), 0));
    expect([png.width, png.height, png.channels]).toEqual([SIZE, SIZE, 4]);
    expect(Array.from(png.data)).toEqual(Array.from(compositeRGBY(pixels, new Uint8ClampedArray(pixels.length), off)));
  });

  it('at full opacity the hot corner takes the overlay colour and the cold corner stays the composite', () => {
    const cam = hot({ top: 0, left: 0, size: SIZE });
    const png = decode(camPng(pixels, SIZE, view, cam, 1));
    const composite = compositeRGBY(pixels, new Uint8ClampedArray(pixels.length));
    const overlay = overlayRgba(cam, SIZE);
    expect(at(overlay, SIZE - 1, SIZE - 1)[3]).toBe(255);
    expect(at(png.data, SIZE - 1, SIZE - 1)).toEqual([...at(overlay, SIZE - 1, SIZE - 1).slice(0, 3), 255]);
    expect(at(png.data, 0, 0)).toEqual(at(composite, 0, 0));
  });

  it('at the display scale: the composite (colour or grey) by pixel repetition, the map bilinear at that size', () => {
    const cam = hot({ top: 4, left: 4, size: 8 });
    const composite = compositeRGBY(pixels, new Uint8ClampedArray(pixels.length));
    for (const grey of [false, true]) {
      const png = decode(camPng(pixels, SIZE, { ...view, grey }, cam, 0, 3));
      expect([png.width, png.height]).toEqual([SIZE * 3, SIZE * 3]);
      const shown = grey ? greyComposite(composite) : composite;
      expect(Array.from(png.data)).toEqual(Array.from(upscaleNearest(shown, SIZE, 3)));
      if (grey)
        expect(
          at(png.data, 0, 0)
            .slice(0, 3)
            .every((v, _, a) => v === a[0]),
        ).toBe(true);
    }
    // the 8 px region at ×3 is 24 px from (12, 12): its overlay is the map upsampled straight to 24 px, not a repeated 8 px one
    const overlay = overlayRgba(cam, SIZE, 3);
    const a = (x: number, y: number) => overlay[(y * SIZE * 3 + x) * 4 + 3];
    expect(a(12 + 23, 12 + 23)).toBe(255);
    expect(a(12 + 24, 12 + 24)).toBe(0);
    expect(a(11, 11)).toBe(0);
    const alphas = new Set(Array.from({ length: 3 }, (_, k) => a(12 + 15 + k, 12 + 20)));
    expect(alphas.size).toBe(3); // bilinear: neighbours within one stored pixel differ
    const png = decode(camPng(pixels, SIZE, view, cam, 1, 3));
    expect(Array.from(png.data.subarray(((12 + 23) * SIZE * 3 + 12 + 23) * 4, ((12 + 23) * SIZE * 3 + 12 + 24) * 4))).toEqual([
      ...Array.from(overlay.subarray(((12 + 23) * SIZE * 3 + 12 + 23) * 4, ((12 + 23) * SIZE * 3 + 12 + 23) * 4 + 3)),
      255,
    ]);
  });

  it("puts a crop model's map on its centre crop only", () => {
    const overlay = overlayRgba(hot({ top: 4, left: 4, size: 8 }), SIZE);
    expect(overlay.length).toBe(SIZE * SIZE * 4);
    expect(at(overlay, 11, 11)[3]).toBe(255); // the region's bottom-right pixel
    expect(at(overlay, 12, 12)[3]).toBe(0); // outside it
    expect(at(overlay, 15, 15)[3]).toBe(0);
    expect(() => overlayRgba(hot({ top: 10, left: 10, size: 8 }), SIZE)).toThrow(/not inside 16 px/);
  });
});
