/**
 * A zip entry's bytes read straight from the File by byte ranges, in read-ahead windows: one
 * `Blob.slice().arrayBuffer()` serves every entry it covers, and the next window is asked for while
 * the current one is being used. zip.js (sources.ts) still reads the central directory; its
 * per-entry getData built a stream pipeline and two reads for every entry and, at ~10 ms of the
 * ingest worker's time per PNG, kept the decode pool waiting (docs/ingest.md). Stored entries are
 * sliced out as they are; deflated ones go through the platform's raw inflate.
 */

/** What the range reader needs to know of an entry (zip.js's EntryMetaData has all of it). */
export interface ZipEntryRange {
  filename: string;
  /** offset of the entry's local header in the archive */
  offset: number;
  compressedSize: number;
  uncompressedSize: number;
  compressionMethod: number;
  encrypted: boolean;
  diskNumberStart?: number;
}

const LOCAL_HEADER = 0x04034b50;
const LOCAL_HEADER_BYTES = 30;

/** True where the range reader can read the entry itself: stored or deflated, not encrypted, on one disk. */
export const rangeReadable = (e: ZipEntryRange) => !e.encrypted && (e.compressionMethod === 0 || e.compressionMethod === 8) && !e.diskNumberStart;

interface Window {
  start: number;
  end: number;
  data: Promise<Uint8Array>;
}

export class ZipRangeReader {
  private windows: Window[] = [];
  /** end of the last range asked for: the next one starting near it means reads in file order (several entries are read at once) */
  private lastEnd = -1;

  /**
   * `window`: bytes per read-ahead read; `keep`: windows held at once (their bytes bound the memory
   * this reader holds: keep × window).
   */
  constructor(
    private readonly file: Blob,
    private readonly window = 4 * 1024 * 1024,
    private readonly keep = 4,
  ) {}

  /** The entry's uncompressed bytes, in a buffer of their own (it can be transferred to a worker). */
  async read(entry: ZipEntryRange): Promise<Uint8Array> {
    const head = await this.range(entry.offset, entry.offset + LOCAL_HEADER_BYTES);
    const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
    if (head.length < LOCAL_HEADER_BYTES || view.getUint32(0, true) !== LOCAL_HEADER)
      throw new Error(`no local header at byte ${entry.offset.toLocaleString('en-US')} (the archive is damaged or truncated)`);
    const start = entry.offset + LOCAL_HEADER_BYTES + view.getUint16(26, true) + view.getUint16(28, true);
    const raw = await this.range(start, start + entry.compressedSize);
    if (raw.length < entry.compressedSize)
      throw new Error(`the archive ends ${(entry.compressedSize - raw.length).toLocaleString('en-US')} bytes before the end of this entry (truncated)`);
    if (entry.compressionMethod === 0) return raw;
    const out = await inflateRaw(raw).catch(() => {
      throw new Error('its compressed data does not decompress');
    });
    if (out.length !== entry.uncompressedSize)
      throw new Error(`it decompresses to ${out.length.toLocaleString('en-US')} bytes, its header says ${entry.uncompressedSize.toLocaleString('en-US')}`);
    return out;
  }

  /**
   * Bytes [start, end) of the file (fewer where the file ends first), copied out of the windows
   * that hold them (a range may straddle two). Where none holds a part, a window is read from there:
   * `window` bytes while the reads go through the file in order (each near the one before), else just the range (a central
   * directory in another order must not read 4 MB per entry).
   */
  private async range(start: number, end: number): Promise<Uint8Array> {
    end = Math.min(end, this.file.size);
    const inOrder = this.lastEnd < 0 || Math.abs(start - this.lastEnd) < this.window;
    this.lastEnd = end;
    const parts: { w: Window; from: number; to: number }[] = [];
    for (let at = start; at < end;) {
      const w =
        this.windows.find((x) => x.start <= at && at < x.end) ?? this.open(at, Math.min(this.file.size, inOrder ? Math.max(end, at + this.window) : end));
      parts.push({ w, from: at, to: Math.min(end, w.end) });
      at = Math.min(end, w.end);
    }
    // read ahead: once a range reaches past the middle of the furthest window, the next one is asked for
    const far = this.windows.reduce<Window | null>((a, w) => (!a || w.end > a.end ? w : a), null);
    if (inOrder && far && far.end < this.file.size && end > (far.start + far.end) / 2) this.open(far.end, Math.min(this.file.size, far.end + this.window));
    const out = new Uint8Array(end - start);
    for (const p of parts) out.set((await p.w.data).subarray(p.from - p.w.start, p.to - p.w.start), p.from - start);
    return out;
  }

  private open(start: number, end: number): Window {
    const w: Window = {
      start,
      end,
      data: this.file
        .slice(start, end)
        .arrayBuffer()
        .then((b) => new Uint8Array(b)),
    };
    this.windows.push(w);
    if (this.windows.length > this.keep) this.windows.shift();
    return w;
  }
}

/** A raw deflate stream (zip method 8) inflated by the platform's own zlib. */
async function inflateRaw(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
