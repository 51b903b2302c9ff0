/**
 * Grad-CAM (Selvaraju et al., 2017) of one class for one image, on a stored studio model:
 *
 *   A = the activations [h, w, k] of an intermediate layer (the "stage"),
 *   y = the class's logit, the output Dense layer's pre-activation (xᵀW + b, before the sigmoid),
 *   α_k = mean over the h × w positions of ∂y/∂A_k,   map = ReLU(Σ_k α_k A_k).
 *
 * tf.grad differentiates only with respect to a function's inputs, so the graph is run here node
 * by node (the model's own nodes in decreasing depth, as tfjs-layers' Container runs them): first
 * every node that does not depend on the stage, then, inside tf.grad with the stage's activations
 * as the variable, the nodes that do, up to the output layer's input. Layers are called as predict
 * calls them (training false: dropout off, BatchNorm on its moving statistics), so the result's
 * probabilities, the output layer applied to that same input, are model.predict's.
 *
 * Stages (camStages): a GAPNet's three global-average-pooled maps, deepest first; a transfer
 * model's backbone output, where its head starts.
 */
import * as tf from '@tensorflow/tfjs';

export interface CamStage {
  /** the name of the layer whose output is mapped */
  id: string;
  label: string;
  /** the map's side (h; the maps are square) */
  side: number;
}

export interface CamResult {
  stage: string;
  width: number;
  height: number;
  /** height × width, row-major, ReLU'd, not normalised */
  map: Float32Array;
  /** the model's probabilities for the image (model.predict) */
  probs: Float32Array;
  classIndex: number;
}

type Node = tf.layers.Layer['inboundNodes'][number];
type Sym = tf.SymbolicTensor;

/** The model's nodes in an order where every node comes after the nodes whose outputs it reads. */
function nodesInOrder(model: tf.LayersModel): Node[] {
  const byDepth = model.nodesByDepth;
  return Object.keys(byDepth)
    .map(Number)
    .sort((a, b) => b - a)
    .flatMap((d) => byDepth[d]);
}

function outputShape(layer: tf.layers.Layer): (number | null)[] {
  const s = layer.outputShape;
  return (Array.isArray(s[0]) ? s[0] : s) as (number | null)[];
}

function describeShape(layer: tf.layers.Layer): string {
  const s = outputShape(layer);
  return `${s[1]}×${s[2]}, ${s[3]} channels`;
}

function mapSide(layer: tf.layers.Layer): number {
  return outputShape(layer)[1] ?? 0;
}

/**
 * The smallest map side the default stage should have. A transfer backbone's map is 7×7 at its
 * default 224 px; on the demo at 64 px GAPNet's two deeper stages are 4×4, and their maps did not
 * localise (heat on the class's own pixels / off them: median 1.0) where the first stage's 16×16
 * did (2.4–2.7; docs/cam.md).
 */
export const MIN_DEFAULT_MAP_SIDE = 7;

/** The stage shown first: the deepest whose map is at least MIN_DEFAULT_MAP_SIDE wide, else the finest. */
export function defaultCamStage(stages: readonly CamStage[]): CamStage {
  if (!stages.length) throw new Error('no stage to map');
  return stages.find((s) => s.side >= MIN_DEFAULT_MAP_SIDE) ?? stages.reduce((a, b) => (b.side > a.side ? b : a));
}

function isInputNode(node: Node): boolean {
  return node.outboundLayer.getClassName() === 'InputLayer';
}

/** The layer that produced a node's first input. */
function sourceLayer(node: Node): tf.layers.Layer | undefined {
  return node.inboundLayers[0];
}

/**
 * The layers Grad-CAM can map, the default first: the inputs of the model's global average pools
 * (GAPNet's three stages, deepest first; a transfer model's 'gap' head), or, for a transfer model's
 * 'seed' head, the input of its first layer (hpa_head_conv); otherwise the last layer with a 4-D output.
 */
