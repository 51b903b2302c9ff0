/** A pool of PNG decode workers sized from navigator.hardwareConcurrency. */
import type { DecodedPlane } from '../data/decodePng';
import type { PngDecoderWay } from '../data/pngDecoder';
import type { FromDecodeWorker, ToDecodeWorker } from './protocol';

export class DecodePool {
  private readonly workers: Worker[];
  private readonly busy: number[];
  private readonly waiting = new Map<number, { resolve: (d: DecodedPlane) => void; reject: (e: Error) => void; worker: number }>();
  private seq = 0;
  /** worker-milliseconds with at least one PNG given and not answered, and when each worker's began */
  private busyMs = 0;
  private readonly since: number[] = [];
  private firstAt = -1;
  private lastAt = -1;

  constructor(
    readonly size = Math.max(1, Math.min(8, navigator.hardwareConcurrency || 2)),
    private readonly decoder?: PngDecoderWay,
  ) {
    this.workers = Array.from({ length: size }, (_, i) => {
      const w = new Worker(new URL('./decode.worker.ts', import.meta.url), { type: 'module', name: `png-decode-${i}` });
      w.onmessage = (e: MessageEvent<FromDecodeWorker>) => this.settle(e.data);
      return w;
    });
    this.busy = new Array(size).fill(0);
  }

  decode(name: string, bytes: Uint8Array, resolution: number): Promise<DecodedPlane> {
    const worker = this.busy.indexOf(Math.min(...this.busy));
    const seq = ++this.seq;
    const now = performance.now();
    if (this.firstAt < 0) this.firstAt = now;
    if (this.busy[worker]++ === 0) this.since[worker] = now;
    return new Promise((resolve, reject) => {
      this.waiting.set(seq, { resolve, reject, worker });
      const msg: ToDecodeWorker = { type: 'decode', seq, name, bytes, resolution, decoder: this.decoder };
      this.workers[worker].postMessage(msg, [bytes.buffer]);
    });
  }

  private settle(msg: FromDecodeWorker) {
    const w = this.waiting.get(msg.seq);
    if (!w) return;
    this.waiting.delete(msg.seq);
    const now = performance.now();
    this.lastAt = now;
    if (--this.busy[w.worker] === 0) this.busyMs += now - this.since[w.worker];
    if (msg.type === 'decoded') w.resolve({ plane: msg.plane, width: msg.width, height: msg.height, converted: msg.converted, way: msg.way });
    else w.reject(new Error(msg.reason));
  }

  /**
   * The share of the workers' time, from the first PNG given to the last answered, in which they
   * had a PNG to decode (1: none ever waited for the reader; message passing counts as busy).
   */
  busyFraction(): number | undefined {
    if (this.firstAt < 0 || this.lastAt <= this.firstAt) return undefined;
    return Math.min(1, this.busyMs / (this.size * (this.lastAt - this.firstAt)));
  }

  terminate() {
    for (const w of this.workers) w.terminate();
    for (const w of this.waiting.values()) w.reject(new Error('decode pool stopped'));
    this.waiting.clear();
  }
}
