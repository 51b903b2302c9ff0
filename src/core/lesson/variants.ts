/**
 * The loss lesson as an experiment (issue #26): four loss variants, each trained over several
 * seeds on one fixed split, so that what the lesson says rests on paired runs and their seed noise.
 *
 * - 'bce':         binary cross-entropy, no class weighting, no sampler (the reference);
 * - 'focal':       focal loss γ = 2, no α;
 * - 'focal-alpha': focal loss γ = 2 with per-class α from inverse frequency (the seed's variant:
 *                  w_c = (1/n_c) / mean_k(1/n_k), on every element of class c, classWeights.ts);
 * - 'bce-rare':    BCE with the rare-class duplication sampler (sampling.ts: rows of the rare
 *                  classes repeated), which changes the mix of images an epoch sees, not the loss.
 *
 * Within a seed every variant starts from the same weights (createModel's seed), trains on the same
 * split (one split seed for the whole lesson) and visits the training rows in the same order
 * (shuffled by the seed); only 'bce-rare' visits a longer list (its duplicated rows), shuffled by the
 * same seed. tfjs-free: the page plans the lesson.
 */
import { MIN_INPUT_SIZE, MODELS } from '../models/catalog';
import { DEFAULT_RUN, recipeProblem, type RunConfig } from '../runConfig';

export type LessonVariantId = 'bce' | 'focal' | 'focal-alpha' | 'bce-rare';

export interface LessonVariant {
  id: LessonVariantId;
  /** short name for tables and legends */
  label: string;
  /** one line: what differs from BCE */
  what: string;
  /** the variant's loss, weighting and sampler on top of the lesson's recipe */
  apply: (base: RunConfig) => RunConfig;
}

/** The reference every other variant is compared with (same seed, paired). */
export const REFERENCE_VARIANT: LessonVariantId = 'bce';

export const LESSON_VARIANTS: readonly LessonVariant[] = [
  {
    id: 'bce',
    label: 'BCE',
    what: 'binary cross-entropy, every element weighted alike (the reference)',
    apply: (c) => ({ ...c, loss: 'bce', alpha: { mode: 'none' }, sampler: 'none' }),
  },
  {
    id: 'focal',
    label: 'Focal γ=2',
    what: 'focal loss: each element’s loss scaled by (1 − p_t)^2',
    apply: (c) => ({ ...c, loss: 'focal', gamma: 2, alpha: { mode: 'none' }, sampler: 'none' }),
  },
  {
    id: 'focal-alpha',
    label: 'Focal γ=2 + α',
    what: 'focal loss γ = 2, each class weighted by its inverse frequency in the training split (α, normalised to mean 1)',
    apply: (c) => ({ ...c, loss: 'focal', gamma: 2, alpha: { mode: 'inverse-frequency' }, sampler: 'none' }),
  },
  {
    id: 'bce-rare',
    label: 'BCE + upsampling',
    what: 'BCE, with the images of rare classes repeated in every epoch (rare-class duplication)',
    apply: (c) => ({ ...c, loss: 'bce', alpha: { mode: 'none' }, sampler: 'rare' }),
  },
];

export function lessonVariant(id: LessonVariantId): LessonVariant {
  const v = LESSON_VARIANTS.find((x) => x.id === id);
  if (!v) throw new RangeError(`no lesson variant '${id as string}'`);
  return v;
}

export interface LessonSettings {
  /** the model every run trains (models/catalog.ts) */
  model: string;
  /** model input side (the lesson's budget) */
  inputSize: number;
  epochs: number;
  /** seeds 1..seeds: each drives the initial weights, batch order, augmentation and dropout of one run per variant */
  seeds: number;
  /** the variants to train; BCE (the reference) is always among them */
  variants: LessonVariantId[];
  /** the split's seed, the same for every run of the lesson */
  splitSeed: number;
}

