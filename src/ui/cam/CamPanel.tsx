import { camColour } from '../../core/cam/camOverlay';
import { CLASS_NAMES, className } from '../../core/labels';
import type { RunRecord } from '../../data/catalog';
import { useCamOpacity, type CamOpacity } from './camOpacity';
import type { CamState } from './useCam';
import './cam.css';

interface Props {
  runs: readonly RunRecord[];
  runId: string | null;
  onRun: (runId: string) => void;
  /** the class picked (null: the top predicted class) and the class that resolves to, once known (-1: not yet) */
  classPick: number | null;
  topClass: number;
  onClass: (cls: number | null) => void;
  /** the map on show for this sample and run, if any */
  shown: {
    classIndex: number;
    stage: string;
    stages: { id: string; label: string }[];
    width: number;
    height: number;
    map: Float32Array;
    checkpoint: 'best' | 'last';
    epoch: number;
  } | null;
  onStage: (stage: string) => void;
  opacity: CamOpacity;
  /** the image under the map: the composite in colour, or its luminance */
  under: 'colour' | 'grey';
  onUnder: (under: 'colour' | 'grey') => void;
  cam: CamState & { cancel: () => void; retry: () => void };
  canDownload: boolean;
  onDownload: () => void;
}

/** Its own component: a move re-renders the slider and the overlay only. */
function OpacitySlider({ opacity }: { opacity: CamOpacity }) {
  const percent = useCamOpacity(opacity);
  return (
    <label>
      Opacity
      <input
        type="range"
        aria-label="CAM opacity"
        data-testid="cam-opacity-slider"
        min={0}
        max={100}
        value={percent}
        onChange={(e) => opacity.set(Number(e.target.value))}
      />
      <output data-testid="cam-opacity">{percent} %</output>
    </label>
  );
}

/** The overlay's colours from 0 to the map's maximum, as a CSS gradient (the overlay normalises by that maximum). */
const RAMP = `linear-gradient(to right, ${Array.from({ length: 9 }, (_, k) => `rgb(${camColour(k / 8).join(' ')}) ${k * 12.5}%`).join(', ')})`;

const mapMax = (map: Float32Array) => map.reduce((m, v) => (v > m ? v : m), 0);

/** low → high of the map on show: 0 (see-through) to its largest value, the one drawn brightest. */
function ColourBar({ max }: { max: number }) {
  const text = max > 0 ? max.toPrecision(3) : '0';
  return (
    <span
      className="cam-colourbar"
      data-testid="cam-colourbar"
      role="img"
      aria-label={`Colour scale: from 0 (see-through) to ${text}, the map's largest value`}
    >
      <span className="cam-colourbar-end">0</span>
      <span className="cam-colourbar-ramp" style={{ background: RAMP }} />
      <span className="cam-colourbar-end" data-testid="cam-colourbar-max">
        {text}
      </span>
    </span>
  );
}

/** The sample viewer's class-activation-map controls: run, class, stage, opacity, state and the PNG export. */
export function CamPanel({ runs, runId, onRun, classPick, topClass, onClass, shown, onStage, opacity, under, onUnder, cam, canDownload, onDownload }: Props) {
  if (!runs.length)
    return (
      <section className="cam-panel" aria-label="Class activation map" data-testid="cam-panel">
        <h3>Class activation map</h3>
        <p className="cam-note" data-testid="cam-none">
          No run of this dataset has stored weights yet: train one (Train) or import a model (Predict) to see where it looks.
        </p>
      </section>
    );
  const run = runs.find((r) => r.id === runId);
  const stageLabel = shown?.stages.find((s) => s.id === shown.stage)?.label ?? shown?.stage;
  return (
    <section className="cam-panel" aria-label="Class activation map" data-testid="cam-panel">
      <h3>Class activation map</h3>
      <div className="cam-controls">
        <label>
          Run
          <select aria-label="CAM run" value={runId ?? ''} onChange={(e) => onRun(e.target.value)}>
            {runs.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Class
          <select
            aria-label="CAM class"
            value={classPick === null ? 'top' : String(classPick)}
            onChange={(e) => onClass(e.target.value === 'top' ? null : Number(e.target.value))}
          >
            <option value="top">Top predicted{topClass >= 0 ? ` (${topClass} · ${className(topClass)})` : ''}</option>
            {CLASS_NAMES.map((name, c) => (
              <option key={c} value={c}>
                {c} · {name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Stage
          <select aria-label="CAM stage" value={shown?.stage ?? ''} disabled={!shown || shown.stages.length < 2} onChange={(e) => onStage(e.target.value)}>
            {shown ? (
              shown.stages.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.label}
                </option>
              ))
            ) : (
              <option value="">deepest</option>
            )}
          </select>
        </label>
        <OpacitySlider opacity={opacity} />
        {shown && <ColourBar max={mapMax(shown.map)} />}
        {shown && (
          <fieldset className="cam-under">
            <legend>Image under the map</legend>
            {(['colour', 'grey'] as const).map((u) => (
              <label key={u}>
                <input type="radio" name="cam-under" value={u} checked={under === u} onChange={() => onUnder(u)} />
                {u}
              </label>
            ))}
          </fieldset>
        )}
      </div>
      <div className="cam-state" aria-live="polite">
        {cam.status === 'computing' && (
          <span data-testid="cam-computing">
            Computing the map{run ? ` with '${run.name}'` : ''}…{' '}
            <button type="button" data-testid="cam-cancel" onClick={cam.cancel}>
              Cancel
            </button>
          </span>
        )}
        {cam.status === 'cancelled' && (
          <span data-testid="cam-cancelled">
            Cancelled.{' '}
            <button type="button" onClick={cam.retry}>
              Compute again
            </button>
          </span>
        )}
        {cam.status === 'error' && (
          <span className="cam-error" role="alert" data-testid="cam-error">
            {cam.message}{' '}
            <button type="button" onClick={cam.retry}>
              Try again
            </button>
          </span>
        )}
        {cam.status === 'done' && shown && (
          <span data-testid="cam-caption">
            Grad-CAM of {shown.classIndex} · {className(shown.classIndex)} at {stageLabel} ({shown.width}×{shown.height} map), weights of{' '}
            {shown.epoch > 0 ? `epoch ${shown.epoch}` : 'the imported model'} ({shown.checkpoint}){cam.backend ? `, on ${cam.backend}` : ''}
            {shown.map.every((v) => v <= 0) ? '. Zero everywhere: nothing at this stage raises the class’s score.' : ''}
          </span>
        )}
      </div>
      <button type="button" data-testid="cam-download" disabled={!canDownload} onClick={onDownload}>
        Download CAM (PNG)
      </button>
    </section>
  );
}
