/**
 * How much of a class activation map lies on a class's pattern: the map upsampled to the image
 * (upsampleCam, as the overlay draws it), then its mean over the pattern's pixels (a mask, e.g. the
 * synthetic generator's ClassMask) against its mean over every other pixel. ratio > 1: the map puts
 * more mass per pixel on the pattern than off it; 1: no preference. Scale-free: the map need not be
 * normalised.
 */
import { upsampleCam } from './camOverlay';

export interface CamMass {
  /** mean map value on the mask's pixels */
  onMask: number;
  /** mean map value on the other pixels */
  offMask: number;
  /** onMask / offMask (Infinity when only the mask has mass; NaN when the map is all zero) */
  ratio: number;
  /** the share of the pixels compared (the image, or the mask and 'within') that the mask covers */
  maskShare: number;
}

/**
 * The mass of a w × h map on a size × size mask (non-zero = on) against the rest of the image, or,
 * with `within`, against the rest of `within`'s pixels only (e.g. the cells: the background is
 * easy to avoid); pixels outside `within` count as neither.
 */
export function camMassRatio(map: Float32Array, w: number, h: number, mask: Uint8Array, size: number, within?: Uint8Array): CamMass {
  if (mask.length !== size * size) throw new Error(`camMassRatio: a ${size} × ${size} image needs a mask of ${size * size} pixels, got ${mask.length}`);
  if (within && within.length !== size * size) throw new Error(`camMassRatio: 'within' has ${within.length} pixels, the image ${size * size}`);
  const up = upsampleCam(map, w, h, size);
  let on = 0;
  let off = 0;
  let nOn = 0;
  let nOff = 0;
  for (let p = 0; p < up.length; p++) {
    if (mask[p]) {
      on += up[p];
      nOn++;
    } else if (!within || within[p]) {
      off += up[p];
      nOff++;
    }
  }
  if (nOn === 0 || nOff === 0)
    throw new Error(`camMassRatio: the mask covers ${nOn === 0 ? 'no' : 'every'} pixel${within ? " of 'within'" : ''}; the ratio needs both`);
  const onMask = on / nOn;
  const offMask = off / nOff;
  return { onMask, offMask, ratio: onMask / offMask, maskShare: nOn / (nOn + nOff) };
}
