import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryCentralDirectory, StoredZipWriter } from '../synth/storedZipWriter';
import { fileCentralDirectory } from './fileCentralDirectory';

const dir = mkdtempSync(join(tmpdir(), 'file-cd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function zipWith(store: ReturnType<typeof memoryCentralDirectory>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  const zip = new StoredZipWriter(new WritableStream({ write: (c) => void chunks.push(c) }), { date: new Date(2018, 9, 2, 12), centralDirectory: store });
  for (let i = 0; i < 3000; i++) await zip.add(`train/${i}_red.png`, Uint8Array.of(i & 255, 7, 9));
  await zip.close();
  return Buffer.concat(chunks);
}

describe('fileCentralDirectory', () => {
  it('gives the same archive as the in-memory directory, through a small buffer, and removes its file', async () => {
    const path = join(dir, 'a.cd');
    const spilled = await zipWith(fileCentralDirectory(path, 4096));
    expect(existsSync(path)).toBe(false);
    expect(spilled.equals(await zipWith(memoryCentralDirectory()))).toBe(true);
  });

  it('removes its file when the archive is aborted', async () => {
    const path = join(dir, 'b.cd');
    const zip = new StoredZipWriter(new WritableStream(), { date: new Date(2018, 9, 2), centralDirectory: fileCentralDirectory(path, 64) });
    for (let i = 0; i < 10; i++) await zip.add(`x${i}`, Uint8Array.of(i));
    expect(readFileSync(path).length).toBeGreaterThan(0); // spilled past its 64-byte buffer
    await zip.abort(new Error('stop'));
    expect(existsSync(path)).toBe(false);
  });
});
