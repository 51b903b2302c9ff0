import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError, type Command } from '../command';
import { parseFoldsCsv, parseProbsCsv, parseThresholdsCsv } from '../../core/csv';
import { CLASS_NAMES } from '../../core/labels';
import { DEFAULT_RUN, type RunConfig } from '../../core/runConfig';
import { decodeCheckpoint } from '../../core/train/checkpoint';
import { torchExportFiles, writeTorchExportZip, type TorchExportInput } from '../../core/torchExport/project';

/** What `hpa-studio train` writes to config.json, as far as the export reads it. */
interface TrainConfigJson {
  data?: { file?: string; storedSize?: number };
  recipe?: RunConfig;
  model?: { name: string; inputSize: number };
  loss?: { flag: RunConfig['loss']; gamma: number; alpha: RunConfig['alpha'] };
  phases?: { epochs: number; lr: number }[];
  batchSize?: number;
  seed?: number;
  sampler?: RunConfig['sampler'];
  augment?: { mode: RunConfig['mode']; flips: boolean; rotate90: boolean };
  monitor?: RunConfig['monitor'];
  reduceLrOnPlateau?: RunConfig['plateau'];
  earlyStopping?: { patience: number } | null;
  split?: { kind: 'stratified-kfold'; folds: number; fold: number } | { kind: 'stratified-holdout'; fraction: number };
  transfer?: RunConfig['transfer'] | null;
}

/** The run's RunConfig: config.json's `recipe`, or rebuilt from its fields (run folders written before it was kept). */
export function recipeOfTrainConfig(c: TrainConfigJson, file: string): RunConfig {
  if (c.recipe) return c.recipe;
  if (!c.model || !c.loss || !c.phases?.length || !c.augment || !c.split)
    throw new Error(`${file}: not the config.json of 'hpa-studio train' (no recipe, model, loss, phases, augment or split)`);
  const transfer = c.transfer ?? undefined;
  const main = c.loss.flag === 'bce-then-f1' ? c.phases[0] : c.phases[c.phases.length - 1];
  return {
    ...DEFAULT_RUN,
    model: c.model.name,
    inputSize: c.model.inputSize,
    mode: c.augment.mode,
    loss: c.loss.flag,
    gamma: c.loss.gamma,
    alpha: c.loss.alpha,
    epochs: main.epochs,
    f1Epochs: c.loss.flag === 'bce-then-f1' ? c.phases[1].epochs : DEFAULT_RUN.f1Epochs,
    batchSize: c.batchSize ?? DEFAULT_RUN.batchSize,
    lr: main.lr,
    plateau: c.reduceLrOnPlateau ?? null,
    earlyStopPatience: c.earlyStopping?.patience ?? 0,
    monitor: c.monitor ?? 'val_loss',
    augment: { flips: c.augment.flips, rotate90: c.augment.rotate90 },
    sampler: c.sampler ?? 'none',
    split: c.split.kind === 'stratified-kfold' ? { kind: 'kfold', folds: c.split.folds, fold: c.split.fold } : { kind: 'holdout', fraction: c.split.fraction },
    seed: c.seed ?? DEFAULT_RUN.seed,
    ...(transfer ? { transfer } : {}),
  };
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new Error(`${path}: cannot read ${what} (${code === 'ENOENT' ? 'no such file' : (e as Error).message})`, { cause: e });
  }
}

