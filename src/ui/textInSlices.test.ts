import { describe, expect, it } from 'vitest';
import { textInSlices } from './textInSlices';

function* numbered(n: number, spinMs = 0) {
  for (let i = 0; i < n; i++) {
    if (spinMs) for (const end = performance.now() + spinMs; performance.now() < end;);
    yield `line ${i}`;
  }
}

describe('text in slices', () => {
  it('gives every line once, in order, each ended by a newline', async () => {
    const parts = await textInSlices(numbered(100_000));
    expect(parts.join('')).toBe(Array.from({ length: 100_000 }, (_, i) => `line ${i}\n`).join(''));
    expect(await textInSlices(numbered(0))).toEqual([]);
  });

  it('ends a slice once its time is used: slow lines come in several parts, with progress after each', async () => {
    const progress: number[] = [];
    const parts = await textInSlices(numbered(640, 0.02), { sliceMs: 2, onProgress: (n) => progress.push(n) });
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.join('').split('\n').length - 1).toBe(640);
    expect(progress.at(-1)).toBe(640);
    expect(progress.every((n, i) => i === 0 || n > progress[i - 1])).toBe(true);
  });

  it('stops with an AbortError when cancelled', async () => {
    const abort = new AbortController();
    const job = textInSlices(numbered(10_000, 0.01), { sliceMs: 1, signal: abort.signal, onProgress: () => abort.abort() });
    await expect(job).rejects.toThrow(/Cancelled/);
  });
});
