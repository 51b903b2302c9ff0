import { memo, useEffect, useRef } from 'react';
import { camToRgba } from '../../core/cam/camOverlay';
import { useCamOpacity, type CamOpacity } from './camOpacity';
import type { CamResult } from './useCam';

/**
 * The heat map as a second canvas stacked on the composite's, over the stored pixels the model
 * saw. Its pixels are drawn once per map; the opacity is the element's CSS opacity, so moving the
 * slider repaints nothing.
 */
export const CamOverlay = memo(function CamOverlay({ cam, resolution, opacity }: { cam: CamResult; resolution: number; opacity: CamOpacity }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const percent = useCamOpacity(opacity);
  const { size, top, left } = cam.region;
  useEffect(() => {
    const ctx = canvas.current?.getContext('2d');
    if (!ctx) return;
    ctx.putImageData(new ImageData(camToRgba(cam.map, cam.width, cam.height, size) as Uint8ClampedArray<ArrayBuffer>, size, size), 0, 0);
  }, [cam, size]);
  const pct = (v: number) => `${(100 * v) / resolution}%`;
  return (
    <canvas
      ref={canvas}
      className="cam-overlay"
      data-testid="cam-overlay"
      data-sample={cam.sampleId}
      data-class={cam.classIndex}
      data-stage={cam.stage}
      width={size}
      height={size}
      style={{ left: pct(left), top: pct(top), width: pct(size), height: pct(size), opacity: percent / 100 }}
      aria-hidden="true"
    />
  );
});
