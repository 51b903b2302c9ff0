import { memo, useDeferredValue, useEffect, useMemo, useRef, useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ReferenceDot, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { CLASS_NAMES } from '../../core/labels';
import { figureWords, formatWhen } from '../../core/backendChoice';
import { fmtBytes, fmtDuration, fmtInt } from '../format';
import { useStudio } from '../store';
import { ChartSlot, useQueuedValue } from '../chartQueue';
import type { LiveRun as Live } from '../store/runsSlice';

/** The value, updated at most once per `ms` (and at once when `key` changes): for charts that need not redraw at every batch. */
function useThrottled<T>(value: T, ms: number, key: unknown): T {
  const [shown, setShown] = useState(value);
  const last = useRef({ at: 0, key });
  useEffect(() => {
    const since = performance.now() - last.current.at;
    if (since >= ms || last.current.key !== key) {
      last.current = { at: performance.now(), key };
      setShown(value);
      return;
    }
    const id = setTimeout(() => {
      last.current = { at: performance.now(), key };
      setShown(value);
    }, ms - since);
    return () => clearTimeout(id);
  }, [value, ms, key]);
  return shown;
}

/** Exponential moving average, TensorBoard style (debiased at the start). */
export function smooth(values: number[], weight: number): number[] {
  let last = 0;
  let n = 0;
  return values.map((v) => {
    n++;
    last = last * weight + (1 - weight) * v;
    return last / (1 - weight ** n);
  });
}

// memo: the charts re-render only when their (throttled, deferred) data changes, not on every
// progress message that re-renders the view around them.
const LossChart = memo(function LossChart({ live, smoothing }: { live: Live; smoothing: number }) {
  const bpe = live.progress?.batchesPerEpoch ?? 1;
  const computed = useMemo(() => {
    const s = smooth(
      live.points.map((p) => p.loss),
      smoothing,
    );
    // at most ~200 drawn points: SVG cost grows with points, the curve's shape does not
    const every = Math.max(1, Math.ceil(live.points.length / 200));
    const rows: { step: number; smoothed?: number; train?: number; val?: number }[] = live.points
      .map((p, i) => ({ step: p.step, smoothed: s[i] }))
      .filter((_, i) => i % every === 0 || i === live.points.length - 1);
    for (const e of live.epochs) rows.push({ step: e.epoch * bpe, train: e.loss, val: e.valLoss });
    return rows.sort((a, b) => a.step - b.step);
  }, [live.points, live.epochs, smoothing, bpe]);
  const data = useQueuedValue(computed);
  const phaseChanges = live.epochs.filter((e, i) => i > 0 && e.phase !== live.epochs[i - 1].phase);
  return (
    <ChartSlot minHeight={220}>
      <ResponsiveContainer width="100%" height={220}>
        <LineChart data={data} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
          <CartesianGrid vertical={false} strokeDasharray="3 3" />
          <XAxis
            dataKey="step"
            type="number"
            domain={['dataMin', 'dataMax']}
            tickFormatter={(s: number) => `${(s / bpe).toFixed(1)}`}
            label={{ value: 'epoch', position: 'insideBottomRight', offset: -2 }}
          />
          <YAxis width={48} tickFormatter={(v: number) => v.toFixed(3)} />
          <Tooltip
            isAnimationActive={false}
            formatter={(v) => (typeof v === 'number' ? v.toFixed(4) : String(v))}
            labelFormatter={(s) => `epoch ${(Number(s) / bpe).toFixed(2)}`}
          />
          <Legend />
          <Line dataKey="smoothed" name="batch loss (smoothed)" stroke="#1a56c4" dot={false} isAnimationActive={false} connectNulls strokeWidth={2} />
          <Line dataKey="train" name="train loss (epoch)" stroke="#0b7a55" isAnimationActive={false} connectNulls />
          <Line dataKey="val" name="val loss (epoch)" stroke="#d9480f" isAnimationActive={false} connectNulls />
          {phaseChanges.map((e) => (
            <ReferenceLine
              key={e.epoch}
              x={(e.epoch - 1) * bpe}
              stroke="#7048e8"
              strokeDasharray="4 2"
              label={{ value: e.phaseName, fill: '#7048e8', fontSize: 11 }}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </ChartSlot>
  );
});

const EpochCharts = memo(function EpochCharts({ live }: { live: Live }) {
  // lr as log10 on a linear axis: recharts' log scale goes through decimal.js and is slow to draw
  const rows = useMemo(() => live.epochs.map((e) => ({ epoch: e.epoch, f1: e.valMacroF1, lr: Math.log10(e.learningRate) })), [live.epochs]);
  // two charts: two queue slots
  const f1Data = useQueuedValue(rows);
  const lrData = useQueuedValue(f1Data);
  const reductions = useQueuedValue(live.lrReductions);
  return (
    <div className="chart-pair">
      <ChartSlot minHeight={180}>
        <ResponsiveContainer width="50%" height={180}>
          <LineChart data={f1Data} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
            <CartesianGrid vertical={false} strokeDasharray="3 3" />
            <XAxis dataKey="epoch" />
            <YAxis width={48} domain={[0, 1]} tickFormatter={(v: number) => v.toFixed(2)} />
            <Tooltip isAnimationActive={false} formatter={(v) => (typeof v === 'number' ? v.toFixed(4) : String(v))} />
            <Legend />
            <Line dataKey="f1" name="val macro F1 (t = 0.5)" stroke="#d9480f" isAnimationActive={false} />
          </LineChart>
        </ResponsiveContainer>
      </ChartSlot>
      <ChartSlot minHeight={180}>
        <ResponsiveContainer width="50%" height={180}>
          <LineChart data={lrData} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
            <CartesianGrid vertical={false} strokeDasharray="3 3" />
            <XAxis dataKey="epoch" />
            <YAxis width={56} domain={['auto', 'auto']} tickFormatter={(v: number) => (10 ** v).toExponential(0)} />
            <Tooltip isAnimationActive={false} formatter={(v) => (typeof v === 'number' ? (10 ** v).toExponential(2) : String(v))} />
            <Legend />
            <Line dataKey="lr" name="learning rate (log scale)" stroke="#495057" isAnimationActive={false} />
            {reductions.map((r) => (
              <ReferenceDot
                key={r.epoch}
                x={r.epoch}
                y={Math.log10(r.lr)}
                r={5}
                fill="#e8590c"
                stroke="none"
                label={{ value: '↓ plateau', fontSize: 10, position: 'top' }}
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </ChartSlot>
    </div>
  );
});

/** The live view of the current run: progress, speed, memory, controls and curves. */
export function LiveRunView() {
  const live = useStudio((s) => s.live);
  const pause = useStudio((s) => s.pauseRun);
  const resume = useStudio((s) => s.resumeRun);
  const stop = useStudio((s) => s.stopRun);
  // the loss lesson's runs still to train after this one
  const queue = useStudio((s) => (s.lesson?.status === 'running' ? s.lesson.runs.filter((r) => r.status === 'pending').length : 0));
  const [smoothing, setSmoothing] = useState(0.8);
  // charts render from a deferred copy (interruptible), the numbers above them at once
  const chartLive = useDeferredValue(useThrottled(live, 2000, `${live?.runId}:${live?.epochs.length}:${live?.phase}`));
  if (!live) return null;
  const p = live.progress;
  const info = live.info;
  const total = info?.totalEpochs ?? 0;
  const doneBatches = p ? (p.epoch - 1) * p.batchesPerEpoch + p.batch : 0;
  const totalBatches = p ? total * p.batchesPerEpoch : 0;
  const elapsed = (Date.now() - live.startedAt) / 1000;
  const imagesPerBatch = info && p ? info.trainAfterSampling / p.batchesPerEpoch : 0;
  const eta = p && p.imagesPerSecond > 0 ? ((totalBatches - doneBatches) * imagesPerBatch) / p.imagesPerSecond : Infinity;
  const ended = live.phase === 'ended';
  return (
    <div className="live-run" data-testid="live-run">
      <div className="live-head">
        <strong>{live.name}</strong>
        <span data-testid="run-state">
          {ended
            ? `${live.status}${live.message ? `: ${live.message}` : ''}`
            : live.paused
              ? 'paused'
              : live.phase === 'loading'
                ? 'preparing…'
                : live.phase === 'starting'
                  ? 'starting…'
                  : 'training'}
        </span>
        {!ended && (
          <span className="live-controls">
            {live.paused ? (
              <button onClick={resume} data-testid="resume">
                Resume
              </button>
            ) : (
              <button onClick={pause} data-testid="pause" disabled={live.phase !== 'training'}>
                Pause
              </button>
            )}
            <button onClick={stop} data-testid="stop">
              Stop
            </button>
          </span>
        )}
        {queue > 0 && <span>{queue} more lesson run(s) to go</span>}
      </div>
      {live.loading && (
        <div data-testid="run-loading">
          {live.loading.total > 0 ? (
            <>
              Reading images: {fmtInt(live.loading.done)} / {fmtInt(live.loading.total)}{' '}
              <progress max={live.loading.total} value={live.loading.done} aria-label="Reading images" />
            </>
          ) : (
            live.loading.note
          )}
        </div>
      )}
      {info && (
        <div className="live-info" data-testid="run-info">
          {info.backend} · {fmtInt(info.params)} params · {fmtInt(info.trainImages)} train ({fmtInt(info.trainAfterSampling)} after sampling) /{' '}
          {fmtInt(info.valImages)} val images
          <div data-testid="data-path">
            images: {info.data.storage === 'opfs' ? 'OPFS' : 'IndexedDB'} by {info.data.via === 'sync' ? 'sync reads' : 'File reads'}
            {info.data.feedWorker ? ' in a feed worker' : ''},{' '}
            {info.data.inMemoryBytes === null ? 'streamed (3 batches read ahead)' : `held in memory (${fmtBytes(info.data.inMemoryBytes)})`}
          </div>
          {info.backendProbe && (
            <div data-testid="backend-probe" title={info.autoBackend?.reason}>
              Auto backend, {info.autoBackend?.remembered ? `remembered from ${formatWhen(info.autoBackend.choice.measuredAt)}` : 'measured on this model'}
              {info.autoBackend && !info.autoBackend.remembered ? ` in ${info.autoBackend.choice.seconds.toFixed(1)} s` : ''}:{' '}
              {info.backendProbe.map(figureWords).join(' · ')} → {info.backend}
            </div>
          )}
          {info.autoBackend && (
            <div className="hint" data-testid="backend-choice-why">
              {info.autoBackend.reason}
            </div>
          )}
          {info.classesWithoutValPositives.length > 0 && (
            <div className="warn" data-testid="no-val-positives">
              ⚠ No validation positives for {info.classesWithoutValPositives.length} class(es), so their F1 cannot be measured:{' '}
              {info.classesWithoutValPositives.map((c) => `${c} ${CLASS_NAMES[c]}`).join(', ')}
            </div>
          )}
        </div>
      )}
      {p && (
        <div className="live-stats" data-testid="run-progress">
          <span>
            epoch {p.epoch}/{total} · batch {p.batch}/{p.batchesPerEpoch}
          </span>
          <progress max={p.batchesPerEpoch} value={p.batch} aria-label="Epoch progress" />
          <span data-testid="images-per-second">{p.imagesPerSecond.toFixed(1)} img/s</span>
          <span>ETA {ended ? '–' : fmtDuration(eta)}</span>
          <span>elapsed {fmtDuration(elapsed)}</span>
          <span>
            {fmtInt(p.numTensors)} tensors · {fmtBytes(p.numBytes)} on the backend
          </span>
          <span title="share of the epoch spent waiting for images from storage">data wait {(p.stallFraction * 100).toFixed(1)}%</span>
          <span
            data-testid="step-replay"
            title={p.replayOff ?? 'each replayed step reissues the recorded GPU commands with its own batch, without tfjs building them again'}
          >
            {p.stepsReplayed > 0 ? `${fmtInt(p.stepsReplayed)} of ${fmtInt(p.steps)} steps replayed` : 'steps through tfjs'}
          </span>
        </div>
      )}
      {/* the charts mount as soon as a run starts (empty): a chart's first draw is its costliest, and
          it then happens before training, not in the middle of it */}
      {
        <>
          <label className="smoothing">
            Smoothing{' '}
            <input
              type="range"
              min={0}
              max={0.99}
              step={0.01}
              value={smoothing}
              onChange={(e) => setSmoothing(Number(e.target.value))}
              aria-label="Smoothing"
            />{' '}
            {smoothing.toFixed(2)}
          </label>
          {chartLive && <LossChart live={chartLive} smoothing={smoothing} />}
        </>
      }
      {chartLive && <EpochCharts live={chartLive} />}
      <div className="epoch-table" data-testid="epoch-count">
        {live.epochs.length} epoch(s) done
        {live.epochs.length > 0 &&
          ` · last: loss ${live.epochs.at(-1)!.loss.toFixed(4)}, val loss ${live.epochs.at(-1)!.valLoss.toFixed(4)}, val macro F1 ${live.epochs.at(-1)!.valMacroF1.toFixed(4)}`}
      </div>
    </div>
  );
}
