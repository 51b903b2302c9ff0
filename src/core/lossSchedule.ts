/**
 * Multi-phase training schedules as data: which loss, which layers train and which learning rate in
 * each phase. The training loop (src/core/train/) asks `phaseAt(schedule, epoch)` at the start of every
 * epoch and, when the phase changes, applies `trainableMask(model.layers.length, phase.trainable)` to
 * the model's layers (layer.trainable = mask[i]) and resets the optimizer with `phase.lr`.
 *
 * The gapnet-kaggle recipe (docs/domain.md §4, §6 "BCE then F1"): phase 1 BCE, Adam 1e-3, all layers;
 * phase 2 the soft-F1 loss, Adam 1e-4, with all but the last 7 entries of the Keras model's layer list
 * frozen. In that model the last 7 layers are the head (concatenate of the three GAPs → Dense 256 →
 * Dropout .5 → Dense 256 → Dropout .1 → Dense 28, counted in model.layers order), so every convolution
 * and BatchNorm weight stays fixed and only the dense head is fine-tuned. Note for the loop: in tfjs a
 * BatchNormalization layer with trainable = false still normalises with batch statistics and updates its
 * moving mean/variance whenever it is called with training = true (tfjs-layers normalization.js); to
 * freeze it completely, run the frozen part with training = false.
 */
import { describeLoss, validateLossSpec, type LossSpec } from './losses';

/**
 * 'all', the last N layers, every layer from index N on (negative N counts from the end), or, for a
 * transfer model, by the parts of the model (LayerRole): `{ backbone: 'frozen' }` trains the head and
 * the studio's own layers (adapter) with every backbone layer frozen; `{ backbone: { lastBlocks: N } }`
 * also trains the backbone's last N blocks (the stem is block 0).
 */
export type Trainable = 'all' | { lastLayers: number } | { fromLayer: number } | { backbone: 'frozen' | { lastBlocks: number } };

/** Where a layer sits in a transfer model (core/models/backbones/blocks.ts layerRole). */
export interface LayerRole {
  part: 'studio' | 'head' | 'backbone';
  /** backbone block 0..B−1 in network order (stem = 0); null outside the backbone */
  block: number | null;
}

export interface LossPhase {
  /** epochs in this phase (≥ 1) */
  epochs: number;
  loss: LossSpec;
  /** default 'all' */
  trainable?: Trainable;
  /** learning rate at the start of the phase (the optimizer is recreated); default: keep the run's */
  lr?: number;
  /** free text shown in the UI */
  label?: string;
}

export interface LossSchedule {
  phases: LossPhase[];
}

export interface PhaseAt {
  index: number;
  phase: LossPhase;
  /** 0-based epoch within the phase */
  epochInPhase: number;
  /** true at the first epoch of a phase: time to apply the freeze and the learning rate */
  starts: boolean;
  /** the epoch lies beyond the schedule's total: the last phase continues */
  beyondEnd: boolean;
}

/** One phase, the whole run: a single loss with every layer trainable. */
export function singlePhase(loss: LossSpec, epochs: number, lr?: number): LossSchedule {
  return { phases: [{ epochs, loss, trainable: 'all', lr }] };
}

/** The gapnet-kaggle "BCE then F1" recipe. */
export function bceThenF1(opts: { bceEpochs: number; f1Epochs: number; lr?: number; fineTuneLr?: number; lastLayers?: number }): LossSchedule {
  return {
    phases: [
      { epochs: opts.bceEpochs, loss: { kind: 'bce' }, trainable: 'all', lr: opts.lr ?? 1e-3, label: 'BCE, all layers' },
      {
        epochs: opts.f1Epochs,
        loss: { kind: 'soft-f1' },
        trainable: { lastLayers: opts.lastLayers ?? 7 },
        lr: opts.fineTuneLr ?? 1e-4,
        label: `soft F1, last ${opts.lastLayers ?? 7} layers`,
      },
    ],
  };
}

export function totalEpochs(schedule: LossSchedule): number {
  return schedule.phases.reduce((s, p) => s + p.epochs, 0);
}

/** The phase of a 0-based epoch. Past the total, the last phase continues (`beyondEnd: true`). */
export function phaseAt(schedule: LossSchedule, epoch: number): PhaseAt {
  if (!Number.isInteger(epoch) || epoch < 0) throw new RangeError(`epoch must be an integer ≥ 0, got ${epoch}`);
  if (schedule.phases.length === 0) throw new RangeError('the schedule has no phases');
  let start = 0;
  for (let i = 0; i < schedule.phases.length; i++) {
    const phase = schedule.phases[i];
    if (epoch < start + phase.epochs) return { index: i, phase, epochInPhase: epoch - start, starts: epoch === start, beyondEnd: false };
    start += phase.epochs;
  }
  const last = schedule.phases.length - 1;
  const lastStart = start - schedule.phases[last].epochs;
  return { index: last, phase: schedule.phases[last], epochInPhase: epoch - lastStart, starts: false, beyondEnd: true };
}

