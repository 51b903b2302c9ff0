import type { DatasetRecord } from '../../data/catalog';
import { modelInfo } from '../../core/models/catalog';
import { ModelSelect } from './ModelSelect';
import { TransferSettings } from './TransferSettings';
import { FoldGroupSetup } from './FoldGroupSetup';
import { switchModel } from './modelSwitch';
import { DEFAULT_IMAGE_MEMORY_MB, fitRecipe, isTransferModel, preset, recipeProblem, type RunConfig } from '../../core/runConfig';
import { lessonProblem } from '../../core/lesson/variants';
import { useStudio } from '../store';
import { heldElsewhere } from '../store/tabsSlice';
import { NumberField } from '../NumberField';
import { useEffect, useState } from 'react';

/** The run setup form: model, input, loss, sampler, split, optimisation, augmentation, seed. */
export function RunSetup({ dataset }: { dataset: DatasetRecord | undefined }) {
  const setup = useStudio((s) => s.setup);
  const setSetup = useStudio((s) => s.setSetup);
  const resetSetup = useStudio((s) => s.resetSetup);
  const startRun = useStudio((s) => s.startRun);
  const startLesson = useStudio((s) => s.startLesson);
  const lessonSettings = useStudio((s) => s.lessonSettings);
  const lessonRunning = useStudio((s) => s.lesson?.status === 'running');
  const busy = useStudio((s) => s.live !== null && s.live.phase !== 'ended');
  const importing = useStudio((s) => s.importing !== null);
  const stored = dataset?.resolution ?? 256;
  const [fitted, setFitted] = useState<{ dataset: string; changes: string[] } | null>(null);
  // The form starts valid for the dataset in use: a recipe saved for a larger dataset is brought
  // down to this one's stored size and training split, and the form says what it changed.
  const fitKey = dataset ? `${dataset.id}:${dataset.resolution}:${dataset.train}` : null;
  useEffect(() => {
    if (!dataset) return;
    const { config, changes } = fitRecipe(useStudio.getState().setup, dataset);
    if (!changes.length) return;
    setSetup(config);
    setFitted({ dataset: dataset.name, changes });
    // eslint-disable-next-line react-hooks/exhaustive-deps -- refits when the dataset (or its size) changes, not on every edit
  }, [fitKey, setSetup]);
  const held = useStudio((s) => heldElsewhere(s, dataset?.id));
  const problem = !dataset
    ? 'No dataset: import one or try the demo dataset first.'
    : held
      ? `${held}: this dataset trains in one tab at a time. Train here once that ends.`
      : dataset.train < 4
        ? `Dataset '${dataset.name}' has no labelled training images.`
        : recipeProblem(setup, stored);
  const set = (patch: Partial<RunConfig>) => setSetup(patch);
  const transfer = isTransferModel(setup.model);
  const info = modelInfo(setup.model);
  const [switched, setSwitched] = useState<string[]>([]);
  const chooseModel = (model: string) => {
    const { config, changes } = switchModel(setup, model, stored);
    resetSetup(config);
    setSwitched(changes);
    setFitted(null);
  };
  return (
    <div className="run-setup" data-testid="run-setup">
      <div className="setup-row">
        <span>Presets:</span>
        {/* a preset is a recipe: the memory this machine gives images stays as set */}
        <button onClick={() => resetSetup({ ...preset('seed', stored), imageMemoryMB: setup.imageMemoryMB })}>The seed's recipe</button>
        <button onClick={() => resetSetup({ ...preset('quick', stored), imageMemoryMB: setup.imageMemoryMB })}>Quick demo</button>
      </div>
      <div className="setup-row">
        <ModelSelect label="Model" value={setup.model} onChange={chooseModel} />
        <NumberField
          label="Input size"
          value={setup.inputSize}
          step={16}
          min={info.inputSizes.min}
          max={info.inputSizes.max}
          onChange={(inputSize) => set({ inputSize })}
        />
        <label>
          From stored {stored} px by{' '}
          <select aria-label="Crop or resize" value={setup.mode} onChange={(e) => set({ mode: e.target.value as RunConfig['mode'] })}>
            <option value="resize">resize</option>
            <option value="crop">random crop</option>
          </select>
        </label>
      </div>
      <p className="hint" data-testid="model-info">
        {info.description} · {(info.params / 1e6).toFixed(2)} M parameters
        {info.family === 'transfer' ? ` (backbone ${(info.backboneParams! / 1e6).toFixed(2)} M)` : ''}; input {info.inputSizes.min}–{info.inputSizes.max} px,
        default {info.inputSizes.default} px.
      </p>
      {switched.length > 0 && (
        <p className="setup-fitted" data-testid="setup-switched">
          {info.label}: {switched.join('; ')}.
        </p>
      )}
      {transfer && <TransferSettings setup={setup} set={set} />}
      <div className="setup-row">
        <label>
          Loss{' '}
          <select aria-label="Loss" value={setup.loss} onChange={(e) => set({ loss: e.target.value as RunConfig['loss'] })}>
            <option value="bce">BCE</option>
            <option value="focal">Focal</option>
            <option value="f1">Soft F1</option>
            <option value="bce-then-f1">BCE, then F1 on the last layers</option>
          </select>
        </label>
        {setup.loss === 'focal' && <NumberField label="γ" value={setup.gamma} step={0.5} min={0} onChange={(gamma) => set({ gamma })} />}
        {setup.loss !== 'f1' && (
          <label>
            α{' '}
            <select
              aria-label="Alpha"
              value={setup.alpha.mode}
              onChange={(e) => set({ alpha: e.target.value === 'scalar' ? { mode: 'scalar', value: 0.25 } : ({ mode: e.target.value } as RunConfig['alpha']) })}
            >
              <option value="none">none</option>
              <option value="scalar">scalar</option>
              <option value="inverse-frequency">inverse frequency</option>
              <option value="log-damped">log-damped</option>
            </select>
          </label>
        )}
        {setup.alpha.mode === 'scalar' && (
          <NumberField label="α value" value={setup.alpha.value} step={0.05} onChange={(value) => set({ alpha: { mode: 'scalar', value } })} />
        )}
        {setup.loss === 'bce-then-f1' && <NumberField label="F1 epochs" value={setup.f1Epochs} min={1} onChange={(f1Epochs) => set({ f1Epochs })} />}
        <label>
          Sampler{' '}
          <select aria-label="Sampler" value={setup.sampler} onChange={(e) => set({ sampler: e.target.value as RunConfig['sampler'] })}>
            <option value="none">none</option>
            <option value="rare">rare-class duplication</option>
            <option value="weights">weight-based</option>
          </select>
        </label>
      </div>
      <div className="setup-row">
        <label>
          Validation{' '}
          <select
            aria-label="Split"
            value={setup.split.kind}
            onChange={(e) => set({ split: e.target.value === 'kfold' ? { kind: 'kfold', folds: 5, fold: 0 } : { kind: 'holdout', fraction: 0.2 } })}
          >
            <option value="holdout">stratified hold-out</option>
            <option value="kfold">stratified K folds</option>
          </select>
        </label>
        {setup.split.kind === 'holdout' ? (
          <NumberField label="Fraction" value={setup.split.fraction} step={0.05} onChange={(fraction) => set({ split: { kind: 'holdout', fraction } })} />
        ) : (
          <>
            <NumberField label="K" value={setup.split.folds} min={2} onChange={(folds) => set({ split: { kind: 'kfold', folds, fold: 0 } })} />
            <NumberField
              label="Fold"
              value={setup.split.fold}
              min={0}
              onChange={(fold) => setup.split.kind === 'kfold' && set({ split: { ...setup.split, fold } })}
            />
          </>
        )}
        <NumberField label="Batch size" value={setup.batchSize} min={1} onChange={(batchSize) => set({ batchSize })} />
        <NumberField label={transfer ? 'Fine-tune epochs' : 'Epochs'} value={setup.epochs} min={1} onChange={(epochs) => set({ epochs })} />
        <NumberField label={transfer ? 'Fine-tune learning rate' : 'Learning rate'} value={setup.lr} step={0.0001} onChange={(lr) => set({ lr })} />
      </div>
      <div className="setup-row">
        <label>
          <input type="checkbox" checked={setup.plateau !== null} onChange={(e) => set({ plateau: e.target.checked ? { factor: 0.5, patience: 3 } : null })} />{' '}
          Reduce LR on plateau
        </label>
        {setup.plateau && (
          <>
            <NumberField label="factor" value={setup.plateau.factor} step={0.1} onChange={(factor) => set({ plateau: { ...setup.plateau!, factor } })} />
            <NumberField label="patience" value={setup.plateau.patience} min={1} onChange={(patience) => set({ plateau: { ...setup.plateau!, patience } })} />
          </>
        )}
        <label>
          monitor{' '}
          <select aria-label="Monitor" value={setup.monitor} onChange={(e) => set({ monitor: e.target.value as RunConfig['monitor'] })}>
            <option value="val_loss">val loss</option>
            <option value="val_macro_f1">val macro F1</option>
          </select>
        </label>
        <NumberField
          label="Early stop patience (0 = off)"
          value={setup.earlyStopPatience}
          min={0}
          onChange={(earlyStopPatience) => set({ earlyStopPatience })}
        />
        <label>
          <input type="checkbox" checked={setup.augment.flips} onChange={(e) => set({ augment: { ...setup.augment, flips: e.target.checked } })} /> flips
        </label>
        <label>
          <input type="checkbox" checked={setup.augment.rotate90} onChange={(e) => set({ augment: { ...setup.augment, rotate90: e.target.checked } })} /> 90°
          rotations
        </label>
        <NumberField label="Seed" value={setup.seed} min={0} onChange={(seed) => set({ seed })} />
        <NumberField
          label="Images in memory up to (MB; 0 = stream)"
          value={setup.imageMemoryMB ?? DEFAULT_IMAGE_MEMORY_MB}
          step={64}
          min={0}
          onChange={(imageMemoryMB) => set({ imageMemoryMB })}
        />
      </div>
      {fitted && fitted.dataset === dataset?.name && (
        <p className="setup-fitted" data-testid="setup-fitted">
          Fitted to {fitted.dataset}: {fitted.changes.join('; ')}.
        </p>
      )}
      {problem && (
        <div className="setup-problem" role="alert" data-testid="setup-problem">
          {problem}
        </div>
      )}
      <div className="setup-row">
        <button className="primary" data-testid="train" disabled={!!problem || busy || importing} onClick={() => dataset && startRun(dataset.id)}>
          Train
        </button>
        <button
          data-testid="compare-losses"
          disabled={!dataset || !!lessonProblem(setup, lessonSettings, stored) || busy || importing || lessonRunning}
          onClick={() => dataset && startLesson(dataset)}
          title="The loss lesson (below): BCE, focal, focal with α and BCE with upsampling, each over several seeds on one split"
        >
          Run the loss lesson
        </button>
      </div>
      <FoldGroupSetup dataset={dataset} disabled={!!problem || busy || importing || lessonRunning} />
    </div>
  );
}
