/**
 * A zip writer of STORED (uncompressed) entries in bounded memory: each entry is written at once
 * with its CRC-32 and sizes in its local header (no data descriptor), and its central-directory
 * record goes to a `CentralDirectoryStore` as soon as the entry is written; `close()` streams that
 * store out after the last entry. zip.js's ZipWriter instead keeps about 5 KB per entry until it
 * closes (2.8 GB for the 171,099 entries of a full-scale synthetic dataset).
 *
 * ZIP64 (APPNOTE 6.3.x §4.3.14–16, §4.5.3) is used only where a field would overflow: the end
 * records when there are more than 65,535 entries or the central directory lies past 4 GiB, and an
 * entry's extra field when its local header starts past 4 GiB. One entry must stay under 4 GiB.
 * Pure web-platform code: runs in a Worker and in Node.
 */
import { crc32 } from '../core/pngChunks';

/** Where central-directory records wait until the archive is closed. */
export interface CentralDirectoryStore {
  append(record: Uint8Array): void | Promise<void>;
  /** every record appended, in order, as chunks of any size */
  read(): AsyncIterable<Uint8Array>;
  /** frees what the store holds (a temporary file); called once, on close or abort */
  dispose?(): void | Promise<void>;
}

/**
 * Records packed into 1 MiB blocks in memory: about 100 bytes per entry (46 + its name), 17 MB for
 * the full-scale dataset, against zip.js's 5 KB per entry. The CLI spills to a file instead.
 */
export function memoryCentralDirectory(blockBytes = 1 << 20): CentralDirectoryStore {
  const blocks: Uint8Array[] = [];
  let block = new Uint8Array(blockBytes);
  let used = 0;
  return {
    append(record) {
      if (used + record.length > block.length) {
        blocks.push(block.subarray(0, used));
        block = new Uint8Array(Math.max(blockBytes, record.length));
        used = 0;
      }
      block.set(record, used);
      used += record.length;
    },
    async *read() {
      yield* blocks;
      yield block.subarray(0, used);
    },
  };
}

const U16 = 0xffff;
const U32 = 0xffffffff;
const VERSION_STORED = 20; // 2.0: what a plain stored entry needs
const VERSION_ZIP64 = 45; // 4.5: ZIP64 extensions

export interface StoredZipOptions {
  /** the modification date of every entry (local time, as DOS dates are) */
  date: Date;
  centralDirectory?: CentralDirectoryStore;
  /** write every ZIP64 structure even where nothing overflows (tests of the ZIP64 path) */
  forceZip64?: boolean;
}

