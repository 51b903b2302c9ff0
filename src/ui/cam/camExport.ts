/**
 * The viewer's "Download CAM (PNG)": the composite as shown (channel toggles, contrast windows)
 * with the heat overlay blended in at the slider's opacity, at the stored resolution.
 */
import { blendCam, camToRgba } from '../../core/cam/camOverlay';
import { encodeRgbaPng } from '../../core/cam/camPng';
import type { CamRegion } from '../../worker/protocol';
import { compositeRGBY, type ChannelFlags, type ContrastWindow } from '../../core/composite';

export interface CamMap {
  width: number;
  height: number;
  map: Float32Array;
  region: CamRegion;
}

/** The overlay's RGBA over the whole stored image (size² × 4): the map coloured over its region, see-through elsewhere. */
export function overlayRgba(cam: CamMap, size: number): Uint8ClampedArray {
  const { top, left, size: side } = cam.region;
  if (top < 0 || left < 0 || top + side > size || left + side > size)
    throw new RangeError(`the map's region ${side} px at (${left}, ${top}) is not inside ${size} px`);
  const part = camToRgba(cam.map, cam.width, cam.height, side);
  if (side === size) return part;
  const out = new Uint8ClampedArray(size * size * 4);
  for (let y = 0; y < side; y++) out.set(part.subarray(y * side * 4, (y + 1) * side * 4), ((top + y) * size + left) * 4);
  return out;
}

/** The PNG bytes of the composite blended with the overlay at `opacity` (0–1). */
export function camPng(
  pixels: Uint8Array,
  size: number,
  view: { visible: ChannelFlags; windows: readonly ContrastWindow[] },
  cam: CamMap,
  opacity: number,
): Uint8Array {
  const composite = compositeRGBY(pixels, new Uint8ClampedArray(pixels.length), view.visible, view.windows);
  return encodeRgbaPng(blendCam(composite, overlayRgba(cam, size), opacity), size, size);
}
