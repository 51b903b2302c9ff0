/**
 * Times the decode pool on real-size PNGs: two synthetic samples at 512 px (the competition's
 * size, made by the same generator as the demo and the bench) decoded and resized to the stored
 * resolution again and again, as many samples in flight as an import keeps, until enough time has
 * passed to be a rate. The import page turns it into how long a full train.zip would take here.
 */
import type { DecodeCalibration } from '../data/importRequest';
import type { PngDecoderWay } from '../data/pngDecoder';
import { sourceEntries } from '../data/sources';
import { demoSynthOptions, makeDatasetZip } from '../synth/index';
import { DecodePool } from './decodePool';

export const CALIBRATION_PX = 512;
/** the timed part runs until both hold (after one untimed round that starts the workers) */
const MIN_SAMPLES = 24;
const MIN_MS = 1500;
const MAX_SAMPLES = 400;

export async function calibrateDecode(resolution: number, signal: AbortSignal, decoder?: PngDecoderWay): Promise<DecodeCalibration> {
  const zip = await makeDatasetZip(demoSynthOptions({ train: 2, test: 0, size: CALIBRATION_PX, seed: 1 }));
  const samples = new Map<string, Uint8Array[]>();
  for await (const e of sourceEntries({ kind: 'file', file: new File([zip as Uint8Array<ArrayBuffer>], 'calibration.zip') })) {
    const m = /^train\/(.+)_(red|green|blue|yellow)\.png$/.exec(e.path);
    if (m) samples.set(m[1], [...(samples.get(m[1]) ?? []), await e.read()]);
  }
  const pngs = [...samples.values()];
  const pool = new DecodePool(undefined, decoder);
  const inFlightMax = pool.size * 4;
  try {
    // one sample's four PNGs (copies: the pool transfers what it is given)
    const one = (k: number) => Promise.all(pngs[k % pngs.length].map((b, i) => pool.decode(`calibration-${k}-${i}.png`, b.slice(), resolution)));
    await Promise.all(pngs.map((_, k) => one(k)));
    const t0 = performance.now();
    let started = 0;
    let done = 0;
    const inFlight = new Set<Promise<unknown>>();
    while ((done < MIN_SAMPLES || performance.now() - t0 < MIN_MS) && started < MAX_SAMPLES) {
      if (signal.aborted) throw new Error('calibration cancelled');
      if (inFlight.size >= inFlightMax) {
        await Promise.race(inFlight);
        continue;
      }
      const p: Promise<unknown> = one(started++).then(() => {
        done++;
        inFlight.delete(p);
      });
      inFlight.add(p);
    }
    await Promise.all(inFlight);
    const ms = performance.now() - t0;
    return {
      samplesPerSecond: (done * 1000) / ms,
      samples: done,
      ms,
      sourcePx: CALIBRATION_PX,
      storedPx: Math.min(resolution, CALIBRATION_PX),
      workers: pool.size,
    };
  } finally {
    pool.terminate();
  }
}
