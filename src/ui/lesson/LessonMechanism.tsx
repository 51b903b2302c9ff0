import { memo, useMemo, useState } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { ChartData } from '../ChartData';
import { className } from '../../core/labels';
import { HISTOGRAM_BINS, type ClassHistogram } from '../../core/lesson/gradientShare';
import { meanGradientByEpoch } from '../../core/lesson/summary';
import type { LessonRecord } from '../../core/lesson/types';
import { lessonVariant, lessonVariantIds, type LessonVariantId } from '../../core/lesson/variants';
import { ChartSlot, useQueuedValue } from '../chartQueue';
import { useStable } from './useStable';
import { UNDER_ONE_PERCENT } from '../evaluation/rarity';

export const VARIANT_COLORS: Record<LessonVariantId, string> = {
  bce: '#1d2433',
  focal: '#1a56c4',
  'focal-alpha': '#9c36b5',
  'bce-rare': '#d9480f',
};

const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)} %` : '–');

/** Per epoch and variant (mean over its seeds so far): the share of the loss gradient from rare-class positives and from easy negatives. */
const GradientShareView = memo(function GradientShareView({ lesson }: { lesson: LessonRecord }) {
  const variants = useMemo(() => lessonVariantIds(lesson.settings), [lesson.settings]);
  // a new epoch's shares change these; a run's start or end alone does not
  const fresh = useMemo(() => variants.map((v) => ({ v, epochs: meanGradientByEpoch(lesson.runs, v) })), [lesson.runs, variants]);
  const perVariant = useStable(fresh, JSON.stringify(fresh));
  const data = useMemo(() => {
    const n = Math.max(0, ...perVariant.map((p) => p.epochs.length));
    return Array.from({ length: n }, (_, e) => {
      const row: Record<string, number> = { epoch: e + 1 };
      for (const p of perVariant) {
        const g = p.epochs[e];
        if (g) {
          row[`${p.v}:rare`] = g.rarePositives * 100;
          row[`${p.v}:easy`] = g.easyNegatives * 100;
        }
      }
      return row;
    });
  }, [perVariant]);
  const shown = useQueuedValue(data);
  const upsampled = lesson.runs.find((r) => r.variant === 'bce-rare' && r.trainAfterSampling !== null);
  return (
    <div className="lesson-mechanism">
      <h3>Where the loss gradient comes from</h3>
      <p className="lesson-text">
        After each epoch, on the validation images: of the total |∂loss/∂logit| over every image × class, the share from the positives of the rare classes
        (solid) and from easy negatives, the “no” answers the model already gives with p_t &gt; 0.9 (dashed). The rest comes from the common classes’ positives
        and the hard negatives. Focal loss shrinks the easy negatives’ share, so the same step moves the model more towards its mistakes; α adds weight to the
        rare classes’ elements.
        {upsampled &&
          ` Upsampling leaves each element's gradient as BCE's: it changes how often rare-class images come in a batch (${upsampled.trainAfterSampling!.toLocaleString('en-US')} images an epoch instead of ${upsampled.trainImages?.toLocaleString('en-US')}), which these validation figures cannot show.`}
      </p>
      {data.length > 0 ? (
        <>
          <ChartSlot minHeight={240}>
            <ResponsiveContainer width="100%" height={240}>
              <LineChart data={shown} margin={{ top: 6, right: 14, bottom: 16, left: 0 }}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis
                  dataKey="epoch"
                  type="number"
                  domain={[1, 'dataMax']}
                  allowDecimals={false}
                  tick={{ fontSize: 10 }}
                  label={{ value: 'epoch', position: 'insideBottom', offset: -10, fontSize: 11 }}
                />
                <YAxis domain={[0, 'auto']} width={40} tick={{ fontSize: 10 }} tickFormatter={(v: number) => `${v.toFixed(0)}%`} />
                <Tooltip isAnimationActive={false} formatter={(v) => (typeof v === 'number' ? `${v.toFixed(1)} %` : String(v))} />
                <Legend verticalAlign="top" wrapperStyle={{ fontSize: 11 }} />
                {variants.flatMap((v) => [
                  <Line
                    key={`${v}:rare`}
                    dataKey={`${v}:rare`}
                    name={`${lessonVariant(v).label}: rare positives`}
                    stroke={VARIANT_COLORS[v]}
                    strokeWidth={2}
                    dot
                    isAnimationActive={false}
                  />,
                  <Line
                    key={`${v}:easy`}
                    dataKey={`${v}:easy`}
                    name={`${lessonVariant(v).label}: easy negatives`}
                    stroke={VARIANT_COLORS[v]}
                    strokeDasharray="5 4"
                    dot={false}
                    isAnimationActive={false}
                  />,
                ])}
              </LineChart>
            </ResponsiveContainer>
          </ChartSlot>
          <ChartData
            title="gradient share per epoch (%)"
            digits={1}
            columns={['Epoch', ...variants.flatMap((v) => [`${lessonVariant(v).label}: rare positives`, `${lessonVariant(v).label}: easy negatives`])]}
            rows={() => data.map((row) => [row.epoch, ...variants.flatMap((v) => [row[`${v}:rare`] ?? null, row[`${v}:easy`] ?? null])])}
          />
          <table className="lesson-table" data-testid="gradient-share">
            <thead>
              <tr>
                <th>Latest epoch, mean over seeds</th>
                <th>rare-class positives</th>
                <th>easy negatives (p_t &gt; 0.9)</th>
                <th>the rest</th>
                <th>runs</th>
              </tr>
            </thead>
            <tbody>
              {perVariant.map(({ v, epochs }) => {
                const g = epochs.at(-1);
                return (
                  <tr key={v} data-variant={v}>
                    <th>
                      {lessonVariant(v).label}
                      {g ? ` (epoch ${g.epoch})` : ''}
                    </th>
                    <td className="num">{g ? pct(g.rarePositives) : '–'}</td>
                    <td className="num">{g ? pct(g.easyNegatives) : '–'}</td>
                    <td className="num">{g ? pct(g.rest) : '–'}</td>
                    <td className="num">{g?.runs ?? 0}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      ) : (
        <p className="hint">The gradient shares appear after each run’s first epoch.</p>
      )}
    </div>
  );
});

function pooled(lesson: LessonRecord, v: LessonVariantId, cls: number): { pos: number[]; neg: number[]; runs: number } {
  const pos = new Array<number>(HISTOGRAM_BINS).fill(0);
  const neg = new Array<number>(HISTOGRAM_BINS).fill(0);
  let runs = 0;
  for (const r of lesson.runs) {
    if (r.variant !== v) continue;
    const hs: ClassHistogram[] | null = r.status === 'done' ? (r.metrics?.histograms ?? null) : r.status === 'running' ? r.liveHistograms : null;
    const h = hs?.find((x) => x.cls === cls);
    if (!h) continue;
    runs++;
    h.positives.forEach((n, b) => (pos[b] += n));
    h.negatives.forEach((n, b) => (neg[b] += n));
  }
  return { pos, neg, runs };
}

/** One variant's histogram; redrawn only when its counts change, in its own slot of the chart queue. */
const VariantHistogram = memo(function VariantHistogram({ v, runs, pos, neg }: { v: LessonVariantId; runs: number; pos: string; neg: string }) {
  const bins = useMemo(() => {
    const p = pos.split(',').map(Number);
    const n = neg.split(',').map(Number);
    const np = p.reduce((a, x) => a + x, 0);
    const nn = n.reduce((a, x) => a + x, 0);
    return {
      np,
      nn,
      rows: p.map((_, b) => ({ bin: (b / HISTOGRAM_BINS).toFixed(1), positives: np ? (p[b] / np) * 100 : 0, negatives: nn ? (n[b] / nn) * 100 : 0 })),
    };
  }, [pos, neg]);
  const shown = useQueuedValue(bins.rows);
  return (
    <figure className="lesson-histogram" data-variant={v}>
      <figcaption>
        {lessonVariant(v).label} <small>{runs ? `${bins.np} positives, ${bins.nn} negatives over ${runs} run${runs === 1 ? '' : 's'}` : 'no run yet'}</small>
      </figcaption>
      <ChartSlot minHeight={150}>
        <ResponsiveContainer width="100%" height={150}>
          <BarChart data={shown} margin={{ top: 4, right: 4, bottom: 0, left: 0 }} barCategoryGap={1}>
            <CartesianGrid vertical={false} strokeDasharray="3 3" />
            <XAxis dataKey="bin" tick={{ fontSize: 9 }} interval={1} />
            <YAxis width={30} tick={{ fontSize: 9 }} tickFormatter={(x: number) => `${x.toFixed(0)}%`} />
            <Tooltip
              isAnimationActive={false}
              formatter={(x) => (typeof x === 'number' ? `${x.toFixed(1)} %` : String(x))}
              labelFormatter={(b) => `p from ${b}`}
            />
            <Bar dataKey="positives" fill="#f08c00" isAnimationActive={false} />
            <Bar dataKey="negatives" fill="#8aa1b4" isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </ChartSlot>
      <ChartData
        title={`${lessonVariant(v).label}: share of positives and negatives per probability bin (%)`}
        digits={1}
        columns={['p from', 'Positives', 'Negatives']}
        rows={() => bins.rows.map((r) => [r.bin, r.positives, r.negatives])}
      />
    </figure>
  );
});

/** The predicted probabilities of one rare class, for its positives and its negatives, per variant (seeds pooled). */
const ProbabilityHistograms = memo(function ProbabilityHistograms({ lesson }: { lesson: LessonRecord }) {
  const variants = useMemo(() => lessonVariantIds(lesson.settings), [lesson.settings]);
  const valPositives = lesson.runs.find((r) => r.metrics)?.metrics?.valPositives ?? null;
  const candidates = UNDER_ONE_PERCENT.filter((c) => !valPositives || valPositives[c] > 0);
  const [chosen, setChosen] = useState<number | null>(null);
  const cls =
    chosen !== null && candidates.includes(chosen)
      ? chosen
      : (candidates.slice().sort((a, b) => (valPositives ? valPositives[b] - valPositives[a] : 0))[0] ?? null);
  const pooledCounts = useMemo(() => (cls === null ? [] : variants.map((v) => ({ v, ...pooled(lesson, v, cls) }))), [lesson, variants, cls]);
  if (cls === null) return null;
  return (
    <div className="lesson-histograms" data-testid="lesson-histogram">
      <h3>
        What the model says about a rare class:{' '}
        <select aria-label="Rare class" value={cls} onChange={(e) => setChosen(Number(e.target.value))}>
          {candidates.map((c) => (
            <option key={c} value={c}>
              {c} {className(c)}
              {valPositives ? ` (${valPositives[c]} validation positives)` : ''}
            </option>
          ))}
        </select>
      </h3>
      <p className="lesson-text">
        The share of the class’s validation positives (orange) and negatives (grey) per band of predicted probability, seeds pooled. A model that has learned
        the class pushes the positives right and keeps the negatives left; threshold 0.5 counts only the positives right of the middle.
      </p>
      <div className="lesson-histogram-row">
        {pooledCounts.map((d) => (
          <VariantHistogram key={d.v} v={d.v} runs={d.runs} pos={d.pos.join(',')} neg={d.neg.join(',')} />
        ))}
      </div>
    </div>
  );
});

/** The mechanism behind the lesson's numbers, live while it trains. */
export const LessonMechanism = memo(function LessonMechanism({ lesson }: { lesson: LessonRecord }) {
  return (
    <>
      <GradientShareView lesson={lesson} />
      <ProbabilityHistograms lesson={lesson} />
    </>
  );
});
