import { memo, useCallback, useMemo, useRef, useState } from 'react';
import { NUM_CLASSES } from '../../core/labels';
import { lessonCsv, lessonJson } from '../../core/lesson/report';
import { formatDifference, formatSpread, SPREAD_DEFINITION, type PairedDifference } from '../../core/lesson/stats';
import { summarizeLesson, THRESHOLD_WORDS, type Cell, type DiffCell, type LessonSummary, type ThresholdChoice } from '../../core/lesson/summary';
import type { LessonRecord } from '../../core/lesson/types';
import { lessonVariant, lessonVariantIds, REFERENCE_VARIANT, type LessonVariantId } from '../../core/lesson/variants';
import { UNDER_ONE_PERCENT } from '../evaluation/rarity';
import { downloadUrl } from '../store/exportSlice';
import { useStable } from './useStable';

const VERDICT_MARK: Record<PairedDifference['verdict'], string> = {
  higher: '▲',
  lower: '▼',
  none: '',
  'one-seed': '',
  'not-measured': '',
};

/** The lesson's summary from its runs, recomputed only when a run starts or ends (not on every epoch). */
export function useLessonSummary(lesson: LessonRecord): LessonSummary {
  const variants = useMemo(() => lessonVariantIds(lesson.settings), [lesson.settings]);
  const runs = useStable(lesson.runs, lesson.runs.map((r) => `${r.runId}:${r.status}:${r.trainImages}`).join(','));
  return useMemo(() => summarizeLesson(runs, variants, UNDER_ONE_PERCENT, NUM_CLASSES), [runs, variants]);
}

