import { memo, useDeferredValue, useEffect, useMemo, useRef, useState } from 'react';
import { CLASS_NAMES } from '../../core/labels';
import { windowRate } from '../../core/eta';
import { lossCurveRows, smoothLoss, type LossCurveRow } from '../../core/lossCurve';
import { figureWords, formatWhen } from '../../core/backendChoice';
import { fmtBytes, fmtDuration, fmtInt } from '../format';
import { useStudio } from '../store';
import { ChartSlot, useQueuedValue } from '../chartQueue';
import type { LiveRun as Live } from '../store/runsSlice';
import { phaseStarts } from '../../core/phaseMarkers';
import { LinePlot, type PlotSeries } from '../LinePlot';

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

const LOSS_SERIES: PlotSeries[] = [
  { key: 'smoothed', name: 'batch loss (smoothed)', color: '#1a56c4', width: 2, dots: false },
  { key: 'train', name: 'train loss (epoch mean, mid-epoch)', color: '#0b7a55' },
  { key: 'val', name: 'val loss (epoch)', color: '#d9480f' },
];
const F1_SERIES: PlotSeries[] = [{ key: 'f1', name: 'val macro F1 (t = 0.5)', color: '#d9480f' }];
const LR_SERIES: PlotSeries[] = [{ key: 'lr', name: 'learning rate (log scale)', color: '#495057' }];
const UNIT: [number, number] = [0, 1];

// memo: the charts re-render only when their (throttled, deferred) data changes, not on every
// progress message that re-renders the view around them.
const LossChart = memo(function LossChart({ live, smoothing }: { live: Live; smoothing: number }) {
  const bpe = live.progress?.batchesPerEpoch ?? 1;
  const computed = useMemo(() => lossCurveRows(live.points, live.epochs, bpe, smoothing), [live.points, live.epochs, smoothing, bpe]);
  const data = useQueuedValue(computed);
  const phaseChanges = useMemo(() => live.epochs.filter((e, i) => i > 0 && e.phase !== live.epochs[i - 1].phase), [live.epochs]);
  const markers = useMemo(() => phaseChanges.map((e) => ({ x: (e.epoch - 1) * bpe, label: e.phaseName.split(' (')[0] })), [phaseChanges, bpe]);
  return (
    <ChartSlot minHeight={220}>
      <LinePlot
        rows={data}
        x="step"
        series={LOSS_SERIES}
        height={220}
        ariaLabel="Loss curve"
        xFormat={(s) => (s / bpe).toFixed(1)}
        xTitle={(s) => `epoch ${(s / bpe).toFixed(2)}`}
        xLabel="epoch"
        yFormat={(v) => v.toFixed(3)}
        yAxisWidth={48}
        markers={markers}
      />
      <LossCurveData rows={data} batchesPerEpoch={bpe} />
    </ChartSlot>
  );
});

