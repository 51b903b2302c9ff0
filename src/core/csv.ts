/**
 * Kaggle CSV files of the HPA task: train.csv (Id,Target), sample_submission.csv and
 * submissions (Id,Predicted). Tolerates a UTF-8 BOM, CRLF line endings and a trailing newline;
 * every problem is reported with its 1-based line number.
 */
import { isClassId, NUM_CLASSES } from './labels';

export class CsvError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | null,
    detail: string,
  ) {
    super(line === null ? `${file}: ${detail}` : `${file}, line ${line}: ${detail}`);
  }
}

export interface LabelRow {
  id: string;
  labels: number[];
}

/** Splits CSV text into lines without the BOM, CR and trailing empty lines. Fields hold no commas here. */
export function csvLines(text: string): string[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  while (lines.length && lines[lines.length - 1].trim() === '') lines.pop();
  return lines;
}

/** Parses a space-separated label list ("16 0"); empty gives []. Labels come back sorted and unique. */
export function parseLabelList(field: string, file: string, line: number): number[] {
  const parts = field.trim().split(/\s+/).filter(Boolean);
  const labels = parts.map((p) => {
    const n = /^\d+$/.test(p) ? Number(p) : NaN;
    if (!isClassId(n)) throw new CsvError(file, line, `label '${p}' is not a class id 0..${NUM_CLASSES - 1}`);
    return n;
  });
  return [...new Set(labels)].sort((a, b) => a - b);
}

/**
 * Reads a two-column label file: `Id,Target` (train.csv) or `Id,Predicted` (submissions).
 * `allowEmpty` accepts rows with no label (submissions); train.csv rows must have one.
 */
export function parseLabelCsv(text: string, opts: { file?: string; labelColumn?: 'Target' | 'Predicted' | 'any'; allowEmpty?: boolean } = {}): LabelRow[] {
  const file = opts.file ?? 'train.csv';
  const want = opts.labelColumn ?? 'Target';
  const lines = csvLines(text);
  if (lines.length === 0) throw new CsvError(file, null, 'the file is empty');
  const header = lines[0].split(',').map((h) => h.trim());
  const okHeader = header.length === 2 && header[0] === 'Id' && (want === 'any' ? ['Target', 'Predicted'].includes(header[1]) : header[1] === want);
  if (!okHeader) {
    const expected = want === 'any' ? 'Id,Target or Id,Predicted' : `Id,${want}`;
    throw new CsvError(file, 1, `header is '${lines[0]}', expected '${expected}'`);
  }
  const seen = new Map<string, number>();
  const rows: LabelRow[] = [];
  for (let i = 1; i < lines.length; i++) {
    const lineNo = i + 1;
    const cells = lines[i].split(',');
    if (cells.length !== 2) throw new CsvError(file, lineNo, `expected 2 fields, found ${cells.length}`);
    const id = cells[0].trim();
    if (!id) throw new CsvError(file, lineNo, 'empty Id');
    const prev = seen.get(id);
    if (prev !== undefined) throw new CsvError(file, lineNo, `duplicate Id ${id} (first on line ${prev})`);
    seen.set(id, lineNo);
    const labels = parseLabelList(cells[1], file, lineNo);
    if (!labels.length && !opts.allowEmpty) throw new CsvError(file, lineNo, `Id ${id} has no label`);
    rows.push({ id, labels });
  }
  return rows;
}

/** Writes `Id,<column>` rows with labels space-separated in ascending order and a final newline. */
export function formatLabelCsv(rows: readonly LabelRow[], column: 'Target' | 'Predicted' = 'Target'): string {
  const out = [`Id,${column}`];
  for (const r of rows) out.push(`${r.id},${[...r.labels].sort((a, b) => a - b).join(' ')}`);
  return out.join('\n') + '\n';
}

// ---- Tables of the training core: probabilities, thresholds, folds ----

