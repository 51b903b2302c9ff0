/**
 * For the CLI's tests: what a command prints, line by line. Call once at the top of a test file;
 * the arrays are emptied before each test (and may be emptied in a test with `.length = 0`).
 */
import { afterEach, beforeEach, vi } from 'vitest';

export function captureConsole(): { out: string[]; err: string[] } {
  const io = { out: [] as string[], err: [] as string[] };
  beforeEach(() => {
    io.out.length = 0;
    io.err.length = 0;
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void io.out.push(a.join(' ')));
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void io.err.push(a.join(' ')));
  });
  afterEach(() => vi.restoreAllMocks());
  return io;
}