/**
 * The default budget: on the teaching demo (1,200 images: 957 trained on, 243 validated) at 32 px, 4 variants ×
 * 3 seeds × 4 epochs took 6 min 45 s in headless Chromium on wasm (3 epochs: 4 min 43 s), on the
 * shared 2-core EPYC with other work running (load ~5); the upsampled variant sees 2.4× the images.
 * GAPNet Kaggle: its BatchNorm learns the teaching demo within a few hundred steps, where GAPNet-PL
 * often has not started (docs/teaching-demo.md).
 */
export const DEFAULT_LESSON_SETTINGS: LessonSettings = {
  model: 'gapnet-kaggle',
  inputSize: 32,
  epochs: 4,
  seeds: 3,
  variants: LESSON_VARIANTS.map((v) => v.id),
  splitSeed: 1,
};

/** The variants in the lesson's order, the reference first, unknown ids dropped. */
export function lessonVariantIds(s: Pick<LessonSettings, 'variants'>): LessonVariantId[] {
  return LESSON_VARIANTS.map((v) => v.id).filter((id) => id === REFERENCE_VARIANT || s.variants.includes(id));
}

/** What the lesson fixes for every run, whatever the run setup says. */
export const LESSON_RECIPE = { batchSize: 16, lr: 1e-3, holdout: 0.2 } as const;

/**
 * The recipe every run of the lesson shares: the lesson's model, input size and epochs; batch 16,
 * Adam at a constant 1e-3 and no early stopping (so every run trains the same number of epochs);
 * flips and quarter turns; a 20 % stratified hold-out. Only the memory setting (a property of the
 * machine) comes from the run setup.
 */
export function lessonBaseConfig(setup: RunConfig, s: LessonSettings): RunConfig {
  return {
    ...DEFAULT_RUN,
    model: s.model,
    inputSize: s.inputSize,
    mode: 'resize',
    epochs: s.epochs,
    batchSize: LESSON_RECIPE.batchSize,
    lr: LESSON_RECIPE.lr,
    plateau: null,
    earlyStopPatience: 0,
    monitor: 'val_loss',
    augment: { flips: true, rotate90: true },
    split: { kind: 'holdout', fraction: LESSON_RECIPE.holdout },
    ...(setup.imageMemoryMB !== undefined ? { imageMemoryMB: setup.imageMemoryMB } : {}),
  };
}

export interface PlannedRun {
  variant: LessonVariantId;
  seed: number;
  config: RunConfig;
}

/**
 * Every run of the lesson, seed by seed (all variants of seed 1, then of seed 2, …), so that a lesson
 * stopped part way has complete pairs for the seeds it finished.
 */
export function planLesson(setup: RunConfig, s: LessonSettings): PlannedRun[] {
  const base = lessonBaseConfig(setup, s);
  const out: PlannedRun[] = [];
  for (let seed = 1; seed <= s.seeds; seed++) {
    for (const id of lessonVariantIds(s)) out.push({ variant: id, seed, config: { ...lessonVariant(id).apply(base), seed } });
  }
  return out;
}

/** The most seeds a lesson offers (each adds a run per variant). */
export const MAX_LESSON_SEEDS = 10;

/** The first problem with a lesson's settings on a dataset stored at `storedSize` px, as a sentence, or null. */
export function lessonProblem(setup: RunConfig, s: LessonSettings, storedSize: number): string | null {
  if (!MODELS.some((m) => m.name === s.model)) return `Unknown model '${s.model}'`;
  if (!Number.isInteger(s.inputSize) || s.inputSize < MIN_INPUT_SIZE)
    return `Lesson input size ${s.inputSize} px: the models need at least ${MIN_INPUT_SIZE} px`;
  if (!Number.isInteger(s.seeds) || s.seeds < 1 || s.seeds > MAX_LESSON_SEEDS)
    return `Seeds must be a whole number from 1 to ${MAX_LESSON_SEEDS} (got ${s.seeds})`;
  if (!Number.isInteger(s.splitSeed) || s.splitSeed < 0) return `The split seed must be a whole number ≥ 0 (got ${s.splitSeed})`;
  return recipeProblem(lessonBaseConfig(setup, s), storedSize);
}
