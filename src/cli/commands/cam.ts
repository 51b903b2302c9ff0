import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { UsageError, type Command } from '../command';
import { readZipSample } from '../zipSample';
import { loadModelPath } from './predict';
import { evalBatch } from '../../core/augment';
import { blendCam, camToRgba } from '../../core/cam/camOverlay';
import { encodeRgbaPng } from '../../core/cam/camPng';
import { camStages, defaultCamStage, gradCam } from '../../core/cam/gradCam';
import { compositeRGBY } from '../../core/composite';
import { CLASS_NAMES, NUM_CLASSES } from '../../core/labels';
import { checkModelFitsDataset } from '../../core/modelPackage';

/** --class as an index 0..27 or a class name (case and spacing ignored). */
export function parseClassArg(value: string): number {
  const v = value.trim();
  if (/^\d+$/.test(v)) {
    const c = Number(v);
    if (c < NUM_CLASSES) return c;
    throw new UsageError(`--class ${v} is not a class index 0..${NUM_CLASSES - 1}`);
  }
  const key = (s: string) =>
    s
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, ' ')
      .trim();
  const c = CLASS_NAMES.findIndex((n) => key(n) === key(v));
  if (c >= 0) return c;
  const near = CLASS_NAMES.filter((n) => key(n).includes(key(v)));
  throw new UsageError(
    `--class '${v}' is neither a class index 0..${NUM_CLASSES - 1} nor a class name${near.length ? `; did you mean ${near.map((n) => `'${n}'`).join(', ')}?` : ''}`,
  );
}

export const camCommand: Command = {
  name: 'cam',
  summary: 'a class activation map (Grad-CAM) of one sample over its composite, as PNG',
  usage: `Usage: hpa-studio cam --model model.zip --data file.zip --id ID --class C --out cam.png [options]

Grad-CAM of class C for sample ID (from the zip's train/ or test/ folder) with a model exported by
the studio or by 'hpa-studio train': the gradient of the class's logit (before the sigmoid) with
respect to a stage's feature maps, averaged per map, weights the maps; their ReLU'd sum is the
class activation map (docs/cam.md). Writes a PNG of the model's view of the sample (the stored
image, or a crop-trained model's centre crop) as the RGBY composite, the map over it as a heat
overlay (inferno, transparent where cold). Prints the class probability and the stage.

  --model FILE         the model zip (or a tf.io model.json with its shards beside it)
  --data FILE          a Kaggle-layout zip holding train/ or test/{ID}_{red,green,blue,yellow}.png
  --id ID              the sample
  --class C            class index 0..27 or name (e.g. 7, "Golgi apparatus")
  --out FILE           the PNG to write
  --stage S            the layer to map (default: the deepest whose map is at least 7 wide, else the
                       finest; GAPNet: any of its three pooled stages, listed by --stage list);
                       'list' prints the stages and exits
  --opacity O          overlay opacity 0..1 (default 0.5)
  --backend B          wasm | cpu (default wasm)`,
  async run(args) {
    const { values: v } = parseArgs({
      args,
      strict: true,
      options: {
        model: { type: 'string' },
        data: { type: 'string' },
        id: { type: 'string' },
        class: { type: 'string' },
        out: { type: 'string' },
        stage: { type: 'string' },
        opacity: { type: 'string', default: '0.5' },
        backend: { type: 'string', default: 'wasm' },
      },
    });
    const listing = v.stage === 'list';
    for (const f of listing ? (['model'] as const) : (['model', 'data', 'id', 'class', 'out'] as const)) if (!v[f]) throw new UsageError(`--${f} is required`);
    const cls = listing ? 0 : parseClassArg(v.class!);
    const opacity = Number(v.opacity);
    if (!(v.opacity!.trim() !== '' && opacity >= 0 && opacity <= 1)) throw new UsageError(`--opacity must be a number from 0 to 1, got '${v.opacity}'`);
    if (v.backend !== 'cpu' && v.backend !== 'wasm') throw new UsageError(`--backend '${v.backend}' is not one of cpu, wasm`);
    if (v.backend === 'wasm') {
      const { useWasmBackend } = await import('../wasmBackend');
      await useWasmBackend();
    } else await tf.setBackend('cpu');
    await tf.ready();

    const { model, meta, metaInferred } = await loadModelPath(v.model!);
    try {
      const stages = camStages(model);
      if (listing) {
        for (const s of stages) console.log(`${s.id}\t${s.label}`);
        return 0;
      }
      const stage = v.stage ?? defaultCamStage(stages).id;
      if (!stages.some((s) => s.id === stage))
        throw new UsageError(`--stage '${stage}' is not a stage of ${meta.modelName}; its stages: ${stages.map((s) => s.id).join(', ')}`);
      if (metaInferred) console.log(`${v.model} has no studio.json: assuming whole images resized to ${meta.inputSize} px`);
      const sample = await readZipSample(v.data!, v.id!, meta.storedSize);
      checkModelFitsDataset(meta, { imageSize: sample.side, channels: 4, classes: NUM_CLASSES });
      if (meta.resizeMode === 'resize' && sample.side < meta.inputSize)
        throw new Error(`sample ${v.id} is ${sample.sourceSize} px: smaller than the model's ${meta.inputSize} px input`);

      // the model's view: the whole stored image (resized to the input) or, crop-trained, its centre crop
      const S = sample.side;
      const view = meta.resizeMode === 'crop' ? meta.inputSize : S;
      const off = Math.floor((S - view) / 2);
      const x = tf.tidy(() => evalBatch(tf.tensor4d(sample.pixels, [1, S, S, 4], 'float32'), { size: meta.inputSize, mode: meta.resizeMode }));
      const cam = (() => {
        try {
          return gradCam(model, x, cls, stage);
        } finally {
          x.dispose();
        }
      })();
      const window = new Uint8Array(view * view * 4);
      for (let y = 0; y < view; y++) window.set(sample.pixels.subarray(((y + off) * S + off) * 4, ((y + off) * S + off + view) * 4), y * view * 4);
      const composite = compositeRGBY(window, new Uint8ClampedArray(window.length));
      const png = encodeRgbaPng(blendCam(composite, camToRgba(cam.map, cam.width, cam.height, view), opacity), view, view);
      writeFileSync(v.out!, png);

      const p = cam.probs[cls];
      const t = meta.thresholds[cls];
      const label = stages.find((s) => s.id === cam.stage)!.label;
      const truth = sample.labels === null ? `${sample.split} sample, labels unknown` : `true labels ${sample.labels.join(' ')}`;
      const max = cam.map.reduce((a, b) => Math.max(a, b), 0);
      console.log(`class ${cls} ${CLASS_NAMES[cls]}: p = ${p.toFixed(4)} (threshold ${t.toFixed(2)}: ${p > t ? 'predicted' : 'not predicted'}); ${truth}`);
      console.log(
        `stage ${cam.stage} (${label}): map ${cam.width}×${cam.height}, max ${max.toPrecision(3)}${max > 0 ? '' : ' (all zero: nothing in this stage raises the class score)'}`,
      );
      console.log(
        `wrote ${v.out}: ${view}×${view} px${meta.resizeMode === 'crop' ? ` (the centre ${view} px crop of the ${S} px image)` : ''}, overlay opacity ${opacity}`,
      );
      return 0;
    } finally {
      model.dispose();
    }
  },
};
