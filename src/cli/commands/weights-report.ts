import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { UsageError, type Command } from '../command';
import { createModel, listModels, MIN_INPUT_SIZE } from '../../core/models/registry';
import { matchWeights } from '../../core/weights/matchWeights';
import { formatWeightReport, isCleanReport } from '../../core/weights/weightReport';
import { readWeightsPath } from '../readWeightsPath';

const CHANNELS = ['rgb', 'widen', 'adapter'] as const;

export const weightsReport: Command = {
  name: 'weights-report',
  summary: 'say how a weights file (.h5, TF.js folder or zip) maps onto a model, loading nothing',
  usage: `Usage: hpa-studio weights-report --model NAME --weights PATH [--size S] [--channels C] [--json]

Reads the weights (a Keras .h5 such as Keras Applications' *_notop.h5, a TF.js layers model folder
or its zip), builds the model and reports what would load: tensors loaded, widened (first conv
3 → 4 channels), missing from the file, unexpected in it, and shape mismatches. Exit status 1 when
anything is missing, unexpected or mismatched.

  --model NAME   ${listModels()
    .map((m) => m.name)
    .join(' | ')}
  --weights PATH the file or folder
  --size S       input side (default 224; ≥ ${MIN_INPUT_SIZE}); only the head depends on it
  --channels C   rgb | widen | adapter (default widen)
  --json         print the report as JSON`,
  async run(args) {
    const { values: v } = parseArgs({
      args,
      strict: true,
      options: {
        model: { type: 'string' },
        weights: { type: 'string' },
        size: { type: 'string', default: '224' },
        channels: { type: 'string', default: 'widen' },
        json: { type: 'boolean' },
      },
    });
    if (!v.model || !listModels().some((m) => m.name === v.model))
      throw new UsageError(
        `--model must be one of ${listModels()
          .map((m) => m.name)
          .join(', ')}`,
      );
    if (!v.weights) throw new UsageError('--weights is required');
    const size = Number(v.size);
    if (!Number.isInteger(size) || size < MIN_INPUT_SIZE) throw new UsageError(`--size must be an integer ≥ ${MIN_INPUT_SIZE}, got '${v.size}'`);
    const channels = v.channels as (typeof CHANNELS)[number];
    if (!CHANNELS.includes(channels)) throw new UsageError(`--channels '${v.channels}' is not one of ${CHANNELS.join(', ')}`);
    await tf.setBackend('cpu'); // TF.js shards decode through tf.io
    const file = await readWeightsPath(v.weights);
    const model = createModel(v.model, { inputSize: size, fourChannels: channels });
    const report = matchWeights(model, v.model, file.weights);
    model.dispose();
    if (v.json)
      console.log(JSON.stringify({ file: v.weights, source: file.source, kerasVersion: file.kerasVersion, tensors: file.weights.length, report }, null, 2));
    else {
      console.log(
        `${v.weights}: ${file.source === 'h5' ? `Keras HDF5${file.kerasVersion ? ` (keras ${file.kerasVersion})` : ''}` : 'TF.js layers model'}, ${file.weights.length} tensors`,
      );
      console.log(formatWeightReport(report));
    }
    return isCleanReport(report) ? 0 : 1;
  },
};
