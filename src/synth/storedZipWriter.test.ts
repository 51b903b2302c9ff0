import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { type FileEntry, Uint8ArrayReader, Uint8ArrayWriter, ZipReader } from '@zip.js/zip.js';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryCentralDirectory, StoredZipWriter, type StoredZipOptions } from './storedZipWriter';

// Python's zipfile is the second, independent reader (Debian's python3; CI runs on the same image)
const PYTHON = '/usr/bin/python3';
const hasPython = existsSync(PYTHON);
const dir = mkdtempSync(join(tmpdir(), 'stored-zip-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function writeZip(entries: [string, Uint8Array][], o: Partial<StoredZipOptions> = {}): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const zip = new StoredZipWriter(new WritableStream({ write: (c) => void chunks.push(c) }), { date: new Date(2018, 9, 2, 12, 0, 0), ...o });
  for (const [name, data] of entries) await zip.add(name, data);
  await zip.close();
  return Buffer.concat(chunks);
}

async function readWithZipJs(bytes: Uint8Array): Promise<{ name: string; data: Uint8Array; crc: number; zip64: boolean }[]> {
  const reader = new ZipReader(new Uint8ArrayReader(bytes), { useWebWorkers: false, checkSignature: true });
  const out = [];
  for (const e of (await reader.getEntries()) as FileEntry[])
    out.push({ name: e.filename, data: await e.getData(new Uint8ArrayWriter(), { checkSignature: true }), crc: e.signature ?? -1, zip64: e.zip64 });
  await reader.close();
  return out;
}

/** Python's zipfile: the names, each entry's stored CRC, whether zlib's CRC of the read data matches it, and testzip(). */
function readWithPython(bytes: Uint8Array): { names: string[]; crcs: number[]; dataCrcOk: boolean; bad: string | null } {
  const file = join(dir, `z${Math.random().toString(36).slice(2)}.zip`);
  writeFileSync(file, bytes);
  const script = `
import json, sys, zipfile, zlib
z = zipfile.ZipFile(sys.argv[1])
infos = z.infolist()
ok = all(zlib.crc32(z.read(i)) == i.CRC for i in infos)
print(json.dumps({"names": [i.filename for i in infos], "crcs": [i.CRC for i in infos], "dataCrcOk": ok, "bad": z.testzip()}))`;
  return JSON.parse(execFileSync(PYTHON, ['-c', script, file], { encoding: 'utf8', maxBuffer: 64 << 20 }));
}

const text = new TextEncoder();
const sample: [string, Uint8Array][] = [
  ['train.csv', text.encode('Id,Target\na,0 1\n')],
  ['empty.txt', new Uint8Array(0)],
  ['train/a_green.png', Uint8Array.from({ length: 5000 }, (_, i) => (i * 31) & 255)],
  ['dossier/éà.txt', text.encode('non-ASCII name')],
];

describe('StoredZipWriter', () => {
  for (const forceZip64 of [false, true])
    it(`writes a zip that zip.js and Python's zipfile both read, with the right entries and CRCs${forceZip64 ? ' (every ZIP64 field written)' : ''}`, async () => {
      const bytes = await writeZip(sample, { forceZip64 });
      const z = await readWithZipJs(bytes);
      expect(z.map((e) => e.name)).toEqual(sample.map(([n]) => n));
      z.forEach((e, i) => {
        expect(Buffer.from(e.data).equals(Buffer.from(sample[i][1]))).toBe(true);
        expect(e.crc).toBe(zlibCrc32(sample[i][1]));
        expect(e.zip64).toBe(forceZip64);
      });
      // the ZIP64 end locator sits just before the 22-byte end record when (and only when) asked
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
      expect(view.getUint32(bytes.length - 22 - 20, true) === 0x07064b50).toBe(forceZip64);
      if (!hasPython && !process.env.CI) return;
      const p = readWithPython(bytes);
      expect(p.names).toEqual(sample.map(([n]) => n));
      expect(p.crcs).toEqual(sample.map(([, d]) => zlibCrc32(d)));
      expect(p.dataCrcOk).toBe(true);
      expect(p.bad).toBeNull();
    });

  it('counts more than 65,535 entries through the ZIP64 end records; both readers list them all', async () => {
    const n = 70_000;
    const entries: [string, Uint8Array][] = Array.from({ length: n }, (_, i) => [`f/${i}`, Uint8Array.of(i & 255, i >> 8)]);
    const bytes = await writeZip(entries);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    expect(view.getUint16(bytes.length - 22 + 10, true)).toBe(0xffff); // the 16-bit count overflowed
    expect(view.getUint32(bytes.length - 22 - 20, true)).toBe(0x07064b50);
    const reader = new ZipReader(new Uint8ArrayReader(bytes), { useWebWorkers: false });
    const z = (await reader.getEntries()) as FileEntry[];
    expect(z.length).toBe(n);
    expect(z[n - 1].filename).toBe(`f/${n - 1}`);
    expect(Array.from(await z[n - 1].getData(new Uint8ArrayWriter(), { checkSignature: true }))).toEqual([(n - 1) & 255, ((n - 1) >> 8) & 255]);
    await reader.close();
    if (!hasPython && !process.env.CI) return;
    const p = readWithPython(bytes);
    expect(p.names.length).toBe(n);
    expect(p.names[n - 1]).toBe(`f/${n - 1}`);
    expect(p.dataCrcOk).toBe(true);
    expect(p.bad).toBeNull();
  });

  it('packs the central directory in blocks: a small block size gives the same bytes', async () => {
    const a = await writeZip(sample);
    const b = await writeZip(sample, { centralDirectory: memoryCentralDirectory(64) });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });

  it('refuses an entry after close, and abort() aborts the sink instead of closing it', async () => {
    let aborted: unknown = null;
    let closed = false;
    const zip = new StoredZipWriter(new WritableStream({ abort: (r) => void (aborted = r), close: () => void (closed = true) }), {
      date: new Date(2020, 0, 1),
    });
    await zip.add('a', Uint8Array.of(1));
    await zip.abort(new Error('stop'));
    expect((aborted as Error).message).toBe('stop');
    expect(closed).toBe(false);
    await expect(zip.add('b', Uint8Array.of(2))).rejects.toThrow("zip already closed: cannot add 'b'");
  });
});
