import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { UsageError, type Command } from '../command';
import { createModel, describeModel, formatModelDescription, listModels, modelNotes, MIN_INPUT_SIZE } from '../../core/models/registry';

export const modelSummary: Command = {
  name: 'model-summary',
  summary: "print a model's layer table and parameter counts",
  usage: `Usage: hpa-studio model-summary --model NAME --size S [--json]

Builds a registered model for S×S four-channel input and prints each layer's name, type, output
shape and parameters, then the total, trainable and non-trainable parameter counts.

  --model NAME   ${listModels()
    .map((m) => m.name)
    .join(' | ')}
  --size S       input side in pixels (≥ ${MIN_INPUT_SIZE}); default 512
  --json         print the description as JSON`,
  async run(args) {
    const { values } = parseArgs({ args, options: { model: { type: 'string' }, size: { type: 'string' }, json: { type: 'boolean' } }, strict: true });
    if (!values.model)
      throw new UsageError(
        `--model is required (${listModels()
          .map((m) => m.name)
          .join(', ')})`,
      );
    const size = values.size === undefined ? 512 : Number(values.size);
    if (!Number.isInteger(size) || size < MIN_INPUT_SIZE) throw new UsageError(`--size must be an integer ≥ ${MIN_INPUT_SIZE}, got '${values.size}'`);
    if (!listModels().some((m) => m.name === values.model))
      throw new UsageError(
        `--model '${values.model}' is not one of ${listModels()
          .map((m) => m.name)
          .join(', ')}`,
      );
    await tf.setBackend('cpu');
    const model = createModel(values.model, { inputSize: size });
    const d = describeModel(model);
    const notes = modelNotes(values.model, { inputSize: size });
    model.dispose();
    if (values.json) {
      console.log(JSON.stringify({ ...d, inputSize: size, notes }, null, 2));
      return 0;
    }
    console.log(formatModelDescription({ ...d, name: `${d.name} (${size}×${size}×4)` }));
    for (const n of notes) console.log(`Note: ${n}`);
    return 0;
  },
};