/** Which rows of `other` hold each id of `reference`; missing or extra ids are an error naming the first few. */
export function alignIds(reference: readonly string[], other: readonly string[], files: { reference: string; other: string }): Int32Array {
  const where = new Map<string, number>();
  other.forEach((id, i) => where.set(id, i));
  const missing = reference.filter((id) => !where.has(id));
  const known = new Set(reference);
  const extra = other.filter((id) => !known.has(id));
  const few = (ids: string[]) => ids.slice(0, 3).join(', ') + (ids.length > 3 ? `, … (${ids.length} in all)` : '');
  if (missing.length) throw new CsvError(files.other, null, `${missing.length} Id(s) of ${files.reference} are missing: ${few(missing)}`);
  if (extra.length) throw new CsvError(files.other, null, `${extra.length} Id(s) are not in ${files.reference}: ${few(extra)}`);
  return Int32Array.from(reference, (id) => where.get(id)!);
}

function checkIds(lines: string[], file: string): string[] {
  const seen = new Map<string, number>();
  const ids: string[] = [];
  for (let i = 1; i < lines.length; i++) {
    const lineNo = i + 1;
    const comma = lines[i].indexOf(',');
    const id = (comma < 0 ? lines[i] : lines[i].slice(0, comma)).trim();
    if (!id) throw new CsvError(file, lineNo, 'empty Id');
    const prev = seen.get(id);
    if (prev !== undefined) throw new CsvError(file, lineNo, `duplicate Id ${id} (first on line ${prev})`);
    seen.set(id, lineNo);
    ids.push(id);
  }
  return ids;
}

export interface ProbsTable {
  ids: string[];
  /** row-major [rows × numClasses] */
  probs: Float32Array;
  numClasses: number;
}

/** Reads `Id,0,1,…,27` probabilities (each in [0, 1]). */
export function parseProbsCsv(text: string, opts: { file?: string; numClasses?: number } = {}): ProbsTable {
  const file = opts.file ?? 'probs.csv';
  const numClasses = opts.numClasses ?? NUM_CLASSES;
  const lines = csvLines(text);
  if (lines.length === 0) throw new CsvError(file, null, 'the file is empty');
  const expectedHeader = ['Id', ...Array.from({ length: numClasses }, (_, c) => String(c))].join(',');
  if (
    lines[0]
      .split(',')
      .map((h) => h.trim())
      .join(',') !== expectedHeader
  ) {
    throw new CsvError(file, 1, `header is '${lines[0].slice(0, 60)}${lines[0].length > 60 ? '…' : ''}', expected 'Id,0,1,…,${numClasses - 1}'`);
  }
  const ids = checkIds(lines, file);
  const probs = new Float32Array(ids.length * numClasses);
  for (let i = 1; i < lines.length; i++) {
    const cells = lines[i].split(',');
    if (cells.length !== numClasses + 1) throw new CsvError(file, i + 1, `expected ${numClasses + 1} fields, found ${cells.length}`);
    for (let c = 0; c < numClasses; c++) {
      const cell = cells[c + 1].trim();
      const v = cell === '' ? NaN : Number(cell);
      if (!(v >= 0 && v <= 1)) throw new CsvError(file, i + 1, `class ${c}: '${cell}' is not a probability in [0, 1]`);
      probs[(i - 1) * numClasses + c] = v;
    }
  }
  return { ids, probs, numClasses };
}

/** Writes probabilities with 9 significant digits (float32 values round-trip exactly). */
export function formatProbsCsv(ids: readonly string[], probs: Float32Array, numClasses = NUM_CLASSES): string {
  return [...probsCsvLines(ids, probs, numClasses)].join('\n') + '\n';
}

