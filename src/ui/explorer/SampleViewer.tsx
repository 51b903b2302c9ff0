import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import type { SampleRecord } from '../../data/catalog';
import type { PixelReader } from '../../data/pixelStore';
import type { StudioState } from '../store';
import { useStudio } from '../store';
import { downloadUrl, jobBackend } from '../store/exportSlice';
import { camFileName, camRuns, chooseCamRun, topClass } from '../cam/camChoices';
import { camPng } from '../cam/camExport';
import { greyComposite } from '../../core/cam/camOverlay';
import { CamOverlay } from '../cam/CamOverlay';
import { CamPanel } from '../cam/CamPanel';
import { ProbabilityTable } from '../cam/ProbabilityTable';
import { CamOpacity } from '../cam/camOpacity';
import { useCam } from '../cam/useCam';
import { ALL_CHANNELS, autoWindow, CHANNELS, compositeRGBY, FULL_WINDOWS, type ChannelFlags, type ContrastWindow } from './composite';
import { LabelChips } from './LabelChips';

interface Props {
  sample: SampleRecord;
  resolution: number;
  reader: Promise<PixelReader> | null;
  /** e.g. '3 of 1,234' */
  position: string;
  onClose: () => void;
  onPrev: () => void;
  onNext: () => void;
  /** a run's prediction for this sample and the thresholds in force for that run */
  prediction?: SamplePrediction | null;
  /** open with the class activation map of this class */
  camClass?: number;
  /** the run whose model computes the maps (default: the prediction's run, else the dataset's newest run with a checkpoint) */
  camRunId?: string;
}

export interface SamplePrediction {
  runId: string;
  runName: string;
  /** this sample's probabilities, one per class */
  probs: Float32Array;
  thresholds: number[];
  /** the weights that gave these probabilities: a run's validation rows are its newest epoch's ('last'), a stored test prediction says which it used */
  checkpoint: 'best' | 'last';
}

const SWATCH = ['#e53935', '#43a047', '#1e88e5', '#fdd835'];

/** Largest integer upscale that keeps the image within ~512 CSS px (1 for 512 px and up). */
export function viewerScale(resolution: number): number {
  return Math.max(1, Math.floor(512 / resolution));
}

/** The thresholds last set in Evaluate for a run (the store keeps them per run), if any. */
const runThresholds = (runId: string | null) => (s: StudioState) =>
  runId ? ((s as StudioState & { thresholdsByRun?: Record<string, number[]> }).thresholdsByRun?.[runId] ?? null) : null;

/**
 * One sample at its stored resolution with channel toggles and per-channel contrast windows,
 * the class activation map of a stored run over it, and the run's per-class probabilities.
 */
