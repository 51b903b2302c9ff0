import { readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { UsageError, type Command } from '../command';
import { openTestZip } from '../testZip';
import { readFoldGroup } from '../foldGroupFile';
import { formatLabelCsv, formatProbsCsv } from '../../core/csv';
import { labelsByMethod, parseGroupMethod, type GroupMethod } from '../../core/foldGroup';
import { labelSets } from '../../core/metrics';
import { NUM_CLASSES } from '../../core/labels';
import { meanProbabilities } from '../../core/ensemble';
import { checkModelFitsDataset, loadModelFiles, loadModelZip, type LoadedModel } from '../../core/modelPackage';
import { predict as runPredict, ttaTransforms, viewWindows, type CropTiling, type TtaCombine, type TtaPreset } from '../../core/predict';

function readBytes(path: string, flag: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new Error(`cannot read --${flag} ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (e as Error).message}`, {
      cause: e,
    });
  }
}

/** A model zip, or a tf.io model.json with its weight shards beside it (and studio.json if there). */
export async function loadModelPath(path: string): Promise<LoadedModel> {
  if (!path.endsWith('.json')) return loadModelZip(readBytes(path, 'model'), path);
  const files = new Map<string, Uint8Array>([['model.json', readBytes(path, 'model')]]);
  let json: { weightsManifest?: { paths: string[] }[] };
  try {
    json = JSON.parse(new TextDecoder().decode(files.get('model.json')));
  } catch (e) {
    throw new Error(`${path} is not valid JSON (${(e as Error).message})`, { cause: e });
  }
  for (const g of json.weightsManifest ?? [])
    for (const shard of g.paths) {
      try {
        files.set(basename(shard), new Uint8Array(readFileSync(join(dirname(path), shard))));
      } catch {
        // loadModelFiles names the missing shard
      }
    }
  try {
    files.set('studio.json', new Uint8Array(readFileSync(join(dirname(path), 'studio.json'))));
  } catch {
    // no metadata: read off the model
  }
  return loadModelFiles(files, path);
}