/** The run's epochs as a table, with the phase each ran in (drawn only while open). */
function EpochHistory({ epochs }: { epochs: Live['epochs'] }) {
  const [open, setOpen] = useState(false);
  return (
    <details className="loss-curve-data" data-testid="epoch-history" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>Epoch history</summary>
      {open && (
        <table>
          <thead>
            <tr>
              <th>epoch</th>
              <th>phase</th>
              <th>loss</th>
              <th>val loss</th>
              <th>val macro F1</th>
              <th>learning rate</th>
            </tr>
          </thead>
          <tbody>
            {epochs.map((e) => (
              <tr key={e.epoch}>
                <td>{e.epoch}</td>
                <td>{e.phaseName}</td>
                <td>{fmtLoss(e.loss)}</td>
                <td>{fmtLoss(e.valLoss)}</td>
                <td>{e.valMacroF1.toFixed(4)}</td>
                <td>{e.learningRate.toExponential(2)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </details>
  );
}

const fmtLoss = (v: number | undefined) => (v === undefined ? '' : v.toFixed(4));

/** The loss chart's text alternative: the plotted numbers, drawn only while open. */
function LossCurveData({ rows, batchesPerEpoch }: { rows: LossCurveRow[]; batchesPerEpoch: number }) {
  const [open, setOpen] = useState(false);
  return (
    <details className="loss-curve-data" data-testid="loss-curve-data" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>Loss curve data</summary>
      {open && (
        <table>
          <thead>
            <tr>
              <th>step</th>
              <th>epoch</th>
              <th>batch loss (smoothed)</th>
              <th>train loss (epoch mean)</th>
              <th>val loss (epoch)</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={i}>
                <td>{r.step}</td>
                <td>{(r.step / batchesPerEpoch).toFixed(2)}</td>
                <td>{fmtLoss(r.smoothed)}</td>
                <td>{fmtLoss(r.train)}</td>
                <td>{fmtLoss(r.val)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </details>
  );
}

const EpochCharts = memo(function EpochCharts({ live }: { live: Live }) {
  // lr as log10 on a linear axis: recharts' log scale goes through decimal.js and is slow to draw
  const rows = useMemo(() => live.epochs.map((e) => ({ epoch: e.epoch, f1: e.valMacroF1, lr: Math.log10(e.learningRate) })), [live.epochs]);
  // two charts: two queue slots
  const f1Data = useQueuedValue(rows);
  const lrData = useQueuedValue(f1Data);
  const reductions = useQueuedValue(live.lrReductions);
  // the first epoch of each later phase (the epoch axes are categories: a line on that epoch)
  const phases = useMemo(() => phaseStarts(live.epochs), [live.epochs]);
  const markers = useMemo(() => phases.map((s) => ({ x: s.epoch, label: s.phaseName.split(' (')[0] })), [phases]);
  const plateauDots = useMemo(() => reductions.map((r) => ({ x: r.epoch, y: Math.log10(r.lr), r: 5, color: '#e8590c', label: '↓ plateau' })), [reductions]);
  return (
    <div className="chart-pair">
      <ChartSlot minHeight={180}>
        <LinePlot
          rows={f1Data}
          x="epoch"
          integerX
          series={F1_SERIES}
          height={180}
          ariaLabel="Validation macro F1 by epoch"
          yDomain={UNIT}
          yFormat={(v) => v.toFixed(2)}
          xTitle={(e) => `epoch ${e}`}
          markers={markers}
        />
      </ChartSlot>
      <ChartSlot minHeight={180}>
        <LinePlot
          rows={lrData}
          x="epoch"
          integerX
          series={LR_SERIES}
          height={180}
          ariaLabel="Learning rate by epoch"
          yFormat={(v) => (10 ** v).toExponential(1)}
          valueFormat={(v) => (10 ** v).toExponential(2)}
          xTitle={(e) => `epoch ${e}`}
          yAxisWidth={52}
          markers={markers}
          dots={plateauDots}
        />
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
  const resumeOn = useStudio((s) => s.resumeRunOn);
  // the loss lesson's runs still to train after this one
  const queue = useStudio((s) => (s.lesson?.status === 'running' ? s.lesson.runs.filter((r) => r.status === 'pending').length : 0));
  const [smoothing, setSmoothing] = useState(0.8);
  // charts render from a deferred copy (interruptible), the numbers above them at once
  const chartLive = useDeferredValue(useThrottled(live, 2000, `${live?.runId}:${live?.epochs.length}:${live?.phase}`));
  const points = live?.points;
  const loss = useMemo(() => (points?.length ? smoothLoss(points, smoothing).at(-1)! : null), [points, smoothing]);
  if (!live) return null;
  const p = live.progress;
  const info = live.info;
  const total = info?.totalEpochs ?? 0;
  const elapsed = (Date.now() - live.startedAt) / 1000;
  const ended = live.phase === 'ended';
  const speed = windowRate(live.speed);
  const eta = ended ? '–' : live.paused ? 'paused' : live.eta.seconds === null ? 'estimating…' : fmtDuration(live.eta.seconds);
  const last = live.epochs.at(-1);
  const best = live.epochs.length ? Math.max(...live.epochs.map((e) => e.valMacroF1)) : null;
  return (
    <div className="live-run" data-testid="live-run">
      <div className="live-head">
        <strong>{live.name}</strong>
        <span data-testid="run-state">
          {ended
            ? `${live.status}${live.message ? `: ${live.message}` : ''}`
            : live.paused
              ? 'paused'
              : live.pausing
                ? 'pausing… (after the batch in flight)'
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
        {ended && live.resumeOn && (
          <span className="live-controls" data-testid="resume-choices">
            {live.resumeOn.map((b) => (
              <button key={b} onClick={() => resumeOn(live.runId, b)} data-testid={`resume-on-${b}`}>
                Resume on {b}
              </button>
            ))}
          </span>
        )}
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
      {p && (
        <div className="live-stats" data-testid="run-progress">
          <span data-testid="run-position">
            epoch {p.epoch}/{total} · batch {p.batch}/{p.batchesPerEpoch}
          </span>
          <progress max={p.batchesPerEpoch} value={p.batch} aria-label="Epoch progress" />
          <span data-testid="images-per-second" title="training images per second over the last 10 s of training (validation left out)">
            {(speed ?? p.imagesPerSecond).toFixed(1)} img/s
          </span>
          <span data-testid="eta">ETA {eta}</span>
          <span data-testid="live-loss" title={`the batch loss, smoothed as in the chart (${smoothing.toFixed(2)})`}>
            loss {loss === null ? '–' : loss.toFixed(4)}
          </span>
          <span data-testid="live-f1">
            val macro F1 {last ? last.valMacroF1.toFixed(4) : '–'}
            {best !== null && ` (best ${best.toFixed(4)})`}
          </span>
        </div>
      )}
      {info && info.classesWithoutValPositives.length > 0 && (
        <div className="warn" data-testid="no-val-positives">
          ⚠ No validation positives for {info.classesWithoutValPositives.length} class(es), so their F1 cannot be measured:{' '}
          {info.classesWithoutValPositives.map((c) => `${c} ${CLASS_NAMES[c]}`).join(', ')}
        </div>
      )}
      {info?.memory.verdict === 'warn' && (
        <p className="warn" role="status" data-testid="run-memory-warning">
          ⚠ {info.memory.message}
        </p>
      )}
      {info?.weightsFrom && (
        <p className="hint" data-testid="run-weights">
          Backbone from {info.weightsFrom.fileName}: {fmtInt(info.weightsFrom.loaded)} tensors loaded
          {info.weightsFrom.widened.length ? `, ${info.weightsFrom.widened.join(', ')} widened to four channels (yellow from red)` : ''}
          {info.weightsFrom.notLoaded.length
            ? `; ${info.weightsFrom.notLoaded.length} left random: ${info.weightsFrom.notLoaded.slice(0, 6).join(', ')}${info.weightsFrom.notLoaded.length > 6 ? ', …' : ''}`
            : ''}
          .
        </p>
      )}
      {(info || p) && (
        <details className="run-details" data-testid="run-details">
          <summary>Run details</summary>
          {info && (
            <div className="live-info" data-testid="run-info">
              {info.backend} · {fmtInt(info.params)} params · {fmtInt(info.trainImages)} train ({fmtInt(info.trainAfterSampling)} after sampling) /{' '}
              {fmtInt(info.valImages)} val images · memory estimate, checked before training: {fmtBytes(info.memory.totalBytes)}
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
            </div>
          )}
          {p && (
            <div className="live-stats">
              <span>elapsed {fmtDuration(elapsed)}</span>
              <span>last report {p.imagesPerSecond.toFixed(1)} img/s</span>
              <span>
                {fmtInt(p.numTensors)} tensors · {fmtBytes(p.numBytes)} on the backend
              </span>
              <span title="share of the epoch spent waiting for images from storage">data wait {(p.stallFraction * 100).toFixed(1)}%</span>
              <span
                data-testid="step-replay"
                title={p.replayOff ?? 'each replayed step reissues the recorded GPU commands with its own batch, without tfjs building them again'}
              >
                {p.stepsReplayed > 0 ? `${fmtInt(p.stepsReplayed)} of ${fmtInt(p.steps)} steps replayed` : 'steps through tfjs'}
                {/* on webgpu a model whose steps cannot be replayed says so, and why, in words (not only in the tooltip) */}
                {p.replayOff && info?.backend === 'webgpu' && ` · replay off for this run: ${p.replayOff}`}
              </span>
            </div>
          )}
        </details>
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
        {live.epochs.length > 0 && ` · phase: ${live.epochs.at(-1)!.phaseName}`}
      </div>
      {live.epochs.length > 0 && <EpochHistory epochs={live.epochs} />}
    </div>
  );
}
