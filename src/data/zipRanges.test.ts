import { BlobReader, BlobWriter, type FileEntry, Uint8ArrayReader, Uint8ArrayWriter, ZipReader, ZipWriter, configure } from '@zip.js/zip.js';
import { describe, expect, it } from 'vitest';
import { rangeReadable, ZipRangeReader } from './zipRanges';

configure({ useWebWorkers: false });

/** 40 entries: odd ones deflated (compressible), even ones stored (random bytes), sizes 0–3,000 bytes. */
async function archive(): Promise<{ blob: Blob; files: Map<string, Uint8Array> }> {
  const files = new Map<string, Uint8Array>();
  const writer = new ZipWriter(new BlobWriter('application/zip'));
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 24) & 255;
  for (let i = 0; i < 40; i++) {
    const n = (i * 737) % 3001;
    const bytes = new Uint8Array(n).map((_, k) => (i % 2 ? k % 13 : rand()));
    const name = `train/id${i}_${['red', 'green', 'blue', 'yellow'][i % 4]}.png`;
    files.set(name, bytes);
    await writer.add(name, new Uint8ArrayReader(bytes), { level: i % 2 ? 6 : 0 });
  }
  return { blob: await writer.close(), files };
}

async function entriesOf(blob: Blob): Promise<FileEntry[]> {
  const reader = new ZipReader(new BlobReader(blob));
  const entries = (await reader.getEntries()).filter((e): e is FileEntry => !e.directory);
  await reader.close();
  return entries;
}

describe('ZipRangeReader', () => {
  it('reads stored and deflated entries byte for byte as zip.js does, in order and out of order, with windows smaller than some entries', async () => {
    const { blob, files } = await archive();
    const entries = await entriesOf(blob);
    expect(entries.map((e) => e.compressionMethod)).toContain(8);
    expect(entries.map((e) => e.compressionMethod)).toContain(0);
    expect(entries.every(rangeReadable)).toBe(true);
    const shuffled = [...entries].sort((a, b) => ((a.offset * 2654435761) % 97) - ((b.offset * 2654435761) % 97));
    for (const order of [entries, shuffled]) {
      const ranges = new ZipRangeReader(blob, 2048, 3);
      // all started at once, as the import does
      const got = await Promise.all(order.map((e) => ranges.read(e)));
      order.forEach((e, i) => expect(got[i], e.filename).toEqual(files.get(e.filename)));
    }
    const viaZipJs = await entries[3].getData(new Uint8ArrayWriter());
    expect(await new ZipRangeReader(blob).read(entries[3])).toEqual(viaZipJs);
  });

  it('gives every entry its own buffer (each is transferred to a decode worker)', async () => {
    const { blob } = await archive();
    const entries = await entriesOf(blob);
    const ranges = new ZipRangeReader(blob);
    const [a, b] = await Promise.all([ranges.read(entries[2]), ranges.read(entries[4])]);
    expect(a.buffer).not.toBe(b.buffer);
    expect(a.byteOffset).toBe(0);
    expect(a.buffer.byteLength).toBe(a.length);
  });

  it('says where an archive cut short ends inside an entry, and where a local header is missing', async () => {
    const { blob } = await archive();
    const entries = await entriesOf(blob);
    const last = entries.filter((e) => e.compressedSize > 100).at(-1)!;
    const cut = blob.slice(0, last.offset + 30 + last.filename.length + 50);
    await expect(new ZipRangeReader(cut).read(last)).rejects.toThrow(/the archive ends [\d,]+ bytes before the end of this entry \(truncated\)/);
    await expect(new ZipRangeReader(blob).read({ ...last, offset: last.offset + 1 })).rejects.toThrow(/no local header at byte [\d,]+/);
  });

  it('names a deflated entry whose data does not inflate', async () => {
    const { blob } = await archive();
    const entries = await entriesOf(blob);
    const deflated = entries.find((e) => e.compressionMethod === 8 && e.compressedSize > 12)!;
    const bytes = new Uint8Array(await blob.arrayBuffer());
    const dataAt =
      deflated.offset +
      30 +
      new DataView(bytes.buffer).getUint16(deflated.offset + 26, true) +
      new DataView(bytes.buffer).getUint16(deflated.offset + 28, true);
    bytes.fill(0xff, dataAt, dataAt + 8);
    await expect(new ZipRangeReader(new Blob([bytes])).read(deflated)).rejects.toThrow(/does not decompress|decompresses to/);
  });
});