export const predictCommand: Command = {
  name: 'predict',
  summary: "class probabilities for a zip's test images from an exported model (probs.csv)",
  usage: `Usage: hpa-studio predict --model model.zip --data test.zip --out probs.csv [options]

Runs a model exported by the studio (or by 'hpa-studio train', DIR/model.zip) over the test split
of a Kaggle-layout zip (test/{Id}_{red,green,blue,yellow}.png; ids and order from the zip's
sample_submission.csv, else the sorted test ids) and writes probs.csv: Id,0,1,…,27.
Several --model flags make an ensemble: the mean of the models' probabilities.
A K-fold group folder (written by 'train --folds K --all-folds') as --model makes the ensemble of its
fold models: --out gets the mean of their probabilities and --submission the labels by --method.

  --model FILE         the model zip (model.json + weight shards + studio.json), or a tf.io
                       model.json with its shards beside it (without studio.json: whole-image
                       resize to the model's input size is assumed); repeatable; or a group folder
  --method M           a group's labels: mean-global | mean-per-class | vote (default: the group's
                       best cross-fitted out-of-fold score, group.json's 'best'; docs/kfold.md)
  --submission FILE    a group's submission (Id,Predicted) by --method (default: --out's name
                       with -submission.csv)
  --data FILE          the dataset zip holding test/
  --out FILE           probabilities CSV to write
  --tta T              none | flips (4 views) | dihedral (8 flips and quarter turns) (default none)
  --tta-combine C      mean | max over the TTA views (default mean)
  --tiles T            crop-trained models: grid (tiles of the crop size over the stored image,
                       averaged; default) | centre (the centre crop, as in validation)
  --batch B            images per batch (default 16)
  --backend B          wasm | cpu (default wasm)`,
  async run(args) {
    const { values: v } = parseArgs({
      args,
      strict: true,
      options: {
        model: { type: 'string', multiple: true },
        data: { type: 'string' },
        out: { type: 'string' },
        tta: { type: 'string', default: 'none' },
        'tta-combine': { type: 'string', default: 'mean' },
        tiles: { type: 'string', default: 'grid' },
        batch: { type: 'string', default: '16' },
        backend: { type: 'string', default: 'wasm' },
        method: { type: 'string' },
        submission: { type: 'string' },
      },
    });
    for (const f of ['model', 'data', 'out'] as const) if (!v[f]?.length) throw new UsageError(`--${f} is required`);
    if (!['none', 'flips', 'dihedral'].includes(v.tta!)) throw new UsageError(`--tta '${v.tta}' is not one of none, flips, dihedral`);
    if (!['mean', 'max'].includes(v['tta-combine']!)) throw new UsageError(`--tta-combine '${v['tta-combine']}' is not one of mean, max`);
    if (!['grid', 'centre'].includes(v.tiles!)) throw new UsageError(`--tiles '${v.tiles}' is not one of grid, centre`);
    const batchSize = Number(v.batch);
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new UsageError(`--batch must be an integer ≥ 1, got '${v.batch}'`);
    if (v.backend !== 'cpu' && v.backend !== 'wasm') throw new UsageError(`--backend '${v.backend}' is not one of cpu, wasm`);
    // a group folder stands for its fold models
    if (v.model!.length > 1 && v.model!.some((m) => readFoldGroup(m))) throw new UsageError('a group folder must be the only --model');
    const group = readFoldGroup(v.model![0]);
    if (!group && (v.method !== undefined || v.submission !== undefined)) throw new UsageError('--method and --submission are for a group folder as --model');
    let method: GroupMethod | undefined;
    try {
      method = group ? (v.method === undefined ? group.best : parseGroupMethod(v.method)) : undefined;
    } catch (e) {
      throw new UsageError(`--${(e as Error).message}`);
    }
    const modelPaths = group ? group.folds.map((f) => join(v.model![0], f.model)) : v.model!;
    if (v.backend === 'wasm') {
      const { useWasmBackend } = await import('../wasmBackend');
      await useWasmBackend();
    } else await tf.setBackend('cpu');
    await tf.ready();

    const tta = ttaTransforms(v.tta as TtaPreset);
    const members: Float32Array[] = [];
    let ids: string[] = [];
    for (const path of modelPaths) {
      const { model, meta, metaInferred } = await loadModelPath(path);
      try {
        const test = await openTestZip(v.data!, { size: meta.storedSize });
        try {
          if (members.length && test.ids.join() !== ids.join()) throw new Error('the test ids changed between models');
          ids = test.ids;
          checkModelFitsDataset(meta, { imageSize: test.source.imageSize, channels: test.source.channels, classes: NUM_CLASSES });
          const tiles = viewWindows(test.source.imageSize, meta, v.tiles as CropTiling).length;
          const views = tta.length * tiles;
          if (metaInferred) console.log(`${path} has no studio.json: assuming whole images resized to ${meta.inputSize} px`);
          console.log(
            `${modelPaths.length > 1 ? `model ${members.length + 1}/${modelPaths.length}: ` : ''}${meta.modelName} ${meta.inputSize}px (${meta.resizeMode}${meta.resizeMode === 'crop' ? `, ${tiles} tile${tiles > 1 ? 's' : ''} of ${test.source.imageSize} px` : ''}), TTA ${v.tta}${tta.length > 1 ? ` (${v['tta-combine']})` : ''}: ${views} view${views > 1 ? 's' : ''} per image; ${test.ids.length} test images (${test.sourceSize} px, ids from ${test.idSource}), ${tf.getBackend()} backend`,
          );
          const t0 = performance.now();
          let lastShown = -1;
          members.push(
            await runPredict(model, test.source, meta, {
              batchSize,
              tta,
              combine: v['tta-combine'] as TtaCombine,
              tiling: v.tiles as CropTiling,
              onProgress: (done, total) => {
                const decile = Math.floor((10 * done) / total);
                if (done === 0 || (decile === lastShown && done < total)) return;
                lastShown = decile;
                const s = (performance.now() - t0) / 1000;
                console.log(`predicted ${done}/${total} images  ${(done / s).toFixed(2)} img/s  ${s.toFixed(1)} s`);
              },
            }),
          );
        } finally {
          await test.close();
        }
      } finally {
        model.dispose();
      }
    }
    writeFileSync(v.out!, formatProbsCsv(ids, members.length === 1 ? members[0] : meanProbabilities(members), NUM_CLASSES));
    console.log(`wrote ${v.out}: ${ids.length} rows${members.length > 1 ? `, the mean of ${members.length} models` : ''}`);
    if (group && method) {
      const labels = labelsByMethod(members, method, group.thresholds, NUM_CLASSES);
      const file = v.submission ?? v.out!.replace(/(\.csv)?$/, '-submission.csv');
      writeFileSync(
        file,
        formatLabelCsv(
          ids.map((id, r) => ({ id, labels: labelSets(labels.subarray(r * NUM_CLASSES, (r + 1) * NUM_CLASSES))[0] })),
          'Predicted',
        ),
      );
      const row = group.comparison.find((r) => r.key === method);
      console.log(
        `wrote ${file}: ${ids.length} rows by ${method}${v.method === undefined ? " (the group's best out-of-fold score)" : ''}${row ? `; out-of-fold macro F1 ${row.oofMacroF1.toFixed(4)}${row.oofOptimistic ? ' (optimistic: thresholds fitted on the same predictions)' : ' (cross-fitted)'}` : ''}`,
      );
    }
    return 0;
  },
};
