import type { SkipRecord } from './catalog';

/** The skipped samples of an import as CSV (subject,reason), for download. */
export function skippedCsv(skipped: readonly SkipRecord[]): string {
  const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return ['subject,reason', ...skipped.map((s) => `${q(s.subject)},${q(s.reason)}`)].join('\n') + '\n';
}

/**
 * A dataset's skip list after one more import into it: this import's records, after the earlier ones
 * that still hold. An earlier record goes when this import skipped the same file or sample again
 * (its new record replaces it) or stored the sample it was about.
 */
export function mergeSkipped(previous: readonly SkipRecord[], current: readonly SkipRecord[], storedNow: ReadonlySet<string>): SkipRecord[] {
  const again = new Set(current.flatMap((s) => [s.subject, ...(s.sample ? [s.sample] : [])]));
  const keep = previous.filter((s) => !again.has(s.subject) && !(s.sample && (again.has(s.sample) || storedNow.has(s.sample))));
  return [...keep, ...current];
}

/** The first `n` skip records as "file — reason" lines and how many more there are. */
export function firstSkipped(skipped: readonly SkipRecord[], n = 5): { lines: string[]; more: number } {
  return { lines: skipped.slice(0, n).map((s) => `${s.subject} — ${s.reason}`), more: Math.max(0, skipped.length - n) };
}
