/**
 * Puts the tensors of a weights file onto a built model, as Keras's loader would, and says what
 * happened before anything trains: which model tensors got no value (missing), which file tensors
 * the model has no place for (unexpected), which differ in shape (mismatched), and which were
 * adapted (the first convolution widened from 3 to 4 input channels).
 *
 * Layers pair by name; where the numbers Keras appends to automatic names differ (InceptionV3's
 * conv2d_N / batch_normalization_N: from conv2d_1 in the published file, from conv2d in tf.keras's
 * saves), the layers of that kind pair by their order instead, and the report says so.
 * ResNet50 files of the old keras-applications model (res2a_branch2a, bn_conv1, …) pair through
 * their current names. Within a layer, weights pair by name ('kernel', 'gamma'); a file whose
 * weight names carry no such names (the oldest files: 'block1_conv1_W_1:0') pairs them by position,
 * as Keras's own loader does. The studio's layers (hpa_*) have no counterpart in any file and are
 * not counted missing.
 */
import * as tf from '@tensorflow/tfjs';
import { firstConvLayer, isTransferModel, resnet50CurrentName } from '../models/backbones/blocks';
import { widenFirstConvKernel } from '../models/transfer';
import { weightKey, type NamedWeight } from './namedWeight';
import type { WeightReport } from './weightReport';

export type { WeightReport };

export interface MatchOptions {
  /** widen a 3-channel first-conv kernel to the model's 4 channels (yellow = red); default true */
  widen?: boolean;
  /** note how many tensors of the studio's own layers keep their initialisation (default true; off where the model only stands in for the backbone) */
  studioNote?: boolean;
}

interface Pairing {
  report: WeightReport;
  /** model variable → the values to give it */
  assignments: { variable: tf.LayerVariable; data: Float32Array }[];
}

/** Every layer that holds weights, nested models opened up (Keras names layers inside them the same way). */
function weightedLayers(model: tf.LayersModel): tf.layers.Layer[] {
  const out: tf.layers.Layer[] = [];
  const visit = (l: tf.layers.Layer) => {
    const inner = (l as unknown as { layers?: tf.layers.Layer[] }).layers;
    if (Array.isArray(inner)) inner.forEach(visit);
    else if (l.weights.length) out.push(l);
  };
  model.layers.forEach(visit);
  return out;
}

