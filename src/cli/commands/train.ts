import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { UsageError, type Command } from '../command';
import { readTrainZip } from '../zipDataset';
import { openTestZip, readTestTruth } from '../testZip';
import { FOLD_GROUP_KIND, type FoldGroupFile } from '../foldGroupFile';
import { meanProbabilities } from '../../core/ensemble';
import {
  bestGroupMethod,
  evaluateGroup,
  groupComparison,
  groupTestLabels,
  groupThresholds,
  groupTestMembers,
  type FoldPredictions,
} from '../../core/foldGroup';
import { comparisonMarkdown, groupReportFiles, type GroupReportFold } from '../../core/foldGroupReport';
import { labelSets } from '../../core/metrics';
import { predict as runPredict } from '../../core/predict';
import { formatFoldsCsv, formatLabelCsv, formatProbsCsv, formatThresholdsCsv } from '../../core/csv';
import { CLASS_NAMES, NUM_CLASSES } from '../../core/labels';
import type { AlphaSpec } from '../../core/losses';
import { describeModel, listModels, modelNotes, MIN_INPUT_SIZE } from '../../core/models/registry';
import { buildRunModel, runModelOptions } from '../../core/models/runModel';
import { backboneBlockCount } from '../../core/models/backbones/blocks';
import { chooseThresholds } from '../../core/thresholds';
import { memoryBatchSource } from '../../core/train/batchSource';
import { bestLastCheckpoint } from '../../core/train/bestLastCheckpoint';
import { encodeCheckpoint, restoreCheckpoint } from '../../core/train/checkpoint';
import type { EpochLogs, Monitor } from '../../core/train/logs';
import { prepareRun, type RunConfig } from '../../core/train/recipe';
import { DEFAULT_RUN, DEFAULT_TRANSFER, inputSizeRange, isTransferModel, transferDefaults, transferProblem, type TransferSettings } from '../../core/runConfig';
import { studioMeta, writeModelZip } from '../../core/modelPackage';
import { portableModel } from '../../core/portableModel';
import { predictValidation, train as runTraining } from '../../core/train/trainer';
import { registerAccel } from '../../accel/registry';
import { accelTraining } from '../../accel/training';
import type { TrainingCallback } from '../../core/train/callbacks';
import { applyWeights } from '../../core/weights/matchWeights';
import { formatWeightReport } from '../../core/weights/weightReport';
import { readWeightsPath } from '../readWeightsPath';

const LOSSES = ['bce', 'focal', 'f1', 'bce-then-f1'] as const;
const SAMPLERS = ['none', 'weights', 'rare'] as const;
const CHANNELS = ['rgb', 'widen', 'adapter'] as const;
const HEADS = ['seed', 'gap'] as const;
const TRANSFER_FLAGS = ['channels', 'head', 'warmup-epochs', 'warmup-lr', 'unfreeze'] as const;
/** A transfer model's recipe defaults (the seed's schedule), where they differ from GAPNet's. */
const TRANSFER_RUN = transferDefaults('mobilenetv2', Infinity);
const exp = (n: number) => n.toExponential();