function dosTime(d: Date): { time: number; date: number } {
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | Math.floor(d.getSeconds() / 2),
    date: ((d.getFullYear() - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  };
}

export class StoredZipWriter {
  private readonly out: WritableStreamDefaultWriter<Uint8Array>;
  private readonly cd: CentralDirectoryStore;
  private readonly time: number;
  private readonly date: number;
  private readonly force: boolean;
  private offset = 0;
  private entries = 0;
  private cdBytes = 0;
  private finished = false;
  private readonly text = new TextEncoder();

  constructor(writable: WritableStream<Uint8Array>, o: StoredZipOptions) {
    this.out = writable.getWriter();
    this.cd = o.centralDirectory ?? memoryCentralDirectory();
    ({ time: this.time, date: this.date } = dosTime(o.date));
    this.force = o.forceZip64 ?? false;
  }

  /** Writes one entry, stored; resolves once the sink has taken its bytes (backpressure). */
  async add(name: string, data: Uint8Array): Promise<void> {
    if (this.finished) throw new Error(`zip already closed: cannot add '${name}'`);
    if (data.length >= U32) throw new Error(`'${name}' is ${data.length} bytes: one stored entry must stay under 4 GiB`);
    const nameBytes = this.text.encode(name);
    // bit 11: the name is UTF-8 (set only when it is not plain ASCII, as other writers do)
    const flags = nameBytes.length !== name.length ? 0x0800 : 0;
    const crc = crc32(data);
    const at = this.offset;
    const bigOffset = this.force || at >= U32;

    const local = new Uint8Array(30 + nameBytes.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, VERSION_STORED, true);
    lv.setUint16(6, flags, true);
    lv.setUint16(8, 0, true); // method 0: stored
    lv.setUint16(10, this.time, true);
    lv.setUint16(12, this.date, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, data.length, true);
    lv.setUint32(22, data.length, true);
    lv.setUint16(26, nameBytes.length, true);
    lv.setUint16(28, 0, true);
    local.set(nameBytes, 30);

    const extra = bigOffset ? 12 : 0;
    const rec = new Uint8Array(46 + nameBytes.length + extra);
    const cv = new DataView(rec.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, bigOffset ? VERSION_ZIP64 : VERSION_STORED, true); // made by: MS-DOS attributes, this version
    cv.setUint16(6, bigOffset ? VERSION_ZIP64 : VERSION_STORED, true);
    cv.setUint16(8, flags, true);
    cv.setUint16(10, 0, true);
    cv.setUint16(12, this.time, true);
    cv.setUint16(14, this.date, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, data.length, true);
    cv.setUint32(24, data.length, true);
    cv.setUint16(28, nameBytes.length, true);
    cv.setUint16(30, extra, true);
    // comment length, disk number start, internal and external attributes: 0
    cv.setUint32(42, bigOffset ? U32 : at, true);
    rec.set(nameBytes, 46);
    if (bigOffset) {
      // ZIP64 extended information: only the field that overflowed (the local header's offset)
      cv.setUint16(46 + nameBytes.length, 0x0001, true);
      cv.setUint16(48 + nameBytes.length, 8, true);
      cv.setBigUint64(50 + nameBytes.length, BigInt(at), true);
    }

    await this.out.write(local);
    if (data.length) await this.out.write(data);
    this.offset += local.length + data.length;
    await this.cd.append(rec);
    this.cdBytes += rec.length;
    this.entries++;
  }

  /** Appends the central directory and the end records, then closes the sink. */
  async close(): Promise<void> {
    if (this.finished) throw new Error('zip already closed');
    this.finished = true;
    const cdStart = this.offset;
    try {
      for await (const chunk of this.cd.read()) if (chunk.length) await this.out.write(chunk);
    } finally {
      await this.cd.dispose?.();
    }
    const cdEnd = cdStart + this.cdBytes;
    const zip64 = this.force || this.entries > U16 || cdStart >= U32 || this.cdBytes >= U32;
    const tail: Uint8Array[] = [];
    if (zip64) {
      const r = new Uint8Array(56 + 20);
      const v = new DataView(r.buffer);
      // ZIP64 end of central directory record
      v.setUint32(0, 0x06064b50, true);
      v.setBigUint64(4, 44n, true); // size of the rest of this record
      v.setUint16(12, VERSION_ZIP64, true);
      v.setUint16(14, VERSION_ZIP64, true);
      // this disk, the disk where the central directory starts: 0
      v.setBigUint64(24, BigInt(this.entries), true);
      v.setBigUint64(32, BigInt(this.entries), true);
      v.setBigUint64(40, BigInt(this.cdBytes), true);
      v.setBigUint64(48, BigInt(cdStart), true);
      // ZIP64 end of central directory locator
      v.setUint32(56, 0x07064b50, true);
      v.setUint32(60, 0, true);
      v.setBigUint64(64, BigInt(cdEnd), true);
      v.setUint32(72, 1, true); // total disks
      tail.push(r);
    }
    const e = new Uint8Array(22);
    const ev = new DataView(e.buffer);
    ev.setUint32(0, 0x06054b50, true);
    // a field that does not fit (or every field, when forced) holds its maximum: readers then take the ZIP64 record's
    const n16 = this.force || this.entries > U16 ? U16 : this.entries;
    ev.setUint16(8, n16, true);
    ev.setUint16(10, n16, true);
    ev.setUint32(12, this.force || this.cdBytes >= U32 ? U32 : this.cdBytes, true);
    ev.setUint32(16, this.force || cdStart >= U32 ? U32 : cdStart, true);
    tail.push(e);
    for (const t of tail) await this.out.write(t);
    await this.out.close();
  }

  /** Aborts the sink (an unfinished file is not a valid zip) and frees the central-directory store. */
  async abort(reason: unknown): Promise<void> {
    const wasFinished = this.finished;
    this.finished = true;
    await this.out.abort(reason).catch(() => {});
    if (!wasFinished) await Promise.resolve(this.cd.dispose?.()).catch(() => {});
  }

  /** entries written so far */
  get count(): number {
    return this.entries;
  }
}
