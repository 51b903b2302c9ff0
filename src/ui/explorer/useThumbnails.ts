import { useEffect, useState } from 'react';
import type { DatasetRecord } from '../../data/catalog';
import { openPixelReader, type PixelReader } from '../../data/pixelStore';
import { compositeRGBY, downscaleRGBY } from './composite';
import { THUMB_CSS } from './SampleGrid';
import { ThumbnailLoader } from './thumbnailLoader';

export interface Thumbnails {
  /** the dataset's pixel reader (the sample viewer reads full-size pixels from it) */
  reader: Promise<PixelReader> | null;
  loader: ThumbnailLoader | null;
  /** thumbnail bitmap size (px) the loader renders */
  thumbSize: number;
}

/**
 * One pixel reader and thumbnail loader per dataset state, for a grid of the dataset's samples
 * (the explorer, the error browser). A new pair when an import writes on: an OPFS file snapshot
 * goes stale.
 */
export function useThumbnails(dataset: Pick<DatasetRecord, 'id' | 'storage' | 'resolution' | 'nextSlot' | 'status'> | undefined): Thumbnails {
  const [state, setState] = useState<Omit<Thumbnails, 'thumbSize'>>({ reader: null, loader: null });
  const { id, storage, resolution, nextSlot, status } = dataset ?? {};
  const thumbSize = Math.min(THUMB_CSS, resolution ?? THUMB_CSS);
  useEffect(() => {
    if (id === undefined || storage === undefined || resolution === undefined) {
      setState({ reader: null, loader: null });
      return;
    }
    const r = openPixelReader({ id, storage, resolution });
    r.catch(() => {}); // reported by the viewer and the cells that use it
    const l = new ThumbnailLoader({
      read: (slot) => r.then((rd) => rd.read(slot)),
      render: (px) => {
        const small = downscaleRGBY(px, resolution, thumbSize);
        return compositeRGBY(small, new Uint8ClampedArray(small.length));
      },
    });
    setState({ reader: r, loader: l });
    return () => {
      l.close();
      r.then((rd) => rd.close()).catch(() => {});
    };
  }, [id, storage, resolution, thumbSize, nextSlot, status]);
  return { ...state, thumbSize };
}