export function camStages(model: tf.LayersModel): CamStage[] {
  const order = nodesInOrder(model);
  const pools = order.filter((n) => n.outboundLayer.getClassName() === 'GlobalAveragePooling2D');
  const headConv = order.find((n) => n.outboundLayer.name === 'hpa_head_conv');
  if (headConv || (pools.length === 1 && pools[0].outboundLayer.name.startsWith('hpa_head'))) {
    const from = sourceLayer(headConv ?? pools[0]);
    if (from) return [{ id: from.name, label: `Backbone output (${from.name}): ${describeShape(from)}`, side: mapSide(from) }];
  }
  if (pools.length) {
    const sources = pools.map(sourceLayer).filter((l): l is tf.layers.Layer => l !== undefined);
    // deepest first: later in the order = deeper
    const rank = new Map(order.map((n, i) => [n.outboundLayer, i]));
    sources.sort((a, b) => (rank.get(a) ?? 0) - (rank.get(b) ?? 0));
    const n = sources.length;
    return sources
      .map((l, i) => ({ id: l.name, label: `Stage ${i + 1}${i === n - 1 && n > 1 ? ' (deepest)' : ''}: ${describeShape(l)}`, side: mapSide(l) }))
      .reverse();
  }
  for (let i = order.length - 1; i >= 0; i--) {
    const l = order[i].outboundLayer;
    if (outputShape(l).length === 4) return [{ id: l.name, label: `${l.name}: ${describeShape(l)}`, side: mapSide(l) }];
  }
  throw new Error(`model '${model.name}' has no layer with a spatial (4-D) output to map`);
}

interface Plan {
  /** nodes that do not depend on the stage (the stage's own node included), in order */
  before: Node[];
  /** nodes that depend on the stage, up to (not including) the output layer */
  after: Node[];
  stageOut: Sym;
  /** the output layer's input */
  headIn: Sym;
  outLayer: tf.layers.Layer;
  /** per symbolic tensor id: how many nodes read it (to free it after its last reader) */
  readers: Map<number, number>;
}

function plan(model: tf.LayersModel, stage: string): Plan {
  if (model.outputs.length !== 1) throw new Error(`Grad-CAM needs a model with one output, '${model.name}' has ${model.outputs.length}`);
  const order = nodesInOrder(model);
  const stageNode = order.find((n) => n.outboundLayer.name === stage);
  if (!stageNode)
    throw new Error(
      `model '${model.name}' has no layer '${stage}'; its stages: ${camStages(model)
        .map((s) => s.id)
        .join(', ')}`,
    );
  if (stageNode.outputTensors.length !== 1 || stageNode.outputTensors[0].shape.length !== 4)
    throw new Error(
      `layer '${stage}' does not output one 4-D map; its stages: ${camStages(model)
        .map((s) => s.id)
        .join(', ')}`,
    );
  const outNode = order.find((n) => n.outputTensors.some((t) => t.id === model.outputs[0].id))!;
  const outLayer = outNode.outboundLayer;
  if (outLayer.getClassName() !== 'Dense' || outNode.inputTensors.length !== 1)
    throw new Error(`Grad-CAM takes the logit of the output Dense layer; '${model.name}' ends in ${outLayer.getClassName()} '${outLayer.name}'`);
  const dependent = new Set<number>([stageNode.outputTensors[0].id]);
  const before: Node[] = [];
  const after: Node[] = [];
  const readers = new Map<number, number>();
  for (const node of order) {
    if (node === outNode || isInputNode(node)) continue;
    for (const t of node.inputTensors) readers.set(t.id, (readers.get(t.id) ?? 0) + 1);
    if (node !== stageNode && node.inputTensors.some((t) => dependent.has(t.id))) {
      after.push(node);
      for (const t of node.outputTensors) dependent.add(t.id);
    } else before.push(node);
  }
  const headIn = outNode.inputTensors[0];
  if (!dependent.has(headIn.id)) throw new Error(`the output of '${model.name}' does not depend on layer '${stage}'`);
  return { before, after, stageOut: stageNode.outputTensors[0], headIn, outLayer, readers };
}

/** Runs one node on the values of its inputs, as predict does; stores its outputs. */
function runNode(node: Node, values: Map<number, tf.Tensor>): void {
  const inputs = node.inputTensors.map((t) => {
    const v = values.get(t.id);
    if (!v) throw new Error(`Grad-CAM: no value for the input '${t.name}' of layer '${node.outboundLayer.name}'`);
    return v;
  });
  const out = node.outboundLayer.apply(inputs, { training: false }) as tf.Tensor | tf.Tensor[];
  const outs = Array.isArray(out) ? out : [out];
  node.outputTensors.forEach((t, i) => values.set(t.id, outs[i]));
}

