/**
 * The bench's cam part (`npm run bench -- --only cam`): does a trained model's Grad-CAM look where
 * the class is? On the teaching demo (synthetic, so the generator knows which pixels carry each
 * class's pattern: renderSample's classMasks), per model and seed:
 *
 * 1. generate the teaching demo (1,200 train + 300 test at 64 px, generator seed 1) with masks;
 * 2. train the Quick demo recipe (preset('quick'): focal loss γ 2, Adam 1e-3, batch 16, 12 epochs,
 *    flips and quarter turns, 20 % stratified hold-out, best epoch by val_loss) with that model
 *    (GAPNet-PL: 30 epochs, CAM_BENCH_EPOCHS), on wasm in this process, as `hpa-studio train` does;
 * 3. the well-trained classes: validation F1 ≥ WELL_TRAINED_F1 at thresholds fitted on validation;
 * 4. for each such class, on the test images that carry it (up to a cap), Grad-CAM of the class at
 *    every stage, upsampled to the image, and the mass ratio = mean CAM on the class's mask / mean CAM
 *    off it (camMass.ts); also against the cell pixels off the mask only (stricter: the background
 *    is easy to avoid).
 *
 * Rows (section 'cam'), per model and stage: the median over (seed, class) of each class's median
 * ratio, ± half their range; notes: the classes, the share of classes above 1, images measured.
 */
import * as tf from '@tensorflow/tfjs';
import type { Row } from './lib/report';
import { stat } from './lib/stats';
import { useWasmBackend } from '../src/cli/wasmBackend';
import { accelTraining } from '../src/accel/training';
import { camMassRatio } from '../src/core/cam/camMass';
import { camStages, gradCam } from '../src/core/cam/gradCam';
import { CLASS_NAMES, NUM_CLASSES } from '../src/core/labels';
import { buildRunModel } from '../src/core/models/runModel';
import { preset } from '../src/core/runConfig';
import { chooseThresholds } from '../src/core/thresholds';
import { memoryBatchSource } from '../src/core/train/batchSource';
import { bestLastCheckpoint } from '../src/core/train/bestLastCheckpoint';
import { restoreCheckpoint } from '../src/core/train/checkpoint';
import { prepareRun } from '../src/core/train/recipe';
import { predictValidation, train } from '../src/core/train/trainer';
import { demoSynthOptions, planDataset, renderSample, TEACHING_DEMO } from '../src/synth';

export type CamBenchModel = 'gapnet-pl' | 'gapnet-kaggle';

export interface CamBenchOptions {
  quick: boolean;
  log: (line: string) => void;
  models?: CamBenchModel[];
  /** training seeds (the data are the same teaching demo for every seed) */
  seeds?: number[];
}

/**
 * Epochs per model: the Quick demo's 12 for GAPNet Kaggle; GAPNet-PL, whose SELU network stays near
 * the class priors for 12 epochs on this set (docs/teaching-demo.md: no class reaches F1 0.7), gets 30.
 */
export const CAM_BENCH_EPOCHS: Record<CamBenchModel, number> = { 'gapnet-kaggle': 12, 'gapnet-pl': 30 };

/** A class counts as well trained from this validation F1 (thresholds fitted on validation). */
export const WELL_TRAINED_F1 = 0.7;

export interface ClassMass {
  model: CamBenchModel;
  seed: number;
  cls: number;
  valF1: number;
  stage: string;
  stageLabel: string;
  images: number;
  /** per image: mean CAM on the mask / mean CAM off it */
  ratios: number[];
  /** per image: mean CAM on the mask / mean CAM on the cell pixels off it */
  inCellRatios: number[];
  /** images whose map was zero everywhere (no ratio) */
  zeroMaps: number;
  /** images where the class's pattern drew nothing (no ratio) */
  emptyMasks: number;
}

interface Data {
  images: Uint8Array;
  labels: Uint8Array;
  labelSets: number[][];
  masks: Map<number, Uint8Array>[];
  cells: Uint8Array[];
  trainCount: number;
  size: number;
}

function median(v: number[]): number {
  return stat(v).median;
}