export const trainCommand: Command = {
  name: 'train',
  summary: 'train a model headlessly on a Kaggle-layout zip (same core as the studio)',
  usage: `Usage: hpa-studio train --data FILE.zip --out DIR [options]

Trains on train.csv + train/*.png of the zip, validates after every epoch and writes to DIR:
config.json, folds.csv (the fold of every row; hold-out: 0 validates), history.json, history.csv,
thresholds.csv (per class, from the validation predictions), per-class.csv, val-probs.csv, model/model.json + model/weights.bin and model.zip
(the studio's model package; both hold the best epoch by --monitor), checkpoints/{best,last}.ckpt
and, for a run of several phases, checkpoints/phase-N.ckpt (the weights as phase N ended).

  --data FILE        the zip (train.csv and train/{Id}_{red,green,blue,yellow}.png)
  --out DIR          output folder (created)
  --model NAME       ${listModels()
    .map((m) => m.name)
    .join(' | ')} (default gapnet-pl)
  --loss L           bce | focal | f1 | bce-then-f1 (default ${DEFAULT_RUN.loss}, as the studio; transfer models ${TRANSFER_RUN.loss})
  --gamma G          focal γ (default ${DEFAULT_RUN.gamma})
  --alpha A          none | inverse-frequency | log-damped | a number in (0,1) (default none)
  --epochs E         epochs (bce-then-f1: --epochs of BCE, then --f1-epochs of soft F1 on the
                     last 7 layers at lr/10; transfer models: the fine-tune's epochs, after the
                     warm-up's; default ${DEFAULT_RUN.epochs})
  --f1-epochs N      default: half of --epochs, at least 1
  --size S           model input side (default ${DEFAULT_RUN.inputSize}; transfer models their default side, 224 px
                     (InceptionV3 299), or the zip's image size if smaller)
  --store S          side the images are kept at in memory (default --size); with --crop, the
                     model sees random S-px crops of them (centre crops for validation)
  --crop             crop instead of resize
  --no-augment       no random flips / quarter turns
  --batch B          batch size (default ${DEFAULT_RUN.batchSize})
  --lr LR            Adam learning rate (default ${exp(DEFAULT_RUN.lr)}; transfer models ${exp(TRANSFER_RUN.lr)}, the fine-tune's)
  --lr-patience N    ReduceLROnPlateau patience (default ${DEFAULT_RUN.plateau!.patience}; 0 = off), --lr-factor F (default ${DEFAULT_RUN.plateau!.factor};
                     transfer models ${TRANSFER_RUN.plateau!.factor})
  --patience N       early stopping patience (default 0 = off; transfer models ${TRANSFER_RUN.earlyStopPatience})
  --monitor M        val_loss | val_macro_f1 for the schedule, stopping and best epoch (default val_loss)
  --seed N           seeds init, split, order, augmentation and dropout (default 1)
  --sampler S        none | weights (inverse-frequency, redrawn each epoch) | rare (duplication) (default none)
  --folds K --fold i stratified K-fold, validate on fold i (0-based)
  --all-folds        with --folds K: train the K folds one after another with the same config and
                     seed, each into DIR/fold-k/ as above (plus test-probs.csv when the zip has
                     test images), then write the group's out-of-fold evaluation to DIR: group.json,
                     oof_probs.csv, oof-per-class.csv, thresholds.csv (every mode, each fold's own
                     and their spread), thresholds-crossfit.csv, comparison.csv/.md (mean + global,
                     mean + per-class, majority vote, each fold; test scores when the zip has
                     test_labels.csv), histories.csv, config.json, report.md, and with test images
                     test-probs.csv and submission.csv (the best method). predict takes DIR.
                     What each score means: docs/kfold.md
  --holdout F        stratified hold-out fraction (default 0.2 when no --folds)
  --limit N          use only the first N rows of train.csv
  --weights PATH     start from these weights: a Keras .h5 (e.g. Keras Applications'
                     *_notop.h5), a TF.js layers model folder or its zip; mapped onto the model
                     by layer name, with a report of what loaded before training starts
  --backend B        wasm (XNNPACK kernels + our training kernels) | cpu (plain JS, slow) (default wasm)

Transfer models (${listModels()
    .filter((m) => isTransferModel(m.name))
    .map((m) => m.name)
    .join(', ')}) train as the studio does (docs/domain.md §5):
a warm-up with the backbone frozen (its BatchNorm in inference mode), then --epochs of fine-tuning
at --lr, in one run. Unless given, --loss, --lr, --lr-patience, --lr-factor and --patience follow
the seed's schedule (the transfer-model defaults above). --weights load onto the network these
flags build (the file's 3-channel first conv widened to 4 for --channels widen).
  --channels C       yellow and a three-channel backbone: rgb (yellow dropped) | widen (first conv takes
                     4 channels, yellow's filters from red's) | adapter (learned 1×1 4→3) (default ${DEFAULT_TRANSFER.channels})
  --head H           seed (the seed's head) | gap (global average pooling) (default ${DEFAULT_TRANSFER.head})
  --warmup-epochs N  warm-up epochs, backbone frozen (default ${DEFAULT_TRANSFER.warmupEpochs}; 0 = none)
  --warmup-lr X      the warm-up's learning rate (default ${exp(DEFAULT_TRANSFER.warmupLr)})
  --unfreeze U       what the fine-tune trains: all | N (the head and the backbone's last N blocks) (default all)`,
  async run(args) {
    const { values: v } = parseArgs({
      args,
      strict: true,
      options: {
        data: { type: 'string' },
        out: { type: 'string' },
        model: { type: 'string', default: 'gapnet-pl' },
        loss: { type: 'string' },
        gamma: { type: 'string', default: String(DEFAULT_RUN.gamma) },
        alpha: { type: 'string', default: 'none' },
        epochs: { type: 'string', default: String(DEFAULT_RUN.epochs) },
        'f1-epochs': { type: 'string' },
        size: { type: 'string' },
        store: { type: 'string' },
        crop: { type: 'boolean', default: false },
        'no-augment': { type: 'boolean', default: false },
        batch: { type: 'string', default: String(DEFAULT_RUN.batchSize) },
        lr: { type: 'string' },
        'lr-patience': { type: 'string' },
        'lr-factor': { type: 'string' },
        patience: { type: 'string' },
        monitor: { type: 'string', default: 'val_loss' },
        seed: { type: 'string', default: '1' },
        sampler: { type: 'string', default: 'none' },
        folds: { type: 'string' },
        fold: { type: 'string' },
        'all-folds': { type: 'boolean', default: false },
        holdout: { type: 'string' },
        limit: { type: 'string' },
        weights: { type: 'string' },
        backend: { type: 'string', default: 'wasm' },
        channels: { type: 'string' },
        head: { type: 'string' },
        'warmup-epochs': { type: 'string' },
        'warmup-lr': { type: 'string' },
        unfreeze: { type: 'string' },
      },
    });
    const int = (flag: string, min: number, value = (v as Record<string, unknown>)[flag] as string | undefined): number => {
      const n = Number(value);
      if (value === undefined || !Number.isInteger(n) || n < min) throw new UsageError(`--${flag} must be an integer ≥ ${min}, got '${value}'`);
      return n;
    };
    const num = (flag: string, ok: (n: number) => boolean, what: string, raw = (v as Record<string, unknown>)[flag] as string | undefined): number => {
      const n = Number(raw);
      if (!Number.isFinite(n) || !ok(n)) throw new UsageError(`--${flag} must be ${what}, got '${raw}'`);
      return n;
    };
    if (!v.data) throw new UsageError('--data is required');
    if (!v.out) throw new UsageError('--out is required');
    if (!listModels().some((m) => m.name === v.model))
      throw new UsageError(
        `--model '${v.model}' is not one of ${listModels()
          .map((m) => m.name)
          .join(', ')}`,
      );
    // a transfer model's recipe defaults are the seed's schedule (transferDefaults), as the studio's
    const transferModel = isTransferModel(v.model!);
    const base = transferModel ? transferDefaults(v.model!, Infinity) : DEFAULT_RUN;
    if (!transferModel) {
      const flag = TRANSFER_FLAGS.find((f) => v[f] !== undefined);
      if (flag) throw new UsageError(`--${flag} is for transfer models; ${v.model} is a GAPNet`);
    }
    const loss = (v.loss ?? base.loss) as (typeof LOSSES)[number];
    if (!LOSSES.includes(loss)) throw new UsageError(`--loss '${v.loss}' is not one of ${LOSSES.join(', ')}`);
    const sampler = v.sampler as (typeof SAMPLERS)[number];
    if (!SAMPLERS.includes(sampler)) throw new UsageError(`--sampler '${v.sampler}' is not one of ${SAMPLERS.join(', ')}`);
    const monitor = v.monitor as Monitor;
    if (monitor !== 'val_loss' && monitor !== 'val_macro_f1') throw new UsageError(`--monitor '${v.monitor}' is not one of val_loss, val_macro_f1`);
    if (v.backend !== 'cpu' && v.backend !== 'wasm') throw new UsageError(`--backend '${v.backend}' is not one of cpu, wasm`);
    const epochs = int('epochs', 1);
    const f1Epochs = v['f1-epochs'] === undefined ? Math.max(1, Math.floor(epochs / 2)) : int('f1-epochs', 1);
    const sizes = inputSizeRange(v.model!);
    const minSize = Math.max(MIN_INPUT_SIZE, sizes.min);
    // a transfer model without --size takes its default side, or the zip's if smaller (known once read)
    const autoSize = transferModel && v.size === undefined;
    let size = autoSize ? sizes.default : int('size', minSize, v.size ?? String(DEFAULT_RUN.inputSize));
    if (size > sizes.max) throw new UsageError(`--size ${size}: ${v.model} takes at most ${sizes.max} px`);
    const store = v.store === undefined ? size : int('store', autoSize ? minSize : size);
    if (autoSize) size = Math.min(size, store);
    const batchSize = int('batch', 1);
    const lr = num('lr', (n) => n > 0, 'a number > 0', v.lr ?? String(base.lr));
    const gamma = num('gamma', (n) => n >= 0, 'a number ≥ 0');
    const lrPatience = int('lr-patience', 0, v['lr-patience'] ?? String(base.plateau?.patience ?? 0));
    const lrFactor = num('lr-factor', (n) => n > 0 && n < 1, 'a number in (0, 1)', v['lr-factor'] ?? String(base.plateau?.factor ?? 0.5));
    const patience = int('patience', 0, v.patience ?? String(base.earlyStopPatience));
    const seed = int('seed', 0);
    const limit = v.limit === undefined ? undefined : int('limit', 2);
    let alpha: AlphaSpec;
    if (v.alpha === 'none') alpha = { mode: 'none' };
    else if (v.alpha === 'inverse-frequency') alpha = { mode: 'inverse-frequency' };
    else if (v.alpha === 'log-damped') alpha = { mode: 'log-damped' };
    else alpha = { mode: 'scalar', value: num('alpha', (n) => n > 0 && n < 1, 'none, inverse-frequency, log-damped or a number in (0, 1)') };
    let transfer: TransferSettings | undefined;
    if (transferModel) {
      const channels = (v.channels ?? DEFAULT_TRANSFER.channels) as TransferSettings['channels'];
      if (!CHANNELS.includes(channels)) throw new UsageError(`--channels '${v.channels}' is not one of ${CHANNELS.join(', ')}`);
      const head = (v.head ?? DEFAULT_TRANSFER.head) as TransferSettings['head'];
      if (!HEADS.includes(head)) throw new UsageError(`--head '${v.head}' is not one of ${HEADS.join(', ')}`);
      const blocks = backboneBlockCount(v.model!);
      let unfreeze: TransferSettings['unfreeze'] = 'all';
      if (v.unfreeze !== undefined && v.unfreeze !== 'all') {
        const lastBlocks = Number(v.unfreeze);
        if (!Number.isInteger(lastBlocks) || lastBlocks < 1 || lastBlocks > blocks)
          throw new UsageError(`--unfreeze must be 'all' or a number of last blocks in 1..${blocks} (${v.model} has ${blocks}), got '${v.unfreeze}'`);
        unfreeze = { lastBlocks };
      }
      transfer = {
        channels,
        head,
        warmupEpochs: int('warmup-epochs', 0, v['warmup-epochs'] ?? String(DEFAULT_TRANSFER.warmupEpochs)),
        warmupLr: num('warmup-lr', (n) => n > 0 && n < 1, 'a number in (0, 1)', v['warmup-lr'] ?? String(DEFAULT_TRANSFER.warmupLr)),
        unfreeze,
        // the studio names stored weights by id; the command line by the file they came from
        weights: v.weights ?? null,
      };
    }
    if (transfer) {
      const problem = transferProblem({ ...base, loss, transfer });
      if (problem) throw new UsageError(loss === 'bce-then-f1' ? `--loss bce-then-f1: ${problem}` : problem);
    }
    if (v.folds === undefined && v.fold !== undefined) throw new UsageError('--fold needs --folds');
    if (v.folds !== undefined && v.holdout !== undefined) throw new UsageError('give either --folds K --fold i or --holdout F, not both');
    const folds = v.folds === undefined ? undefined : int('folds', 2);
    const allFolds = v['all-folds']!;
    if (allFolds && folds === undefined) throw new UsageError('--all-folds needs --folds K');
    if (allFolds && v.fold !== undefined) throw new UsageError('--all-folds trains every fold: give either --fold i or --all-folds, not both');
    const foldFlag = folds === undefined || allFolds ? undefined : int('fold', 0);
    if (folds !== undefined && !allFolds && foldFlag! >= folds) throw new UsageError(`--fold must be in 0..${folds - 1}, got ${foldFlag}`);
    const holdout = folds === undefined ? (v.holdout === undefined ? 0.2 : num('holdout', (n) => n > 0 && n < 1, 'a fraction in (0, 1)')) : undefined;

    // backend
    if (v.backend === 'wasm') {
      const { useWasmBackend } = await import('../wasmBackend');
      try {
        await useWasmBackend();
      } catch (e) {
        throw new Error(`--backend wasm cannot start: ${(e as Error).message}`, { cause: e });
      }
      const missing = ['Conv2DBackpropFilter', 'Conv2DBackpropInput'].filter((k) => !tf.getKernel(k, 'wasm'));
      if (missing.length) throw new Error(`--backend wasm cannot train convolutions: no ${missing.join(', ')} kernel registered for wasm`);
    } else {
      await tf.setBackend('cpu');
      registerAccel('cpu'); // the studio's gradients and fused Adam, as useWasmBackend registers them for wasm
    }
    await tf.ready();

    // weights first: a bad file fails before the data is read
    const weightsFile = v.weights === undefined ? null : await readWeightsPath(v.weights);

    // data and split
    const t0 = performance.now();
    const dataPath = v.data;
    const data = await readTrainZip(dataPath, { size: store, limit });
    if (autoSize) size = Math.max(minSize, Math.min(size, data.imageSize));
    if (data.imageSize < size) throw new Error(`the zip's images are ${data.sourceSize} px: smaller than --size ${size}`);
    const n = data.ids.length;
    const trainFold = async (fold: number | undefined, out: string, group?: { test: boolean }): Promise<FoldRun> => {
      const recipe: RunConfig = {
        model: v.model!,
        inputSize: size,
        mode: v.crop ? 'crop' : 'resize',
        loss,
        gamma,
        alpha,
        epochs,
        f1Epochs,
        batchSize,
        lr,
        plateau: lrPatience ? { factor: lrFactor, patience: lrPatience } : null,
        earlyStopPatience: patience,
        monitor,
        augment: { flips: !v['no-augment'], rotate90: !v['no-augment'] },
        sampler,
        split: folds !== undefined ? { kind: 'kfold', folds, fold: fold! } : { kind: 'holdout', fraction: holdout! },
        seed,
        ...(transfer ? { transfer } : {}),
      };
      const run = prepareRun(recipe, data.labelSets);
      const { trainRows, valRows, phases, totalEpochs, augment } = run;
      const fixedRows = run.sampledRows;
      const source = memoryBatchSource(data, { trainRows: fixedRows, valRows, trainOrder: run.trainOrder });
      // the run's network (a transfer model's channel option and head included), then the weights onto it
      const model = buildRunModel(recipe);
      const weightsReport = weightsFile && applyWeights(model, v.model!, weightsFile.weights);
      if (weightsFile && weightsReport) {
        console.log(`weights ${v.weights} (${weightsFile.source}, ${weightsFile.weights.length} tensors): ${formatWeightReport(weightsReport)}`);
        if (!weightsReport.loaded) throw new Error(`--weights ${v.weights}: no tensor of the file fits ${v.model}; is it the right model?`);
      }
      const description = describeModel(model);
      const config = {
        command: 'train',
        date: new Date().toISOString(),
        backend: tf.getBackend(),
        tfjs: tf.version.tfjs,
        data: {
          file: v.data,
          rows: n,
          sourceSize: data.sourceSize,
          storedSize: data.imageSize,
          train: trainRows.length,
          trainAfterSampling: fixedRows.length,
          val: valRows.length,
        },
        split: folds !== undefined ? { kind: 'stratified-kfold', folds, fold } : { kind: 'stratified-holdout', fraction: holdout },
        model: {
          name: v.model,
          inputSize: size,
          totalParams: description.totalParams,
          trainableParams: description.trainableParams,
          notes: modelNotes(v.model!, runModelOptions(recipe)),
        },
        transfer: transfer ?? null,
        weights:
          weightsFile && weightsReport ? { file: v.weights, source: weightsFile.source, kerasVersion: weightsFile.kerasVersion, report: weightsReport } : null,
        loss: { flag: loss, gamma, alpha },
        phases: phases.map((p) => ({ name: p.name, epochs: p.epochs, lr: p.lr, trainable: p.trainable ?? 'all' })),
        optimizer: 'adam',
        batchSize,
        seed,
        sampler,
        augment,
        monitor,
        reduceLrOnPlateau: lrPatience ? { factor: lrFactor, patience: lrPatience } : null,
        earlyStopping: patience ? { patience } : null,
        // the run's recipe as the studio keeps it (export-torch rebuilds the run from it)
        recipe,
      };
      mkdirSync(join(out, 'checkpoints'), { recursive: true });
      writeFileSync(join(out, 'config.json'), JSON.stringify(config, null, 2) + '\n');
      writeFileSync(join(out, 'folds.csv'), formatFoldsCsv(data.ids, run.assignment));
      console.log(
        `${v.model} ${size}px, ${description.totalParams.toLocaleString('en-US')} params, ${tf.getBackend()} backend; ${trainRows.length} train (${fixedRows.length} after sampling) / ${valRows.length} val of ${n} images, read in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );

      // callbacks
      const ckpt = bestLastCheckpoint({
        monitor,
        save: (kind, c) => writeFileSync(join(out, 'checkpoints', `${kind}.ckpt`), new Uint8Array(encodeCheckpoint(c))),
      });
      // a run of several phases keeps each finished phase's weights (a transfer run: the warm-up's, backbone as loaded)
      const phaseEnds: TrainingCallback = {
        onPhaseStart: (ctx) => {
          if (ctx.phase > 0 && ckpt.last) writeFileSync(join(out, 'checkpoints', `phase-${ctx.phase}.ckpt`), new Uint8Array(encodeCheckpoint(ckpt.last)));
          const p = phases[ctx.phase];
          console.log(
            `phase ${ctx.phase + 1}/${phases.length}: ${p.name}, ${p.epochs} epoch${p.epochs === 1 ? '' : 's'} at lr ${p.lr.toExponential(1)}, ${describeTrainable(model)}`,
          );
        },
      };
      const started = performance.now();
      const progress: TrainingCallback = {
        onEpochEnd: (_ctx, l) => {
          const elapsed = (performance.now() - started) / 1000;
          const eta = (elapsed / l.epoch) * (totalEpochs - l.epoch);
          console.log(
            `epoch ${l.epoch}/${totalEpochs} [${l.phaseName}] loss ${l.loss.toFixed(4)}  val_loss ${l.valLoss.toFixed(4)}  val_macro_F1 ${l.valMacroF1.toFixed(4)}  lr ${l.learningRate.toExponential(1)}  ${l.imagesPerSecond.toFixed(2)} img/s  ${l.seconds.toFixed(1)} s  ETA ${formatSeconds(eta)}`,
          );
        },
      };
      const callbacks: TrainingCallback[] = [phaseEnds, progress, ...run.scheduleCallbacks, ckpt];

      const result = await runTraining(model, source, {
        ...accelTraining,
        phases,
        batchSize,
        seed,
        augment,
        callbacks,
        meta: { model: v.model, inputSize: size, ...(transfer ? { transfer } : {}) },
      });
      if (result.stoppedBy) console.log(`stopped: ${result.stoppedBy}`);
      if (ckpt.best) await restoreCheckpoint(model, ckpt.best);

      // outputs from the best epoch's weights
      const val = await predictValidation(model, source, { batchSize, augment });
      const th = chooseThresholds(val.truth, val.probs, 'per-class');
      writeHistory(out, result.history);
      writeFileSync(join(out, 'thresholds.csv'), formatThresholdsCsv(th.thresholds));
      writeFileSync(
        join(out, 'per-class.csv'),
        [
          'class,name,support,precision,recall,f1,threshold',
          ...th.report.perClass.map((c) =>
            [c.cls, `"${CLASS_NAMES[c.cls]}"`, c.support, c.precision.toFixed(6), c.recall.toFixed(6), c.f1.toFixed(6), th.thresholds[c.cls].toFixed(3)].join(
              ',',
            ),
          ),
        ].join('\n') + '\n',
      );
      writeFileSync(
        join(out, 'val-probs.csv'),
        formatProbsCsv(
          valRows.map((r) => data.ids[r]),
          val.probs,
          NUM_CLASSES,
        ),
      );
      await saveModel(model, join(out, 'model'));
      writeFileSync(
        join(out, 'model.zip'),
        await writeModelZip(
          model,
          studioMeta(model, {
            modelName: v.model!,
            thresholds: th.thresholds,
            resizeMode: augment.mode,
            storedSize: data.imageSize,
            ...(transfer ? { extra: { transfer } } : {}),
          }),
        ),
      );
      // a group's fold model predicts the zip's test split (the ensembles of the comparison combine these)
      let testPart: Pick<FoldRun, 'testIds' | 'testProbs'> = {};
      if (group?.test) {
        const test = await openTestZip(dataPath, { size: data.imageSize });
        try {
          const meta = studioMeta(model, { modelName: v.model!, resizeMode: augment.mode, storedSize: data.imageSize });
          const testProbs = await runPredict(model, test.source, meta, { batchSize });
          writeFileSync(join(out, 'test-probs.csv'), formatProbsCsv(test.ids, testProbs, NUM_CLASSES));
          testPart = { testIds: test.ids, testProbs };
        } finally {
          await test.close();
        }
      }
      model.dispose();
      const best = result.history.find((h) => h.epoch === ckpt.best?.epoch);
      console.log(
        `best epoch ${ckpt.best?.epoch ?? '-'} (${monitor} ${best ? (monitor === 'val_loss' ? best.valLoss : best.valMacroF1).toFixed(4) : '-'}); val macro F1 with per-class thresholds ${th.report.macroF1.toFixed(4)}; wrote ${out}`,
      );
      return { history: result.history, valIds: valRows.map((r) => data.ids[r]), valProbs: val.probs, valTruth: val.truth, ...testPart };
    };
    if (!allFolds) {
      await trainFold(foldFlag, v.out);
      return 0;
    }
    await trainGroup({ out: v.out, dataPath, ids: data.ids, folds: folds!, trainFold });
    return 0;
  },
};

/** What one fold's run hands to its group: its history and its predictions (validation, and test when asked). */
interface FoldRun {
  history: EpochLogs[];
  valIds: string[];
  valProbs: Float32Array;
  valTruth: Uint8Array;
  testIds?: string[];
  testProbs?: Float32Array;
}

/**
 * `--all-folds`: the K folds one after another with the same config and seed, each into DIR/fold-k as a
 * single-fold run writes it, then the group's evaluation, comparison and report in DIR (docs/kfold.md).
 */
async function trainGroup(o: {
  out: string;
  dataPath: string;
  ids: readonly string[];
  folds: number;
  trainFold: (fold: number, out: string, group: { test: boolean }) => Promise<FoldRun>;
}): Promise<void> {
  const K = o.folds;
  mkdirSync(o.out, { recursive: true });
  const { hasImages: hasTest, truth: testTruth } = await readTestTruth(o.dataPath);
  const started = performance.now();
  const runs: FoldPredictions[] = [];
  const histories: GroupReportFold[] = [];
  for (let k = 0; k < K; k++) {
    console.log(`group: fold ${k + 1} of ${K} (fold-${k}/)`);
    const r = await o.trainFold(k, join(o.out, `fold-${k}`), { test: hasTest });
    const name = `fold-${k}`;
    runs.push({ fold: k, name, valIds: r.valIds, valProbs: r.valProbs, valTruth: r.valTruth, testIds: r.testIds, testProbs: r.testProbs });
    histories.push({ fold: k, name, history: r.history });
    const elapsed = (performance.now() - started) / 1000;
    console.log(`group: fold ${k + 1} of ${K} done, ${formatSeconds(elapsed)} so far, ETA for the group ${formatSeconds((elapsed / (k + 1)) * (K - k - 1))}`);
  }
  const ev = evaluateGroup(runs, { order: o.ids });
  const rows = groupComparison(runs, ev, testTruth ? { testTruth } : {});
  const chosen = bestGroupMethod(rows);
  const foldConfig = JSON.parse(readFileSync(join(o.out, 'fold-0', 'config.json'), 'utf8')) as Record<string, unknown>;
  const config = {
    ...foldConfig,
    command: 'train --all-folds',
    split: { kind: 'stratified-kfold', folds: K, all: true },
    recipe: { ...(foldConfig.recipe as object), split: { kind: 'kfold', folds: K } },
    foldDirs: runs.map((r) => r.name),
  };
  for (const f of groupReportFiles({ name: `${K}-fold group`, config, folds: histories, evaluation: ev, comparison: rows, chosen }))
    writeFileSync(join(o.out, f.path), f.text);
  const group: FoldGroupFile = {
    kind: FOLD_GROUP_KIND,
    folds: runs.map((r) => ({ fold: r.fold, dir: r.name, model: `${r.name}/model.zip` })),
    best: chosen,
    thresholds: groupThresholds(ev),
    comparison: rows,
  };
  writeFileSync(join(o.out, 'group.json'), JSON.stringify(group, null, 2) + '\n');
  if (hasTest) {
    const { ids, members } = groupTestMembers(runs);
    writeFileSync(join(o.out, 'test-probs.csv'), formatProbsCsv(ids, meanProbabilities(members), NUM_CLASSES));
    const { labels } = groupTestLabels(runs, ev, chosen);
    writeFileSync(
      join(o.out, 'submission.csv'),
      formatLabelCsv(
        ids.map((id, r) => ({ id, labels: labelSets(labels.subarray(r * NUM_CLASSES, (r + 1) * NUM_CLASSES))[0] })),
        'Predicted',
      ),
    );
  }
  console.log(comparisonMarkdown(rows, chosen).trimEnd());
  console.log(
    `group of ${K} folds: out-of-fold macro F1 ${ev.macroF1.global.toFixed(4)} (global threshold, fitted OOF), ${ev.crossFitMacroF1.global.toFixed(4)} cross-fitted; method ${chosen}${hasTest ? '; test-probs.csv and submission.csv from the ensemble' : ''}; wrote ${o.out}`,
  );
}

/** The trainable share of the model as the phase set it, e.g. '1,290,524 of 3,571,548 params trainable'. */
function describeTrainable(model: tf.LayersModel): string {
  const count = (ws: tf.LayerVariable[]) => ws.reduce((s, w) => s + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);
  return `${count(model.trainableWeights).toLocaleString('en-US')} of ${count(model.weights).toLocaleString('en-US')} params trainable`;
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '-';
  const m = Math.floor(s / 60);
  return m
    ? `${m}m${Math.round(s % 60)
        .toString()
        .padStart(2, '0')}s`
    : `${Math.round(s)}s`;
}

const HISTORY_COLUMNS = ['epoch', 'phase', 'phaseName', 'loss', 'valLoss', 'valMacroF1', 'learningRate', 'trainImages', 'imagesPerSecond', 'seconds'] as const;

function writeHistory(dir: string, history: EpochLogs[]): void {
  writeFileSync(join(dir, 'history.json'), JSON.stringify(history, null, 2) + '\n');
  const lines = [HISTORY_COLUMNS.join(',') + ',' + CLASS_NAMES.map((_, c) => `valF1_${c}`).join(',')];
  for (const h of history) lines.push([...HISTORY_COLUMNS.map((k) => (k === 'phaseName' ? `"${h[k]}"` : h[k])), ...h.valPerClassF1].join(','));
  writeFileSync(join(dir, 'history.csv'), lines.join('\n') + '\n');
}

/** model.json (stock TF.js layers only, as in model.zip) + weights.bin through tf.io, without tfjs-node's file:// handler. */
async function saveModel(studioModel: tf.LayersModel, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const { model } = await portableModel(studioModel);
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      const weights = a.weightData ? new Uint8Array(tf.io.CompositeArrayBuffer.join(a.weightData)) : new Uint8Array(0);
      writeFileSync(join(dir, 'weights.bin'), weights);
      const json = {
        modelTopology: a.modelTopology,
        format: a.format,
        generatedBy: a.generatedBy,
        convertedBy: a.convertedBy,
        weightsManifest: [{ paths: ['./weights.bin'], weights: a.weightSpecs ?? [] }],
      };
      writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weights.byteLength } };
    }),
  );
  if (model !== studioModel) model.dispose();
}
