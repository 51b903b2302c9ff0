/**
 * Keras's BatchNormalization semantics for the transfer models, on tfjs's own BatchNormalization
 * layers:
 *  - a layer with trainable = false runs in inference mode even while the model trains: it
 *    normalises with its moving statistics and does not update them (Keras ≥ 2.1.3 / TF 2 do this;
 *    tfjs would keep normalising with the batch and moving the statistics of a frozen backbone);
 *  - a layer without γ (scale = false, as every InceptionV3 BatchNorm) can train: tfjs's training
 *    path reads γ unconditionally and fails.
 *
 * Applied per layer instance (its `call` is wrapped), not by a registered subclass: the saved
 * model keeps className 'BatchNormalization', so plain tf.loadLayersModel still loads it (and
 * predicts identically), and GAPNet's BatchNorm layers keep tfjs's behaviour. The transfer builder
 * applies it, and registry.loadModel re-applies it to any loaded model with an `hpa_input` layer.
 */
import * as tf from '@tensorflow/tfjs';

interface BatchNormFields {
  epsilon: number;
  momentum: number;
  center: boolean;
  scale: boolean;
  beta: tf.LayerVariable | null;
  movingMean: tf.LayerVariable;
  movingVariance: tf.LayerVariable;
}

const WRAPPED = Symbol('kerasBatchNorm');

type CallFn = (inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }) => tf.Tensor | tf.Tensor[];

/** Batch statistics, normalisation without γ, and Keras's moving-average update (moving −= (moving − batch)·(1 − momentum)). */
function trainWithoutScale(layer: tf.layers.Layer, inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  const f = layer as unknown as BatchNormFields;
  return tf.tidy(() => {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const axes = [...Array(x.rank - 1).keys()];
    const { mean, variance } = tf.moments(x, axes);
    const y = tf.batchNorm(x, mean, variance, f.center && f.beta ? f.beta.read() : undefined, undefined, f.epsilon);
    const decay = 1 - f.momentum;
    for (const [v, batch] of [
      [f.movingMean, mean],
      [f.movingVariance, variance],
    ] as const) {
      tf.tidy(() => {
        const old = v.read();
        v.write(tf.sub(old, tf.mul(tf.sub(old, batch), decay)));
      });
    }
    return y;
  });
}

/** Gives one BatchNormalization layer Keras's semantics (idempotent; other layers are left alone). */
export function useKerasBatchNorm(layer: tf.layers.Layer): void {
  if (layer.getClassName() !== 'BatchNormalization') return;
  const tagged = layer as unknown as { [WRAPPED]?: true; call: CallFn };
  if (tagged[WRAPPED]) return;
  const original: CallFn = tagged.call.bind(layer);
  tagged.call = (inputs, kwargs) => {
    const training = Boolean(kwargs?.training) && layer.trainable;
    if (training && !(layer as unknown as BatchNormFields).scale) return trainWithoutScale(layer, inputs);
    return original(inputs, { ...kwargs, training });
  };
  tagged[WRAPPED] = true;
}

/** Every BatchNormalization layer of the model. */
export function useKerasBatchNormIn(model: tf.LayersModel): void {
  for (const l of model.layers) useKerasBatchNorm(l);
}
