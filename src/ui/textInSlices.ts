/**
 * A large text (a CSV of hundreds of thousands of lines) built in slices of the main thread's time,
 * a few milliseconds each with a macrotask between, so that making a download never blocks the
 * page in one long task. The parts go straight into a Blob: no single join of the whole text.
 */
export interface SliceOptions {
  /** time per slice (ms) */
  sliceMs?: number;
  signal?: AbortSignal;
  /** lines done so far, after each slice */
  onProgress?: (lines: number) => void;
}

const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** The lines, each ended by '\n', as parts (one per slice); rejects with an AbortError when the signal aborts. */
export async function textInSlices(lines: Iterator<string>, { sliceMs = 8, signal, onProgress }: SliceOptions = {}): Promise<string[]> {
  const parts: string[] = [];
  let done = 0;
  let finished = false;
  while (!finished) {
    if (signal?.aborted) throw new DOMException('Cancelled', 'AbortError');
    const slice: string[] = [];
    const end = performance.now() + sliceMs;
    for (;;) {
      const r = lines.next();
      if (r.done) {
        finished = true;
        break;
      }
      slice.push(r.value);
      if ((slice.length & 63) === 0 && performance.now() >= end) break;
    }
    if (slice.length) parts.push(slice.join('\n') + '\n');
    done += slice.length;
    if (slice.length) onProgress?.(done);
    if (!finished) await nextTask();
  }
  return parts;
}