/** The teaching demo's pixels (RGBY interleaved), labels and per-sample class masks; train rows first, then test. */
function teachingData(size: number, train: number, test: number): Data {
  const opts = demoSynthOptions({ train, test, size, seed: TEACHING_DEMO.seed, teaching: true });
  const plan = planDataset(opts);
  const all = [...plan.train, ...plan.test];
  const px = size * size;
  const images = new Uint8Array(all.length * px * 4);
  const labels = new Uint8Array(all.length * NUM_CLASSES);
  const masks: Map<number, Uint8Array>[] = [];
  const cells: Uint8Array[] = [];
  all.forEach((s, i) => {
    const r = renderSample({ id: s.id, labels: s.labels, size, seed: opts.seed, teaching: true, classMasks: true });
    const o = i * px * 4;
    for (let p = 0; p < px; p++) {
      images[o + p * 4] = r.red[p];
      images[o + p * 4 + 1] = r.green[p];
      images[o + p * 4 + 2] = r.blue[p];
      images[o + p * 4 + 3] = r.yellow[p];
    }
    for (const c of s.labels) labels[i * NUM_CLASSES + c] = 1;
    masks.push(new Map(r.masks!.map((m) => [m.label, m.mask])));
    cells.push(r.cells!);
  });
  return { images, labels, labelSets: all.map((s) => s.labels), masks, cells, trainCount: plan.train.length, size };
}

async function trainQuick(model: CamBenchModel, seed: number, d: Data, log: (l: string) => void) {
  const recipe = { ...preset('quick', d.size), model, seed, epochs: CAM_BENCH_EPOCHS[model] };
  const trainSets = d.labelSets.slice(0, d.trainCount);
  const run = prepareRun(recipe, trainSets);
  const px = d.size * d.size * 4;
  const source = memoryBatchSource(
    {
      images: d.images.subarray(0, d.trainCount * px),
      imageSize: d.size,
      channels: 4,
      labels: d.labels.subarray(0, d.trainCount * NUM_CLASSES),
      numClasses: NUM_CLASSES,
    },
    { trainRows: run.sampledRows, valRows: run.valRows, trainOrder: run.trainOrder },
  );
  const net = buildRunModel(recipe);
  const ckpt = bestLastCheckpoint({ monitor: recipe.monitor });
  const t0 = performance.now();
  await train(net, source, {
    ...accelTraining,
    phases: run.phases,
    batchSize: recipe.batchSize,
    seed,
    augment: run.augment,
    callbacks: [
      ...run.scheduleCallbacks,
      ckpt,
      { onEpochEnd: (_c, l) => log(`    epoch ${l.epoch}: val_loss ${l.valLoss.toFixed(4)} val F1@0.5 ${l.valMacroF1.toFixed(3)}`) },
    ],
  });
  if (ckpt.best) await restoreCheckpoint(net, ckpt.best);
  const seconds = (performance.now() - t0) / 1000;
  const val = await predictValidation(net, source, { batchSize: recipe.batchSize, augment: run.augment });
  const th = chooseThresholds(val.truth, val.probs, 'per-class');
  return { net, seconds, f1: th.report.perClass.map((c) => c.f1), macroF1: th.report.macroF1, bestEpoch: ckpt.best?.epoch ?? null };
}

/** The image's mass ratios for a class, or why there are none: an all-zero map, or a mask that is empty (a pattern with nowhere to go, e.g. a bridge with no neighbouring nuclei). */
function massOf(model: tf.LayersModel, d: Data, row: number, cls: number, stage: string): { ratio: number; inCells: number } | 'zero map' | 'empty mask' {
  const mask = d.masks[row].get(cls)!;
  if (!mask.some((v) => v)) return 'empty mask';
  const px = d.size * d.size * 4;
  const x = tf.tensor4d(d.images.subarray(row * px, (row + 1) * px), [1, d.size, d.size, 4], 'float32');
  try {
    const r = gradCam(model, x, cls, stage);
    if (!r.map.some((v) => v > 0)) return 'zero map';
    const cells = d.cells[row];
    const inCells = mask.some((m, p) => !m && cells[p]) ? camMassRatio(r.map, r.width, r.height, mask, d.size, cells).ratio : NaN;
    return { ratio: camMassRatio(r.map, r.width, r.height, mask, d.size).ratio, inCells };
  } finally {
    x.dispose();
  }
}