/** The map [h, w] and the probabilities [1, classes], as tensors (the caller disposes them). */
export function gradCamTensors(
  model: tf.LayersModel,
  image: tf.Tensor4D,
  classIndex: number,
  stage?: string,
): { stage: string; map: tf.Tensor2D; probs: tf.Tensor2D } {
  const input = model.inputs[0];
  if (model.inputs.length !== 1) throw new Error(`Grad-CAM needs a model with one input, '${model.name}' has ${model.inputs.length}`);
  const want = input.shape.slice(1);
  if (image.rank !== 4 || image.shape[0] !== 1 || image.shape.slice(1).some((d, i) => want[i] !== null && want[i] !== d))
    throw new Error(`Grad-CAM takes one image [1, ${want.join(', ')}], got [${image.shape.join(', ')}]`);
  const classes = model.outputs[0].shape[1] ?? 0;
  if (!Number.isInteger(classIndex) || classIndex < 0 || classIndex >= classes)
    throw new Error(`class index must be an integer in 0..${classes - 1}, got ${classIndex}`);
  const stageId = stage ?? defaultCamStage(camStages(model)).id;
  const p = plan(model, stageId);

  return tf.tidy(() => {
    // the part that does not depend on the stage: computed once, freed after its last reader
    const values = new Map<number, tf.Tensor>([[input.id, image]]);
    const left = new Map(p.readers);
    const keep = new Set<number>([input.id, p.stageOut.id, ...p.after.flatMap((n) => n.inputTensors.map((t) => t.id))]);
    for (const node of p.before) {
      runNode(node, values);
      for (const t of node.inputTensors) {
        const n = (left.get(t.id) ?? 1) - 1;
        left.set(t.id, n);
        if (n === 0 && !keep.has(t.id)) {
          values.get(t.id)?.dispose();
          values.delete(t.id);
        }
      }
    }
    const A = values.get(p.stageOut.id) as tf.Tensor4D;
    const dense = p.outLayer as unknown as { kernel: tf.LayerVariable; bias: tf.LayerVariable | null };
    let headIn: tf.Tensor | undefined;
    const logit = (a: tf.Tensor): tf.Scalar => {
      const v = new Map(values);
      v.set(p.stageOut.id, a);
      for (const node of p.after) runNode(node, v);
      const h = v.get(p.headIn.id) as tf.Tensor2D;
      headIn = tf.keep(h);
      const w = tf.slice(dense.kernel.read() as tf.Tensor2D, [0, classIndex], [-1, 1]);
      const y = tf.matMul(h, w);
      return (dense.bias ? tf.add(y, tf.slice(dense.bias.read(), [classIndex], [1])) : y).reshape([]) as tf.Scalar;
    };
    const dA = tf.grad(logit)(A);
    const alpha = tf.mean(dA, [0, 1, 2]);
    const map = tf.relu(tf.sum(tf.mul(A, alpha), -1)).squeeze([0]) as tf.Tensor2D;
    const h = headIn as tf.Tensor;
    const probs = p.outLayer.apply(h, { training: false }) as tf.Tensor2D;
    h.dispose(); // kept out of tf.grad's scope above
    return { stage: stageId, map, probs };
  });
}

/** Grad-CAM of class `classIndex` for one image [1, S, S, C] (the model's input, float) on a stage (default: camStages' first). */
export function gradCam(model: tf.LayersModel, image: tf.Tensor4D, classIndex: number, stage?: string): CamResult {
  const t = gradCamTensors(model, image, classIndex, stage);
  try {
    const [height, width] = t.map.shape;
    return { stage: t.stage, width, height, map: new Float32Array(t.map.dataSync()), probs: new Float32Array(t.probs.dataSync()), classIndex };
  } finally {
    tf.dispose([t.map, t.probs]);
  }
}

/** gradCam, reading the results back asynchronously (GPU backends: no synchronous read stall). */
export async function gradCamAsync(model: tf.LayersModel, image: tf.Tensor4D, classIndex: number, stage?: string): Promise<CamResult> {
  const t = gradCamTensors(model, image, classIndex, stage);
  try {
    const [height, width] = t.map.shape;
    const [map, probs] = await Promise.all([t.map.data(), t.probs.data()]);
    return { stage: t.stage, width, height, map: new Float32Array(map), probs: new Float32Array(probs), classIndex };
  } finally {
    tf.dispose([t.map, t.probs]);
  }
}
