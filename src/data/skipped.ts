import type { SkipRecord } from './catalog';

/** The skipped samples of an import as CSV (subject,reason), for download. */
export function skippedCsv(skipped: readonly SkipRecord[]): string {
  const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return ['subject,reason', ...skipped.map((s) => `${q(s.subject)},${q(s.reason)}`)].join('\n') + '\n';
}
