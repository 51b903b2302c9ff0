/**
 * The bench page: runs each job in a fresh dedicated Worker (as the studio trains: one per run),
 * handing it the start-check passes of the earlier jobs' workers, as the studio's page does
 * (src/ui/startCheckPasses.ts): a job times steps, not the backend's self-checks.
 */
import { rememberStartChecks, startCheckPasses } from '../../src/ui/startCheckPasses';
import type { PngDecoderWay } from '../../src/data/pngDecoder';
import { DecodePool } from '../../src/worker/decodePool';
import type { BenchAnswer, BenchJob } from './jobs';

function benchJob(job: BenchJob): Promise<BenchAnswer> {
  const worker = new Worker(new URL('./benchWorker.ts', import.meta.url), { type: 'module' });
  return new Promise<BenchAnswer>((resolve) => {
    worker.onmessage = (e: MessageEvent<BenchAnswer>) => {
      rememberStartChecks('backend' in e.data ? e.data.backend?.checks : undefined);
      resolve(e.data);
    };
    worker.onerror = (e) => resolve({ ok: false, error: `worker error: ${e.message}` });
    worker.postMessage({ ...job, checks: job.kind === 'start' && job.fresh ? {} : startCheckPasses() });
  }).finally(() => worker.terminate());
}

const pngCache = new Map<string, Uint8Array>();

/**
 * The studio's PNG decode pool alone (no zip reading, no storage): every sample's four PNGs, fetched
 * from this origin beforehand, decoded to `resolution` by `way`, as many samples in flight as an
 * import keeps (pool size × 4). Returns the milliseconds from the first decode to the last; the
 * pool's workers are started and have each decoded one PNG before the clock starts.
 */
async function benchDecodePool(o: {
  samples: string[][];
  way: PngDecoderWay;
  resolution: number;
}): Promise<{ ms: number; failed: string[]; pool: number; fallbacks: number }> {
  for (const url of o.samples.flat()) if (!pngCache.has(url)) pngCache.set(url, new Uint8Array(await (await fetch(url)).arrayBuffer()));
  const pool = new DecodePool(undefined, o.way);
  const failed: string[] = [];
  let fallbacks = 0;
  try {
    const first = pngCache.get(o.samples[0][0])!;
    await Promise.all(Array.from({ length: pool.size }, () => pool.decode('warm-up', first.slice(), o.resolution)));
    let next = 0;
    const t0 = performance.now();
    const lane = async () => {
      for (let i = next++; i < o.samples.length; i = next++)
        await Promise.all(
          o.samples[i].map((url) =>
            pool.decode(url, pngCache.get(url)!.slice(), o.resolution).then(
              (d) => void (d.way !== o.way && fallbacks++),
              (e: Error) => void failed.push(`${url}: ${e.message}`),
            ),
          ),
        );
    };
    await Promise.all(Array.from({ length: pool.size * 4 }, lane));
    return { ms: performance.now() - t0, failed, pool: pool.size, fallbacks };
  } finally {
    pool.terminate();
  }
}

Object.assign(window, { benchJob, benchDecodePool });
document.getElementById('status')!.textContent = 'bench page ready';