export function SampleViewer({ sample, resolution, reader, position, onClose, onPrev, onNext, prediction, camClass, camRunId }: Props) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const dialog = useRef<HTMLDivElement>(null);
  const [pixels, setPixels] = useState<Uint8Array | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [visible, setVisible] = useState<ChannelFlags>(ALL_CHANNELS);
  const [windows, setWindows] = useState<readonly ContrastWindow[]>(FULL_WINDOWS);

  // the class activation map: which run, class and stage, and the map of the newest answer
  const allRuns = useStudio((s) => s.runs);
  const backendChoice = useStudio((s) => s.backendChoice);
  const runs = useMemo(() => camRuns(allRuns, sample.datasetId), [allRuns, sample.datasetId]);
  const [runPick, setRunPick] = useState<string | null>(null);
  const runId = chooseCamRun(runs, runPick, camRunId, prediction?.runId);
  const [classPick, setClassPick] = useState<number | null>(camClass ?? null);
  useEffect(() => setClassPick(camClass ?? null), [camClass]);
  const [stagePick, setStagePick] = useState<{ runId: string; stage: string } | null>(null);
  const stage = stagePick && stagePick.runId === runId ? stagePick.stage : null;
  const predictedTop = prediction ? topClass(prediction.probs) : -1;
  // without a prediction on show, -1 asks the worker for the class its model scores highest
  const classIndex = classPick ?? predictedTop;
  const backend = runId ? jobBackend(allRuns, [runId], backendChoice).backend : backendChoice;
  // the map from the same weights as the probabilities beside it; without a prediction of this run, the best checkpoint, as prediction takes it
  const checkpoint = prediction && prediction.runId === runId ? prediction.checkpoint : 'best';
  const cam = useCam(runId ? { backend, runId, datasetId: sample.datasetId, sampleId: sample.id, classIndex, stage, checkpoint } : null);
  const shown = cam.result && cam.result.sampleId === sample.id && cam.result.runId === runId ? cam.result : null;
  const [opacity] = useState(() => new CamOpacity(60));
  // the image under a map: grey (its luminance) by default, so the stain's colours do not read as heat
  const [under, setUnder] = useState<'colour' | 'grey'>('grey');
  const grey = Boolean(shown) && under === 'grey';
  // a sample of a run's validation hold-out is still a train sample: the badge says both when the viewer knows the run
  const knownRun = allRuns.find((r) => r.id === (prediction?.runId ?? runId));
  const validation = useMemo(() => sample.split === 'train' && Boolean(knownRun?.valIds.includes(sample.id)), [knownRun, sample.split, sample.id]);
  const storedThresholds = useStudio(runThresholds(runId));
  // the prediction on show where it is the map's run's (or no map yet), else the probabilities of the map's own pass
  const fromPrediction = prediction && (prediction.runId === runId || !shown) ? prediction : null;
  const probs = fromPrediction?.probs ?? shown?.probs ?? null;
  const thresholds = fromPrediction ? fromPrediction.thresholds : storedThresholds;
  const probsRun = fromPrediction ? fromPrediction.runName : (runs.find((r) => r.id === runId)?.name ?? '');
  const pickClass = useCallback((c: number | null) => setClassPick(c), []);
  const lastDownload = useRef<string | null>(null);
  useEffect(
    () => () => {
      if (lastDownload.current) URL.revokeObjectURL(lastDownload.current);
    },
    [],
  );
  const downloadCam = () => {
    if (!shown || !pixels) return;
    const bytes = camPng(pixels, resolution, { visible, windows, grey }, shown, opacity.get() / 100, viewerScale(resolution));
    if (lastDownload.current) URL.revokeObjectURL(lastDownload.current);
    const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'image/png' }));
    lastDownload.current = url;
    downloadUrl(url, camFileName(sample.id, shown.classIndex, shown.stage, runs.find((r) => r.id === shown.runId)?.name ?? shown.runId));
  };

  useEffect(() => {
    let live = true;
    setError(null);
    if (!reader) return;
    reader
      .then((r) => r.read(sample.slot))
      .then((px) => live && setPixels(px))
      .catch((e: unknown) => live && setError(`Could not read the pixels of ${sample.id}: ${e instanceof Error ? e.message : String(e)}`));
    return () => {
      live = false;
    };
  }, [reader, sample.slot, sample.id]);

  useEffect(() => {
    const ctx = canvas.current?.getContext('2d');
    if (!ctx || !pixels || pixels.length !== resolution * resolution * 4) return;
    const img = ctx.createImageData(resolution, resolution);
    compositeRGBY(pixels, img.data, visible, windows);
    if (grey) greyComposite(img.data, img.data);
    ctx.putImageData(img, 0, 0);
  }, [pixels, visible, windows, resolution, grey]);

  useEffect(() => {
    const prev = document.activeElement as HTMLElement | null;
    dialog.current?.focus();
    return () => prev?.focus?.();
  }, []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        onClose();
        return;
      }
      const t = e.target as HTMLElement | null;
      const editing = t && (t.tagName === 'SELECT' || t.tagName === 'TEXTAREA' || (t.tagName === 'INPUT' && (t as HTMLInputElement).type !== 'checkbox'));
      if (editing) return;
      if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') {
        e.preventDefault();
        onPrev();
      } else if (e.key === 'ArrowRight' || e.key === 'ArrowDown') {
        e.preventDefault();
        onNext();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose, onPrev, onNext]);

  const setVisibleAt = (c: number, on: boolean) => setVisible((v) => v.map((x, i) => (i === c ? on : x)) as unknown as ChannelFlags);
  const setWindowAt = (c: number, end: 0 | 1, value: number) =>
    setWindows((ws) =>
      ws.map((w, i) => {
        if (i !== c) return w;
        const next: [number, number] = [w[0], w[1]];
        next[end] = value;
        // keep low < high
        if (end === 0 && next[0] >= next[1]) next[0] = next[1] - 1;
        if (end === 1 && next[1] <= next[0]) next[1] = next[0] + 1;
        return next;
      }),
    );
  const scale = viewerScale(resolution);

  // on document.body: a fixed backdrop inside a contained panel (contain: layout paint) would be placed and clipped by that panel, not the viewport
  return createPortal(
    <div className="viewer-backdrop" onClick={(e) => e.target === e.currentTarget && onClose()}>
      <div ref={dialog} className="sample-viewer" role="dialog" aria-modal="true" aria-label="Sample viewer" data-testid="sample-viewer" tabIndex={-1}>
        <header className="viewer-header">
          <div>
            <strong data-testid="viewer-sample-id">{sample.id}</strong>{' '}
            <span
              className="split-tag"
              data-testid="viewer-split"
              title={validation ? `A train sample in the validation hold-out of '${knownRun!.name}': the run did not train on it` : undefined}
            >
              {validation ? 'train · validation' : sample.split}
            </span>
            <span className="viewer-position">{position}</span>
          </div>
          <div className="viewer-nav">
            <button type="button" onClick={onPrev} aria-label="Previous sample">
              ←
            </button>
            <button type="button" onClick={onNext} aria-label="Next sample">
              →
            </button>
            <button type="button" onClick={onClose} aria-label="Close viewer">
              ✕
            </button>
          </div>
        </header>
        <LabelChips labels={sample.labels} />
        <div className="viewer-body">
          <div className="viewer-image">
            <div className="viewer-stack">
              <canvas
                ref={canvas}
                data-testid="viewer-canvas"
                width={resolution}
                height={resolution}
                style={{ width: resolution * scale, height: resolution * scale }}
                aria-label={`Composite of ${sample.id} at ${resolution}×${resolution}${grey ? ', in grey under the map' : ''}`}
              />
              {shown && <CamOverlay cam={shown} resolution={resolution} opacity={opacity} />}
            </div>
            <div className="viewer-caption">
              {error ?? (pixels ? `${resolution}×${resolution} px${scale > 1 ? `, shown ×${scale}` : ''}` : 'Loading pixels…')}
            </div>
          </div>
          <div className="viewer-cam">
            <CamPanel
              runs={runs}
              runId={runId}
              onRun={setRunPick}
              classPick={classPick}
              topClass={prediction ? predictedTop : topClass(shown?.probs)}
              onClass={pickClass}
              shown={shown}
              onStage={(st) => runId && setStagePick({ runId, stage: st })}
              opacity={opacity}
              under={under}
              onUnder={setUnder}
              cam={cam}
              canDownload={Boolean(shown && pixels)}
              onDownload={downloadCam}
            />
            {probs && (
              <ProbabilityTable
                probs={probs}
                thresholds={thresholds}
                truth={sample.labels}
                camClass={shown?.classIndex ?? classIndex}
                onPickClass={pickClass}
                caption={`${probsRun}${fromPrediction ? ': the prediction on show' : ': this image as the map’s model sees it'}${thresholds ? '' : ' · thresholds 0.5'}`}
              />
            )}
          </div>
          <div className="viewer-controls">
            <table>
              <thead>
                <tr>
                  <th>Channel</th>
                  <th>Low</th>
                  <th>High</th>
                </tr>
              </thead>
              <tbody>
                {CHANNELS.map((name, c) => (
                  <tr key={name}>
                    <td>
                      <label className="channel-toggle">
                        <input type="checkbox" checked={visible[c]} onChange={(e) => setVisibleAt(c, e.target.checked)} />
                        <span className="channel-swatch" style={{ background: SWATCH[c] }} />
                        {name}
                      </label>
                    </td>
                    {([0, 1] as const).map((end) => (
                      <td key={end}>
                        <input
                          type="range"
                          min={0}
                          max={255}
                          value={windows[c][end]}
                          aria-label={`${name} ${end === 0 ? 'low' : 'high'}`}
                          disabled={!visible[c]}
                          onChange={(e) => setWindowAt(c, end, Number(e.target.value))}
                        />
                        <output>{windows[c][end]}</output>
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
            <div className="viewer-buttons">
              <button type="button" disabled={!pixels} onClick={() => pixels && setWindows([0, 1, 2, 3].map((c) => autoWindow(pixels, c)))}>
                Auto contrast
              </button>
              <button type="button" onClick={() => setWindows(FULL_WINDOWS)}>
                Reset contrast
              </button>
              <button type="button" onClick={() => setVisible(ALL_CHANNELS)}>
                All channels
              </button>
            </div>
            <p className="viewer-help">Composite: red → R, green (the protein) → G, blue → B, yellow → R + G. Keys: ← → previous/next, Esc closes.</p>
          </div>
        </div>
      </div>
    </div>,
    document.body,
  );
}