export async function camBench(o: CamBenchOptions, add: (r: Row) => void): Promise<ClassMass[]> {
  const Q = o.quick;
  const models = o.models ?? ['gapnet-kaggle', 'gapnet-pl'];
  const seeds = o.seeds ?? (Q ? [1] : [1, 2, 3]);
  const cap = Q ? 15 : 40;
  const size = TEACHING_DEMO.size;
  await useWasmBackend();
  o.log(
    `cam: teaching demo ${TEACHING_DEMO.train} + ${TEACHING_DEMO.test} at ${size} px with class masks; models ${models.join(', ')}; seeds ${seeds.join(', ')}; wasm`,
  );
  const t0 = performance.now();
  const d = teachingData(size, TEACHING_DEMO.train, TEACHING_DEMO.test);
  o.log(`  generated ${d.labelSets.length} samples in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const testRows = Array.from({ length: d.labelSets.length - d.trainCount }, (_, i) => d.trainCount + i);
  const out: ClassMass[] = [];
  const runs: { model: CamBenchModel; seed: number; seconds: number; macroF1: number; well: number[] }[] = [];
  for (const model of models)
    for (const seed of seeds) {
      o.log(`  training ${model}, seed ${seed} (Quick demo recipe, ${CAM_BENCH_EPOCHS[model]} epochs)`);
      const t = await trainQuick(model, seed, d, o.log);
      const well = t.f1
        .map((f, c) => [f, c])
        .filter(([f]) => f >= WELL_TRAINED_F1)
        .map(([, c]) => c);
      runs.push({ model, seed, seconds: t.seconds, macroF1: t.macroF1, well });
      o.log(
        `  ${model} seed ${seed}: ${t.seconds.toFixed(0)} s, best epoch ${t.bestEpoch}, val macro F1 (fitted thresholds) ${t.macroF1.toFixed(3)}; well trained (F1 ≥ ${WELL_TRAINED_F1}): ${well.join(', ') || 'none'}`,
      );
      const stages = camStages(t.net);
      for (const cls of well) {
        const rows = testRows.filter((r) => d.labels[r * NUM_CLASSES + cls]).slice(0, cap);
        for (const st of stages) {
          const m: ClassMass = {
            model,
            seed,
            cls,
            valF1: t.f1[cls],
            stage: st.id,
            stageLabel: st.label,
            images: rows.length,
            ratios: [],
            inCellRatios: [],
            zeroMaps: 0,
            emptyMasks: 0,
          };
          for (const r of rows) {
            const v = massOf(t.net, d, r, cls, st.id);
            if (v === 'zero map') m.zeroMaps++;
            else if (v === 'empty mask') m.emptyMasks++;
            else {
              m.ratios.push(v.ratio);
              if (Number.isFinite(v.inCells)) m.inCellRatios.push(v.inCells);
            }
          }
          out.push(m);
          o.log(
            `    class ${cls} (${CLASS_NAMES[cls]}), ${st.id}: ratio ${median(m.ratios).toFixed(2)} (in cells ${median(m.inCellRatios).toFixed(2)}) over ${m.ratios.length} images`,
          );
        }
      }
      t.net.dispose();
    }
  for (const model of models) {
    const mine = out.filter((m) => m.model === model);
    const stageIds = [...new Set(mine.map((m) => m.stage))];
    const run = runs.filter((r) => r.model === model);
    if (!stageIds.length)
      add({
        section: 'cam',
        what: `CAM mass on the class's pattern — ${model}`,
        unit: '×',
        ours: null,
        ref: null,
        status: 'failed',
        notes: `no class reached validation F1 ${WELL_TRAINED_F1} (macro F1 ${run.map((r) => r.macroF1.toFixed(3)).join(', ')})`,
      });
    for (const stage of stageIds) {
      const ms = mine.filter((m) => m.stage === stage && m.ratios.length);
      const perClass = ms.map((m) => median(m.ratios));
      const inCells = ms.map((m) => median(m.inCellRatios)).filter(Number.isFinite);
      const above = perClass.filter((r) => r > 1).length;
      const classes = [...new Set(ms.map((m) => m.cls))].sort((a, b) => a - b);
      add({
        section: 'cam',
        what: `CAM mass ratio on / off the class's pattern — ${model}, ${ms[0]?.stageLabel ?? stage} (${stage})`,
        unit: '×',
        ours: stat(perClass),
        ref: null,
        status: 'measured',
        notes:
          `per (seed, class): the median over its test images of mean CAM on the class mask / mean CAM off it; ${above} of ${perClass.length} above 1; ` +
          `on the mask vs the cells' other pixels: median ${median(inCells).toFixed(2)} (${inCells.filter((r) => r > 1).length} of ${inCells.length} above 1); ` +
          `classes ${classes.join(', ')} (val F1 ≥ ${WELL_TRAINED_F1}); ${ms.reduce((s, m) => s + m.ratios.length, 0)} maps, ${ms.reduce((s, m) => s + m.zeroMaps, 0)} all-zero maps and ${ms.reduce((s, m) => s + m.emptyMasks, 0)} empty masks left out; ` +
          `seeds ${run.map((r) => `${r.seed}: ${r.seconds.toFixed(0)} s training, val macro F1 ${r.macroF1.toFixed(3)}`).join('; ')}`,
        extra: {
          perClass: ms.map((m) => ({
            seed: m.seed,
            cls: m.cls,
            valF1: m.valF1,
            images: m.images,
            ratios: m.ratios,
            inCellRatios: m.inCellRatios,
            zeroMaps: m.zeroMaps,
          })),
        },
      });
    }
  }
  return out;
}