/** The lines of formatProbsCsv (header first, no line ends), one at a time: a page builds a large one in slices. */
export function* probsCsvLines(ids: readonly string[], probs: Float32Array, numClasses = NUM_CLASSES): Generator<string> {
  if (probs.length !== ids.length * numClasses) throw new RangeError(`${probs.length} probabilities for ${ids.length} ids × ${numClasses} classes`);
  yield ['Id', ...Array.from({ length: numClasses }, (_, c) => String(c))].join(',');
  for (let r = 0; r < ids.length; r++) {
    const cells = [ids[r]];
    for (let c = 0; c < numClasses; c++) cells.push(String(Number(probs[r * numClasses + c].toPrecision(9))));
    yield cells.join(',');
  }
}

/** Reads `class,threshold` with every class 0..numClasses−1 exactly once (any order). */
export function parseThresholdsCsv(text: string, opts: { file?: string; numClasses?: number } = {}): Float64Array {
  const file = opts.file ?? 'thresholds.csv';
  const numClasses = opts.numClasses ?? NUM_CLASSES;
  const lines = csvLines(text);
  if (lines.length === 0) throw new CsvError(file, null, 'the file is empty');
  if (
    lines[0]
      .split(',')
      .map((h) => h.trim())
      .join(',') !== 'class,threshold'
  )
    throw new CsvError(file, 1, `header is '${lines[0]}', expected 'class,threshold'`);
  const t = new Float64Array(numClasses).fill(NaN);
  for (let i = 1; i < lines.length; i++) {
    const cells = lines[i].split(',').map((s) => s.trim());
    if (cells.length !== 2) throw new CsvError(file, i + 1, `expected 2 fields, found ${cells.length}`);
    const c = /^\d+$/.test(cells[0]) ? Number(cells[0]) : NaN;
    if (!(c >= 0 && c < numClasses)) throw new CsvError(file, i + 1, `class '${cells[0]}' is not a class id 0..${numClasses - 1}`);
    if (!Number.isNaN(t[c])) throw new CsvError(file, i + 1, `class ${c} appears twice`);
    const v = cells[1] === '' ? NaN : Number(cells[1]);
    if (!(v >= 0 && v <= 1)) throw new CsvError(file, i + 1, `threshold '${cells[1]}' is not a number in [0, 1]`);
    t[c] = v;
  }
  const missing = [...t.keys()].filter((c) => Number.isNaN(t[c]));
  if (missing.length) throw new CsvError(file, null, `no threshold for class(es) ${missing.join(', ')}`);
  return t;
}

/** Writes `class,threshold`, classes 0..n−1 in order, thresholds in shortest round-trip form. */
export function formatThresholdsCsv(thresholds: ArrayLike<number>): string {
  return ['class,threshold', ...Array.from(thresholds, (t, c) => `${c},${t}`)].join('\n') + '\n';
}

/** Reads `Id,fold` (fold an integer ≥ 0). */
export function parseFoldsCsv(text: string, opts: { file?: string } = {}): { ids: string[]; folds: Int32Array } {
  const file = opts.file ?? 'folds.csv';
  const lines = csvLines(text);
  if (lines.length === 0) throw new CsvError(file, null, 'the file is empty');
  if (
    lines[0]
      .split(',')
      .map((h) => h.trim())
      .join(',') !== 'Id,fold'
  )
    throw new CsvError(file, 1, `header is '${lines[0]}', expected 'Id,fold'`);
  const ids = checkIds(lines, file);
  const folds = new Int32Array(ids.length);
  for (let i = 1; i < lines.length; i++) {
    const cells = lines[i].split(',');
    if (cells.length !== 2) throw new CsvError(file, i + 1, `expected 2 fields, found ${cells.length}`);
    const f = cells[1].trim();
    if (!/^\d+$/.test(f)) throw new CsvError(file, i + 1, `fold '${f}' is not an integer ≥ 0`);
    folds[i - 1] = Number(f);
  }
  return { ids, folds };
}

export function formatFoldsCsv(ids: readonly string[], folds: ArrayLike<number>): string {
  if (ids.length !== folds.length) throw new RangeError(`${folds.length} folds for ${ids.length} ids`);
  return ['Id,fold', ...ids.map((id, i) => `${id},${folds[i]}`)].join('\n') + '\n';
}
