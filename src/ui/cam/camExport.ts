/**
 * The viewer's "Download CAM (PNG)": what the viewer shows, at its display scale. The composite
 * as shown (channel toggles, contrast windows, colour or grey under the map) enlarged by pixel
 * repetition, with the heat overlay upsampled bilinearly to that size and blended in at the
 * slider's opacity.
 */
import { blendCam, camToRgba, greyComposite, upscaleNearest } from '../../core/cam/camOverlay';
import { encodeRgbaPng } from '../../core/cam/camPng';
import type { CamRegion } from '../../worker/protocol';
import { compositeRGBY, type ChannelFlags, type ContrastWindow } from '../../core/composite';

export interface CamMap {
  width: number;
  height: number;
  map: Float32Array;
  region: CamRegion;
}

/** The overlay's RGBA over the whole image shown at `scale` ((size·scale)² × 4): the map coloured over its region, see-through elsewhere. */
export function overlayRgba(cam: CamMap, size: number, scale = 1): Uint8ClampedArray {
  const { top, left, size: side } = cam.region;
  if (top < 0 || left < 0 || top + side > size || left + side > size)
    throw new RangeError(`the map's region ${side} px at (${left}, ${top}) is not inside ${size} px`);
  const part = camToRgba(cam.map, cam.width, cam.height, side * scale);
  if (side === size) return part;
  const full = size * scale;
  const s = side * scale;
  const out = new Uint8ClampedArray(full * full * 4);
  for (let y = 0; y < s; y++) out.set(part.subarray(y * s * 4, (y + 1) * s * 4), ((top * scale + y) * full + left * scale) * 4);
  return out;
}

export interface CamView {
  visible: ChannelFlags;
  windows: readonly ContrastWindow[];
  /** the composite as its luminance under the map */
  grey: boolean;
}

/** The PNG bytes of the composite (size² stored pixels) shown `scale` times enlarged, blended with the overlay at `opacity` (0–1). */
export function camPng(pixels: Uint8Array, size: number, view: CamView, cam: CamMap, opacity: number, scale = 1): Uint8Array {
  const composite = compositeRGBY(pixels, new Uint8ClampedArray(pixels.length), view.visible, view.windows);
  if (view.grey) greyComposite(composite, composite);
  const side = size * scale;
  return encodeRgbaPng(blendCam(upscaleNearest(composite, size, scale), overlayRgba(cam, size, scale), opacity), side, side);
}
