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
export function parseLabelCsv(
  text: string,
  opts: { file?: string; labelColumn?: 'Target' | 'Predicted' | 'any'; allowEmpty?: boolean } = {},
): LabelRow[] {
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
