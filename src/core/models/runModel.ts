/**
 * The model a run's recipe describes: one place that turns a RunConfig into createModel's options,
 * so that training, the Auto probe, prediction, export and the CLI build the same network (a
 * transfer model's channel option and head included).
 */
import type * as tf from '@tensorflow/tfjs';
import type { RunConfig } from '../runConfig';
import { createModel, type ModelOptions } from './registry';

export function runModelOptions(config: Pick<RunConfig, 'inputSize' | 'seed' | 'transfer'>): ModelOptions {
  return {
    inputSize: config.inputSize,
    seed: config.seed,
    ...(config.transfer ? { fourChannels: config.transfer.channels, head: config.transfer.head } : {}),
  };
}

export function buildRunModel(config: Pick<RunConfig, 'model' | 'inputSize' | 'seed' | 'transfer'>): tf.LayersModel {
  return createModel(config.model, runModelOptions(config));
}
