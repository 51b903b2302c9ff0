/**
 * The Kaggle HPA file layout (docs/domain.md §1): which archive entry is which. Tolerates one
 * top-level folder around everything, upper-case extensions, and PNGs with or without a
 * train/ or test/ folder.
 */

export const CHANNELS = ['red', 'green', 'blue', 'yellow'] as const;
export type Channel = (typeof CHANNELS)[number];
export type SplitHint = 'train' | 'test' | null;

export type CsvRole = 'train' | 'sample_submission' | 'test_labels';

export type LayoutEntry =
  | { kind: 'csv'; role: CsvRole; path: string }
  | { kind: 'png'; id: string; channel: Channel; split: SplitHint; path: string }
  | { kind: 'other'; path: string };

const PNG_RE = /^(.+)_(red|green|blue|yellow)\.png$/i;

export function classifyPath(path: string): LayoutEntry {
  const parts = path.split(/[\\/]/).filter(Boolean);
  const base = parts[parts.length - 1] ?? '';
  if (parts.some((p) => p === '__MACOSX') || base.startsWith('._')) return { kind: 'other', path };
  const lower = base.toLowerCase();
  if (lower === 'train.csv') return { kind: 'csv', role: 'train', path };
  if (lower === 'sample_submission.csv') return { kind: 'csv', role: 'sample_submission', path };
  if (lower === 'test_labels.csv') return { kind: 'csv', role: 'test_labels', path };
  const m = PNG_RE.exec(base);
  if (m) {
    const folders = parts.slice(0, -1).map((p) => p.toLowerCase());
    const split: SplitHint = folders.includes('test') ? 'test' : folders.includes('train') ? 'train' : null;
    return { kind: 'png', id: m[1], channel: m[2].toLowerCase() as Channel, split, path };
  }
  return { kind: 'other', path };
}
