/**
 * A lesson's report for download: the per-class table with the rare/common/all rows as CSV, and
 * the whole record with its summary (findings, notes, the definition of spread) as JSON.
 */
import { SPREAD_DEFINITION } from './stats';
import type { Cell, DiffCell, LessonSummary } from './summary';
import { THRESHOLD_CHOICES } from './summary';
import type { LessonRecord } from './types';
import { lessonVariant, REFERENCE_VARIANT } from './variants';

const num = (x: number) => (Number.isFinite(x) ? String(Math.round(x * 1e6) / 1e6) : '');
const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** The per-class table (mean, spread and seeds per variant and threshold; paired difference and verdict per variant) and the group rows. */
export function lessonCsv(s: LessonSummary): string {
  const others = s.variants.filter((v) => v !== REFERENCE_VARIANT);
  const header = ['class', 'name', 'rare', 'val_positives', 'train_positives'];
  for (const v of s.variants) for (const t of THRESHOLD_CHOICES) header.push(`${v}_${t}_mean`, `${v}_${t}_spread`, `${v}_${t}_seeds`);
  for (const v of others)
    for (const t of THRESHOLD_CHOICES)
      header.push(`${v}_minus_${REFERENCE_VARIANT}_${t}_mean`, `${v}_minus_${REFERENCE_VARIANT}_${t}_spread`, `${v}_minus_${REFERENCE_VARIANT}_${t}_verdict`);
  const cols = (cells: Partial<Record<string, Cell>>, diffs: Partial<Record<string, DiffCell>>) => {
    const out: string[] = [];
    for (const v of s.variants)
      for (const t of THRESHOLD_CHOICES) {
        const c = cells[v]?.[t];
        out.push(c ? num(c.mean) : '', c ? num(c.halfRange) : '', c ? String(c.n) : '0');
      }
    for (const v of others)
      for (const t of THRESHOLD_CHOICES) {
        const d = diffs[v]?.[t];
        out.push(d ? num(d.mean) : '', d ? num(d.halfRange) : '', d ? d.verdict : 'not-measured');
      }
    return out;
  };
  const lines = [header.join(',')];
  for (const r of s.classes)
    lines.push(
      [String(r.cls), quote(r.name), r.rare ? '1' : '0', String(r.valPositives ?? ''), String(r.trainPositives ?? ''), ...cols(r.cells, r.diffs)].join(','),
    );
  for (const g of s.groups) lines.push([`${g.group} classes`, quote(g.classes.join(' ')), '', '', '', ...cols(g.cells, g.diffs)].join(','));
  return lines.join('\n') + '\n';
}

/** The lesson and its summary as one JSON document. */
export function lessonJson(lesson: LessonRecord, s: LessonSummary): string {
  return JSON.stringify(
    {
      kind: 'hpa-studio loss lesson',
      spread: SPREAD_DEFINITION,
      variants: s.variants.map((v) => ({ id: v, label: lessonVariant(v).label, what: lessonVariant(v).what })),
      lesson: lesson,
      findings: s.findings.map((f) => f.sentence),
      notes: s.notes,
      groups: s.groups,
      classes: s.classes,
    },
    (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v),
    2,
  );
}
