import { memo, useMemo, useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { phaseStarts } from '../../core/phaseMarkers';
import { className } from '../../core/labels';
import { rarity } from '../evaluation/rarity';
import { configDiff } from './configDiff';
import { overlayRows, runColor, type CurveMetric, type HistoryPoint, type OverlayRow } from './overlay';
import './runs.css';

export interface RunSummary {
  id: string;
  name: string;
  /** the run's settings (model, loss, lr, …); nested objects are compared key by key */
  config: Record<string, unknown>;
  /** one entry per epoch */
  history: HistoryPoint[];
  /** validation F1 per class at the run's reported thresholds */
  perClassF1?: number[];
}

export interface RunsCompareProps {
  runs: RunSummary[];
}

const METRICS: { key: CurveMetric; title: string; domain?: [number, number] }[] = [
  { key: 'loss', title: 'Train loss' },
  { key: 'valLoss', title: 'Validation loss' },
  { key: 'valMacroF1', title: 'Validation macro F1', domain: [0, 1] },
];

interface Picked {
  run: RunSummary;
  color: string;
}

const fmtTick = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(2));

/** One metric of the selected runs by epoch, a line per run in the run's colour. */
const OverlayChart = memo(function OverlayChart({
  picked,
  metric,
  title,
  domain,
}: {
  picked: Picked[];
  metric: CurveMetric;
  title: string;
  domain?: [number, number];
}) {
  const data: OverlayRow[] = useMemo(
    () =>
      overlayRows(
        picked.map((p) => p.run),
        metric,
      ),
    [picked, metric],
  );
  return (
    <figure className="runs-chart" data-testid={`runs-${metric}`} aria-label={title}>
      <figcaption>{title}</figcaption>
      {data.length === 0 ? (
        <p className="chart-note">No {title.toLowerCase()} recorded for the selected runs.</p>
      ) : (
        <ResponsiveContainer width="100%" height={200}>
          <LineChart data={data} margin={{ top: 4, right: 10, bottom: 4, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="epoch" type="number" domain={['dataMin', 'dataMax']} allowDecimals={false} tick={{ fontSize: 10 }} />
            <YAxis domain={domain ?? ['auto', 'auto']} width={44} tick={{ fontSize: 10 }} tickFormatter={fmtTick} />
            <Tooltip isAnimationActive={false} formatter={(v) => (typeof v === 'number' ? v.toFixed(4) : String(v))} labelFormatter={(e) => `epoch ${e}`} />
            <Legend wrapperStyle={{ fontSize: 11 }} />
            {/* each run's phase changes, between the last epoch of one phase and the first of the next */}
            {picked.flatMap(({ run, color }) =>
              phaseStarts(run.history).map((s) => (
                <ReferenceLine
                  key={`${run.id}:${s.epoch}`}
                  x={s.epoch - 0.5}
                  stroke={color}
                  strokeDasharray="4 2"
                  label={{ value: s.phaseName, fill: '#495057', fontSize: 10, position: 'insideTopLeft' }}
                />
              )),
            )}
            {picked.map(({ run, color }) => (
              <Line
                key={run.id}
                name={run.name}
                dataKey={(row: OverlayRow) => row[run.id]}
                stroke={color}
                dot={data.length < 30}
                connectNulls
                isAnimationActive={false}
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
      )}
    </figure>
  );
});

const fmtF1 = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '—' : v.toFixed(3));
const fmtDelta = (d: number) => (Number.isNaN(d) ? '—' : `${d > 0 ? '+' : d < 0 ? '−' : '±'}${Math.abs(d).toFixed(3)}`);

/** Per-class F1 of the selected runs, with each run's difference to the first selected run. */
function PerClassF1Table({ picked }: { picked: Picked[] }) {
  const withF1 = picked.filter((p) => p.run.perClassF1?.length);
  if (withF1.length < 2) return <p className="chart-note">Per-class F1 needs two selected runs that recorded it.</p>;
  const base = withF1[0];
  const numClasses = Math.max(...withF1.map((p) => p.run.perClassF1!.length));
  return (
    <div className="runs-table-wrap">
      <table className="runs-table" data-testid="runs-per-class-f1">
        <caption>
          Per-class F1 (Δ against <strong>{base.run.name}</strong>)
        </caption>
        <thead>
          <tr>
            <th>Class</th>
            {withF1.map((p, i) => (
              <th key={p.run.id} colSpan={i === 0 ? 1 : 2} className="num">
                {/* the run's curve colour as a swatch: as text colour some colours are unreadable */}
                <span className="run-swatch" style={{ background: p.color }} aria-hidden /> {p.run.name}
                {i > 0 && ' · Δ'}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {Array.from({ length: numClasses }, (_, c) => {
            const b = base.run.perClassF1![c];
            return (
              <tr key={c} className={rarity(c)}>
                <td>
                  {c} · {className(c)}
                  {rarity(c) !== 'common' && <span className="rarity-mark"> {rarity(c) === 'rare' ? '★' : '◇'}</span>}
                </td>
                {withF1.map((p, i) => {
                  const v = p.run.perClassF1![c];
                  const d = v - b;
                  return i === 0 ? (
                    <td key={p.run.id} className="num">
                      {fmtF1(v)}
                    </td>
                  ) : (
                    [
                      <td key={p.run.id} className="num">
                        {fmtF1(v)}
                      </td>,
                      <td key={`${p.run.id}-d`} className={`num delta ${d > 0 ? 'up' : d < 0 ? 'down' : ''}`}>
                        {fmtDelta(d)}
                      </td>,
                    ]
                  );
                })}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** Compare two or more runs: overlaid curves, per-class F1 with deltas, and the config keys that differ. */
export function RunsCompare({ runs }: RunsCompareProps) {
  // null until the user ticks a box: then the first two runs are compared (also when they arrive later)
  const [chosen, setChosen] = useState<ReadonlySet<string> | null>(null);
  const selected = useMemo(() => chosen ?? new Set(runs.slice(0, 2).map((r) => r.id)), [chosen, runs]);
  const toggle = (id: string) => {
    const next = new Set(selected);
    if (!next.delete(id)) next.add(id);
    setChosen(next);
  };
  const picked: Picked[] = useMemo(() => runs.flatMap((run, i) => (selected.has(run.id) ? [{ run, color: runColor(i) }] : [])), [runs, selected]);
  const diff = useMemo(() => configDiff(picked.map((p) => p.run.config)), [picked]);

  if (runs.length === 0) return <p className="runs-empty">No runs yet: train a model to compare runs here.</p>;
  return (
    <div className="runs-compare">
      <fieldset className="runs-list">
        <legend>Runs (select two or more)</legend>
        {runs.map((run, i) => {
          const last = run.history[run.history.length - 1];
          return (
            <label key={run.id} className="run-choice">
              <input type="checkbox" checked={selected.has(run.id)} onChange={() => toggle(run.id)} aria-label={`Compare ${run.name}`} />
              <span className="run-swatch" style={{ background: runColor(i) }} />
              {run.name}
              <small>
                {run.history.length} epochs
                {last?.valMacroF1 !== undefined && ` · val macro F1 ${last.valMacroF1.toFixed(4)}`}
              </small>
            </label>
          );
        })}
      </fieldset>
      {picked.length < 2 && <p className="chart-note">Select at least two runs to compare them.</p>}
      {picked.length > 0 && (
        <>
          <div className="runs-charts">
            {METRICS.map((m) => (
              <OverlayChart key={m.key} picked={picked} metric={m.key} title={m.title} domain={m.domain} />
            ))}
          </div>
          {picked.length >= 2 && (
            <div className="runs-tables">
              <PerClassF1Table picked={picked} />
              <div className="runs-table-wrap">
                <table className="runs-table" data-testid="runs-config-diff">
                  <caption>Config differences</caption>
                  <thead>
                    <tr>
                      <th>Key</th>
                      {picked.map((p) => (
                        <th key={p.run.id}>
                          <span className="run-swatch" style={{ background: p.color }} aria-hidden /> {p.run.name}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {diff.length === 0 ? (
                      <tr>
                        <td colSpan={picked.length + 1}>The selected runs have the same config.</td>
                      </tr>
                    ) : (
                      diff.map((row) => (
                        <tr key={row.key}>
                          <td className="key">{row.key}</td>
                          {row.values.map((v, i) => (
                            <td key={picked[i].run.id}>{v}</td>
                          ))}
                        </tr>
                      ))
                    )}
                  </tbody>
                </table>
              </div>
            </div>
          )}
        </>
      )}
    </div>
  );
}