/**
 * layer.trainable for each of `layerCount` layers under a phase's `trainable` setting. The backbone
 * settings need the layers' roles (one per layer, in model.layers order) and the backbone's block count.
 */
export function trainableMask(layerCount: number, trainable: Trainable = 'all', parts?: { roles: LayerRole[]; blockCount: number }): boolean[] {
  if (trainable === 'all') return new Array(layerCount).fill(true);
  if ('backbone' in trainable) {
    if (!parts) throw new Error('a backbone freeze needs the roles of the layers: only transfer models have a backbone');
    if (parts.roles.length !== layerCount) throw new RangeError(`${parts.roles.length} layer roles for ${layerCount} layers`);
    const b = trainable.backbone;
    let firstBlock: number;
    if (b === 'frozen') firstBlock = Infinity;
    else {
      if (!Number.isInteger(b.lastBlocks) || b.lastBlocks < 0) throw new RangeError(`lastBlocks must be an integer ≥ 0, got ${b.lastBlocks}`);
      firstBlock = parts.blockCount - b.lastBlocks;
    }
    return parts.roles.map((r) => r.part !== 'backbone' || (r.block !== null && r.block >= firstBlock));
  }
  let from: number;
  if ('lastLayers' in trainable) {
    if (!Number.isInteger(trainable.lastLayers) || trainable.lastLayers < 0)
      throw new RangeError(`lastLayers must be an integer ≥ 0, got ${trainable.lastLayers}`);
    from = Math.max(0, layerCount - trainable.lastLayers);
  } else {
    if (!Number.isInteger(trainable.fromLayer)) throw new RangeError(`fromLayer must be an integer, got ${trainable.fromLayer}`);
    from = trainable.fromLayer < 0 ? Math.max(0, layerCount + trainable.fromLayer) : Math.min(layerCount, trainable.fromLayer);
  }
  return Array.from({ length: layerCount }, (_, i) => i >= from);
}

/** Checks a schedule read from JSON; errors name the phase. */
export function validateSchedule(schedule: unknown): LossSchedule {
  const s = schedule as LossSchedule;
  if (typeof s !== 'object' || s === null || !Array.isArray(s.phases) || s.phases.length === 0)
    throw new TypeError('schedule: expected { phases: [...] } with at least one phase');
  s.phases.forEach((p, i) => {
    const at = `schedule.phases[${i}]`;
    if (!Number.isInteger(p.epochs) || p.epochs < 1) throw new TypeError(`${at}.epochs must be an integer ≥ 1`);
    validateLossSpec(p.loss, `${at}.loss`);
    if (p.lr !== undefined && !(typeof p.lr === 'number' && p.lr > 0)) throw new TypeError(`${at}.lr must be a number > 0`);
    const t = p.trainable;
    const ok =
      t === undefined ||
      t === 'all' ||
      (typeof t === 'object' &&
        t !== null &&
        (('lastLayers' in t && Number.isInteger(t.lastLayers) && t.lastLayers >= 0) ||
          ('fromLayer' in t && Number.isInteger(t.fromLayer)) ||
          ('backbone' in t &&
            (t.backbone === 'frozen' ||
              (typeof t.backbone === 'object' && t.backbone !== null && Number.isInteger(t.backbone.lastBlocks) && t.backbone.lastBlocks >= 0)))));
    if (!ok)
      throw new TypeError(`${at}.trainable must be 'all', { lastLayers: n }, { fromLayer: n }, { backbone: 'frozen' } or { backbone: { lastBlocks: n } }`);
  });
  return s;
}

/** e.g. "2 ep BCE (all layers, lr 0.001) → 3 ep soft F1 (last 7 layers, lr 0.0001)". */
export function describeSchedule(schedule: LossSchedule): string {
  return schedule.phases
    .map((p) => {
      const t = p.trainable ?? 'all';
      const layers = describeTrainable(t);
      return `${p.epochs} ep ${describeLoss(p.loss)} (${layers}${p.lr !== undefined ? `, lr ${p.lr}` : ''})`;
    })
    .join(' → ');
}

/** e.g. "all layers", "last 7 layers", "backbone frozen", "head and the backbone's last 2 blocks". */
export function describeTrainable(t: Trainable): string {
  if (t === 'all') return 'all layers';
  if ('lastLayers' in t) return `last ${t.lastLayers} layers`;
  if ('fromLayer' in t) return `layers ${t.fromLayer}…`;
  if (t.backbone === 'frozen') return 'backbone frozen';
  return `head and the backbone's last ${t.backbone.lastBlocks} block${t.backbone.lastBlocks === 1 ? '' : 's'}`;
}