function download(content: string, type: string, fileName: string) {
  const url = URL.createObjectURL(new Blob([content], { type }));
  downloadUrl(url, fileName);
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function DiffText({ d }: { d: PairedDifference | undefined }) {
  if (!d || d.n === 0) return null;
  return (
    <span
      className={`lesson-diff ${d.verdict}`}
      data-verdict={d.verdict}
      title={d.perSeed.map((x, i) => `seed ${d.seeds[i]}: ${x >= 0 ? '+' : ''}${x.toFixed(3)}`).join(', ')}
    >
      Δ {formatDifference(d)} {VERDICT_MARK[d.verdict]}
    </span>
  );
}

const ValueCells = memo(function ValueCells({
  variants,
  cells,
  diffs,
  t,
}: {
  variants: LessonVariantId[];
  cells: Partial<Record<LessonVariantId, Cell>>;
  diffs: Partial<Record<LessonVariantId, DiffCell>>;
  t: ThresholdChoice;
}) {
  return (
    <>
      {variants.map((v) => (
        <td key={v} className="num">
          {formatSpread(cells[v]![t])}
          {v !== REFERENCE_VARIANT && (
            <>
              <br />
              <DiffText d={diffs[v]?.[t]} />
            </>
          )}
        </td>
      ))}
    </>
  );
});

/** What the lesson found: the sentences, the rare/common summary, the per-class table, why numbers are poor, and the report. */
export const LessonResults = memo(function LessonResults({ lesson }: { lesson: LessonRecord }) {
  const s = useLessonSummary(lesson);
  const anyDone = lesson.runs.some((r) => r.status === 'done');
  // the report is made when asked for: the lesson changes every epoch
  const latest = useRef(lesson);
  latest.current = lesson;
  const stamp = new Date(lesson.createdAt).toISOString().slice(0, 16).replace(/[:T]/g, '-');
  const downloadCsv = useCallback(() => download(lessonCsv(s), 'text/csv', `loss-lesson-${stamp}.csv`), [s, stamp]);
  const downloadJson = useCallback(() => download(lessonJson(latest.current, s), 'application/json', `loss-lesson-${stamp}.json`), [s, stamp]);
  return <LessonTables s={s} anyDone={anyDone} onCsv={downloadCsv} onJson={downloadJson} />;
});

const LessonTables = memo(function LessonTables({ s, anyDone, onCsv, onJson }: { s: LessonSummary; anyDone: boolean; onCsv: () => void; onJson: () => void }) {
  const [t, setT] = useState<ThresholdChoice>('at05');
  const variants = s.variants;
  const headline = s.findings.filter((f) => f.group === 'rare');
  const others = s.findings.filter((f) => f.group !== 'rare');
  return (
    <div className="lesson-results" data-testid="lesson-results">
      <h3>What this lesson found</h3>
      {!anyDone ? (
        <p className="hint">The findings appear here as runs finish; the first comparison needs one run of each variant.</p>
      ) : (
        <>
          <ul className="lesson-findings">
            {headline.map((f) => (
              <li key={`${f.variant}-${f.threshold}`} data-testid="lesson-finding" data-verdict={f.verdict}>
                {f.sentence}
              </li>
            ))}
          </ul>
          {others.length > 0 && (
            <details className="lesson-more">
              <summary>Common classes and all classes</summary>
              <ul className="lesson-findings">
                {others.map((f) => (
                  <li key={`${f.group}-${f.variant}-${f.threshold}`} data-verdict={f.verdict}>
                    {f.sentence}
                  </li>
                ))}
              </ul>
            </details>
          )}
        </>
      )}
      <p className="lesson-definition" data-testid="lesson-spread-definition">
        {SPREAD_DEFINITION} Tuned thresholds are fitted per class on the same validation images they are scored on, so those F1 values are optimistic for every
        variant alike. Rare classes: the 7 under 1 % of the real competition’s training images (8, 9, 10, 15, 17, 20, 27).
      </p>
      {s.notes.length > 0 && (
        <ul className="lesson-notes" data-testid="lesson-notes">
          {s.notes.map((n) => (
            <li key={n}>⚠ {n}</li>
          ))}
        </ul>
      )}
      <div className="setup-row">
        <span>F1</span>
        {(['at05', 'tuned'] as const).map((x) => (
          <label key={x}>
            <input type="radio" name="lesson-threshold" checked={t === x} onChange={() => setT(x)} /> {THRESHOLD_WORDS[x]}
          </label>
        ))}
        <button data-testid="lesson-export-csv" disabled={!anyDone} onClick={onCsv}>
          Download the table (CSV)
        </button>
        <button data-testid="lesson-export-json" disabled={!anyDone} onClick={onJson}>
          Download the report (JSON)
        </button>
      </div>
      <table className="lesson-table" data-testid="lesson-summary">
        <thead>
          <tr>
            <th>Classes</th>
            {variants.map((v) => (
              <th key={v} title={lessonVariant(v).what}>
                {lessonVariant(v).label}
                <br />
                <small>
                  {(s.seedsDone[v] ?? []).length} seed{(s.seedsDone[v] ?? []).length === 1 ? '' : 's'}
                </small>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {s.groups.map((g) => (
            <tr key={g.group} className={g.group === 'rare' ? 'rare' : undefined} data-group={g.group}>
              <th>
                {g.group === 'rare' ? 'Rare classes' : g.group === 'common' ? 'Common classes' : 'All scored classes'} ({g.classes.length}), mean F1
              </th>
              <ValueCells variants={variants} cells={g.cells} diffs={g.diffs} t={t} />
            </tr>
          ))}
        </tbody>
      </table>
      <details className="lesson-more" open={anyDone}>
        <summary>Per class</summary>
        <table className="lesson-table" data-testid="lesson-class-table">
          <thead>
            <tr>
              <th>Class</th>
              <th title="validation positives (the same split for every run)">val +</th>
              {variants.map((v) => (
                <th key={v}>{lessonVariant(v).label}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {s.classes.map((r) => (
              <tr key={r.cls} className={r.rare ? 'rare' : undefined} data-class={r.cls}>
                <th>
                  {r.cls} {r.name}
                </th>
                <td className="num">{r.valPositives ?? '–'}</td>
                {r.valPositives === 0 ? (
                  <td colSpan={variants.length} className="lesson-unscored">
                    no validation positives: its F1 cannot be measured
                  </td>
                ) : (
                  <ValueCells variants={variants} cells={r.cells} diffs={r.diffs} t={t} />
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </div>
  );
});