/** The export's input from a run folder of `hpa-studio train`. */
export function readTrainRun(dir: string, checkpoint: 'best' | 'last'): TorchExportInput {
  const configPath = join(dir, 'config.json');
  let cfg: TrainConfigJson;
  try {
    cfg = JSON.parse(readText(configPath, "the run's config"));
  } catch (e) {
    if ((e as Error).message.startsWith(configPath)) throw e;
    throw new Error(`${configPath} is not valid JSON (${(e as Error).message})`, { cause: e });
  }
  const config = recipeOfTrainConfig(cfg, configPath);
  const ckptPath = join(dir, 'checkpoints', `${checkpoint}.ckpt`);
  if (!existsSync(ckptPath)) throw new Error(`${ckptPath} is missing: the run folder has no ${checkpoint} checkpoint`);
  const ckpt = decodeCheckpoint(new Uint8Array(readFileSync(ckptPath)).buffer);
  const thresholdsPath = join(dir, 'thresholds.csv');
  const thresholds = existsSync(thresholdsPath) ? parseThresholdsCsv(readText(thresholdsPath, 'thresholds'), { file: thresholdsPath }) : null;
  // the fold of every row (folds.csv, written since the export exists); else the validation ids, with the rest training
  const foldsPath = join(dir, 'folds.csv');
  const probsPath = join(dir, 'val-probs.csv');
  let folds: TorchExportInput['folds'] = null;
  if (existsSync(foldsPath)) folds = parseFoldsCsv(readText(foldsPath, 'folds'), { file: foldsPath });
  else if (existsSync(probsPath)) {
    const ids = parseProbsCsv(readText(probsPath, 'validation probabilities'), { file: probsPath }).ids;
    folds = { ids, folds: new Int32Array(ids.length).fill(config.split.kind === 'kfold' ? config.split.fold : 0) };
  }
  const storedSize = cfg.data?.storedSize ?? config.inputSize;
  const name = basename(resolve(dir));
  return {
    config,
    weights: ckpt.weights,
    storedSize,
    classNames: CLASS_NAMES,
    thresholds,
    thresholdsFrom: thresholds
      ? `${thresholdsPath} (per class, from the validation predictions)`
      : '0.5 for every class (the run folder has no thresholds.csv)',
    run: { id: name, name, datasetId: '', datasetName: cfg.data?.file ? basename(cfg.data.file) : '', checkpoint, epoch: ckpt.epoch },
    folds,
  };
}

export const exportTorchCommand: Command = {
  name: 'export-torch',
  summary: 'a run as a PyTorch project: weights.npz, model.py, predict.py, train.py for torchrun',
  usage: `Usage: hpa-studio export-torch --run DIR --out DIR [--checkpoint best|last] [--predict-only] [--zip]

Reads a run folder of 'hpa-studio train' (config.json, checkpoints/, thresholds.csv, folds.csv) and
writes the run as PyTorch files (docs/torch-export.md): weights.npz (the weights under their studio
names, numpy.load reads it), config.json, thresholds.csv, model.py (the network), predict.py (a
Kaggle submission from a folder of PNGs) and, unless --predict-only, train.py and folds.csv (the
run's recipe under torchrun with DistributedDataParallel).

  --run DIR          the run folder
  --out DIR          where to write the files (created); with --zip, the zip file to write
  --checkpoint C     best (default) or last
  --predict-only     no train.py / folds.csv
  --zip              one zip instead of a folder`,
  async run(args) {
    const { values: v } = parseArgs({
      args,
      strict: true,
      options: {
        run: { type: 'string' },
        out: { type: 'string' },
        checkpoint: { type: 'string', default: 'best' },
        'predict-only': { type: 'boolean', default: false },
        zip: { type: 'boolean', default: false },
      },
    });
    if (!v.run) throw new UsageError('--run is required (a run folder of hpa-studio train)');
    if (!v.out) throw new UsageError('--out is required');
    if (v.checkpoint !== 'best' && v.checkpoint !== 'last') throw new UsageError(`--checkpoint must be best or last, got '${v.checkpoint}'`);
    const input = readTrainRun(v.run, v.checkpoint);
    const project = !v['predict-only'];
    if (v.zip) {
      const { bytes } = await writeTorchExportZip(input, { project });
      writeFileSync(v.out, bytes);
    } else {
      mkdirSync(v.out, { recursive: true });
      for (const [name, bytes] of await torchExportFiles(input, { project })) writeFileSync(join(v.out, name), bytes);
    }
    console.log(
      `wrote ${v.out}: ${input.config.model} ${input.config.inputSize} px, ${input.weights.length} tensors from the ${v.checkpoint} checkpoint (epoch ${input.run.epoch})${project ? ', train.py' : ''}`,
    );
    return 0;
  },
};
