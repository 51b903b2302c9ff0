/**
 * NumPy's file formats, written in TypeScript so an export needs no Python: `.npy` (one array: a
 * magic string, a version, a header that is a Python dict literal, then the raw data) and `.npz` (a
 * zip of `.npy` files, one per array, as numpy.savez writes it: the key of an array is its file name
 * without `.npy`, slashes allowed). Only little-endian float32 in C order is written, which is every
 * tensor of a studio checkpoint.
 *
 * Format (numpy/lib/format.py, version 1.0): "\x93NUMPY" | u8 major 1 | u8 minor 0 | u16 LE header
 * length | header `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 3, 4, 32), }` padded with
 * spaces and ended by '\n' so that the data starts at a multiple of 64 bytes | data.
 */
import { writeZipFiles } from '../zipFiles';

export interface NpyArray {
  shape: readonly number[];
  data: Float32Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const ALIGN = 64;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The shape as Python writes a tuple: `()`, `(5,)`, `(3, 3, 4, 32)`. */
function pythonTuple(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/** One array as the bytes of a `.npy` file. */
export function npyBytes(a: NpyArray): Uint8Array {
  const count = a.shape.reduce((s, d) => s * d, 1);
  if (!a.shape.every((d) => Number.isInteger(d) && d >= 0)) throw new RangeError(`npy: shape [${a.shape.join(', ')}] is not a list of whole numbers`);
  if (count !== a.data.length) throw new RangeError(`npy: ${a.data.length} values for shape [${a.shape.join(', ')}] (${count})`);
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': ${pythonTuple(a.shape)}, }`;
  const unpadded = MAGIC.length + 2 + 2 + dict.length + 1;
  const headerLength = dict.length + 1 + ((ALIGN - (unpadded % ALIGN)) % ALIGN);
  const start = MAGIC.length + 4 + headerLength;
  const out = new Uint8Array(start + count * 4);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, headerLength, true);
  const header = dict.padEnd(headerLength - 1, ' ') + '\n';
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  if (LITTLE_ENDIAN) out.set(new Uint8Array(a.data.buffer, a.data.byteOffset, count * 4), start);
  else {
    const view = new DataView(out.buffer);
    for (let i = 0; i < count; i++) view.setFloat32(start + i * 4, a.data[i], true);
  }
  return out;
}

/** What a `.npy` file holds (float32 little-endian, C order only: what npyBytes writes). */
export function readNpy(bytes: Uint8Array, name = 'array'): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new Error(`${name}: not a .npy file`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6];
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = (major === 1 ? 10 : 12) + headerLength;
  const header = new TextDecoder('latin1').decode(bytes.subarray(major === 1 ? 10 : 12, start));
  if (!/'descr':\s*'<f4'/.test(header)) throw new Error(`${name}: only little-endian float32 arrays are read (header ${header.trim()})`);
  if (/'fortran_order':\s*True/.test(header)) throw new Error(`${name}: Fortran-order arrays are not read`);
  const m = /'shape':\s*\(([^)]*)\)/.exec(header);
  if (!m) throw new Error(`${name}: the header has no shape`);
  const shape = m[1]
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  const count = shape.reduce((s, d) => s * d, 1);
  if (bytes.length - start !== count * 4) throw new Error(`${name}: ${bytes.length - start} data bytes for shape (${shape.join(', ')})`);
  const data = new Float32Array(count);
  for (let i = 0; i < count; i++) data[i] = view.getFloat32(start + i * 4, true);
  return { shape, data };
}

/** Arrays by name as the bytes of an `.npz` file (stored, as numpy.savez: weights hardly compress). */
export async function writeNpz(arrays: Iterable<[string, NpyArray]>, o: { lastModDate?: Date } = {}): Promise<Uint8Array> {
  const files: [string, Uint8Array][] = [];
  const seen = new Set<string>();
  for (const [name, a] of arrays) {
    if (seen.has(name)) throw new Error(`npz: two arrays are named '${name}'`);
    seen.add(name);
    files.push([`${name}.npy`, npyBytes(a)]);
  }
  return writeZipFiles(files, { lastModDate: o.lastModDate ?? new Date(Date.UTC(2020, 0, 1)), level: () => 0 });
}