/** The short name of a model variable: 'block1_conv1/kernel' → 'kernel' (tfjs's own _N suffixes for repeated builds are on `name`, not `originalName`). */
function variableShortName(v: tf.LayerVariable): string {
  return v.originalName.replace(/^.*\//, '');
}

const AUTO_NAME = /^([a-z][a-z0-9]*(?:_[a-z][a-z0-9]*)*?)(?:_(\d+))?$/;

/** The kind of an automatic Keras name: 'conv2d_17' → 'conv2d', 'batch_normalization' → 'batch_normalization'. */
function autoKind(name: string): string | null {
  const m = AUTO_NAME.exec(name);
  return m && /^(conv2d|batch_normalization|depthwise_conv2d|separable_conv2d|dense|conv2d_transpose)$/.test(m[1]) ? m[1] : null;
}

function groupByLayer(weights: readonly NamedWeight[]): Map<string, NamedWeight[]> {
  const m = new Map<string, NamedWeight[]>();
  for (const w of weights) {
    const list = m.get(w.layer);
    if (list) list.push(w);
    else m.set(w.layer, [w]);
  }
  return m;
}

function pair(model: tf.LayersModel, modelName: string, weights: readonly NamedWeight[], opts: MatchOptions): Pairing {
  const report: WeightReport = { loaded: 0, missing: [], unexpected: [], mismatched: [], widened: [], notes: [] };
  const assignments: Pairing['assignments'] = [];
  const fileLayers = groupByLayer(weights);
  const layers = weightedLayers(model);
  const studio = layers.filter((l) => l.name.startsWith('hpa_'));
  const backbone = layers.filter((l) => !l.name.startsWith('hpa_'));
  const modelByName = new Map(backbone.map((l) => [l.name, l]));

  // layer pairing: automatic names (conv2d_N) whose numbering differs pair by order within their
  // kind; then by name; then old ResNet50 names
  const pairs = new Map<tf.layers.Layer, string>();
  const taken = new Set<string>();
  const kinds = new Map<string, { file: string[]; model: tf.layers.Layer[] }>();
  const kindOf = (k: string) => kinds.get(k) ?? kinds.set(k, { file: [], model: [] }).get(k)!;
  for (const name of fileLayers.keys()) {
    const k = autoKind(name);
    if (k) kindOf(k).file.push(name);
  }
  for (const l of backbone) {
    const k = autoKind(l.name);
    if (k) kindOf(k).model.push(l);
  }
  for (const [kind, { file, model: ml }] of kinds) {
    if (!file.length || !ml.length) continue;
    const names = new Set(ml.map((l) => l.name));
    if (file.length === names.size && file.every((n) => names.has(n))) continue;
    if (file.length !== ml.length) {
      report.notes.push(
        `the file has ${file.length} automatically named ${kind} layers and the model ${ml.length}, numbered differently; they were paired by name only`,
      );
      continue;
    }
    ml.forEach((l, i) => {
      pairs.set(l, file[i]);
      taken.add(file[i]);
    });
    report.notes.push(
      `${file.length} ${kind} layers paired by their order among ${kind} layers (numbered differently: file ${file[0]} … ${file.at(-1)}, model ${ml[0].name} … ${ml.at(-1)!.name})`,
    );
  }
  for (const name of fileLayers.keys()) {
    const l = modelByName.get(name);
    if (l && !pairs.has(l) && !taken.has(name)) {
      pairs.set(l, name);
      taken.add(name);
    }
  }
  if (modelName === 'resnet50') {
    let renamed = 0;
    for (const name of fileLayers.keys()) {
      if (taken.has(name)) continue;
      const current = resnet50CurrentName(name);
      const l = current === null ? undefined : modelByName.get(current);
      if (l && !pairs.has(l)) {
        pairs.set(l, name);
        taken.add(name);
        renamed++;
      }
    }
    if (renamed)
      report.notes.push(
        `${renamed} layers carry the old keras-applications ResNet50 names (res2a_branch2a, bn_conv1, …) and were paired with their current names; that model's BatchNorm epsilon was 1e-3 (the current one uses 1.001e-5)`,
      );
  }

  // within a layer, weights pair by name unless the file's names say nothing (then by position, as Keras does)
  const paired = [...pairs].map(([l, name]) => ({ l, file: fileLayers.get(name)! }));
  const named = paired.filter(({ l, file }) => file.some((w) => l.weights.some((v) => variableShortName(v) === w.weight))).length;
  const byPosition = paired.length > 0 && named < paired.length / 2;
  if (byPosition)
    report.notes.push(
      "the file's weight names do not name the weights (as in files from Keras 1); weights were paired by their position within each layer, as Keras does",
    );

  const first = isTransferModel(modelName) ? firstConvLayer(modelName) : null;
  for (const l of backbone) {
    const name = pairs.get(l);
    if (name === undefined) {
      for (const v of l.weights) report.missing.push(`${l.name}/${variableShortName(v)}`);
      continue;
    }
    const file = [...fileLayers.get(name)!];
    for (const [i, v] of l.weights.entries()) {
      const short = variableShortName(v);
      const at = byPosition ? (i < file.length && file[i] ? i : -1) : file.findIndex((w) => w?.weight === short);
      const w = at >= 0 ? file[at] : undefined;
      if (!w) {
        report.missing.push(`${l.name}/${short}`);
        continue;
      }
      (file as (NamedWeight | undefined)[])[at] = undefined;
      const modelShape = v.shape as number[];
      const label = name === l.name ? `${l.name}/${short}` : `${l.name}/${short} (file: ${weightKey(w)})`;
      if (sameShape(w.shape, modelShape)) {
        assignments.push({ variable: v, data: w.data });
        report.loaded++;
      } else if (
        opts.widen !== false &&
        l.name === first &&
        short === 'kernel' &&
        w.shape.length === 4 &&
        w.shape[2] === 3 &&
        modelShape[2] === 4 &&
        sameShape([w.shape[0], w.shape[1], w.shape[3]], [modelShape[0], modelShape[1], modelShape[3]])
      ) {
        assignments.push({ variable: v, data: widenFirstConvKernel(modelName, w.data, w.shape).data });
        report.loaded++;
        report.widened.push(`${l.name}/${short}`);
      } else report.mismatched.push({ name: label, fileShape: [...w.shape], modelShape: [...modelShape] });
    }
    for (const w of file) if (w) report.unexpected.push(weightKey(w));
  }
  for (const [name, list] of fileLayers) if (!taken.has(name)) for (const w of list) report.unexpected.push(weightKey(w));

  if (report.widened.length) report.notes.push(`${report.widened.join(', ')}: widened from 3 to 4 input channels, the yellow filters a copy of the red ones`);
  if (studio.length && opts.studioNote !== false) {
    const n = studio.reduce((s, l) => s + l.weights.length, 0);
    report.notes.push(`${n} tensors of the studio's own layers (${studio.map((l) => l.name).join(', ')}) keep their initialisation, as they should`);
  }
  return { report, assignments };
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** What loading `weights` into `model` would do; changes nothing. */
export function matchWeights(model: tf.LayersModel, modelName: string, weights: readonly NamedWeight[], opts: MatchOptions = {}): WeightReport {
  return pair(model, modelName, weights, opts).report;
}

/**
 * Loads every tensor the report counts as loaded (widened ones widened) into `model`; missing,
 * unexpected and mismatched tensors are left as they are. Returns the same report as matchWeights.
 */
export function applyWeights(model: tf.LayersModel, modelName: string, weights: readonly NamedWeight[], opts: MatchOptions = {}): WeightReport {
  const { report, assignments } = pair(model, modelName, weights, opts);
  for (const { variable, data } of assignments) {
    const t = tf.tensor(data, variable.shape as number[], 'float32');
    variable.write(t);
    t.dispose();
  }
  return report;
}
