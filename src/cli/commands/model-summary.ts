import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { UsageError, type Command } from '../command';
import { createModel, describeModel, formatModelDescription, listModels, modelNotes, MIN_INPUT_SIZE, type ModelOptions } from '../../core/models/registry';
import { modelInfo } from '../../core/models/catalog';
import { isTransferModel } from '../../core/models/backbones/blocks';
import { buildBackbone, DEFAULT_FOUR_CHANNELS, DEFAULT_HEAD, type FourChannels, type TransferHead } from '../../core/models/transfer';

const names = () => listModels().map((m) => m.name);
const HEADS: readonly TransferHead[] = ['seed', 'gap'];
const CHANNELS: readonly FourChannels[] = ['rgb', 'widen', 'adapter'];

function oneOf<V extends string>(flag: string, value: string | undefined, allowed: readonly V[], fallback: V): V {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${flag} '${value}' is not one of ${allowed.join(', ')}`);
  return value as V;
}

const fmt = (n: number) => n.toLocaleString('en-US');

export const modelSummary: Command = {
  name: 'model-summary',
  summary: "print a model's layer table and parameter counts",
  usage: `Usage: hpa-studio model-summary --model NAME [--size S] [--head seed|gap] [--channels rgb|widen|adapter] [--alpha A] [--json]

Builds a registered model for S×S four-channel input and prints each layer's name, type, output
shape and parameters, then the total, trainable and non-trainable parameter counts. For transfer
models it also prints the backbone's own count (Keras Applications: no top, 3-channel input) beside
the full model's with the chosen head and channels.

  --model NAME      ${names().join(' | ')}
  --size S          input side in pixels (alias --input-size); default 512 for GAPNet, the
                    backbone's default for transfer models (224; InceptionV3 299)
  --head H          transfer models: seed (default: the seed's head) | gap
  --channels C      transfer models: widen (default) | rgb | adapter
  --alpha A         mobilenetv2: width multiplier 0.35 | 0.5 | 0.75 | 1.0 (default) | 1.3 | 1.4
  --json            print the description as JSON`,
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        model: { type: 'string' },
        size: { type: 'string' },
        'input-size': { type: 'string' },
        head: { type: 'string' },
        channels: { type: 'string' },
        alpha: { type: 'string' },
        json: { type: 'boolean' },
      },
      strict: true,
    });
    if (!values.model) throw new UsageError(`--model is required (${names().join(', ')})`);
    if (!names().includes(values.model)) throw new UsageError(`--model '${values.model}' is not one of ${names().join(', ')}`);
    const name = values.model;
    const info = modelInfo(name);
    const transfer = isTransferModel(name);
    const sizeFlag = values.size ?? values['input-size'];
    const size = sizeFlag === undefined ? (transfer ? info.inputSizes.default : 512) : Number(sizeFlag);
    const min = Math.max(MIN_INPUT_SIZE, info.inputSizes.min);
    if (!Number.isInteger(size) || size < min) throw new UsageError(`--size must be an integer ≥ ${min} for ${name}, got '${sizeFlag}'`);
    if (!transfer && (values.head || values.channels || values.alpha)) throw new UsageError('--head, --channels and --alpha apply to transfer models only');
    if (values.alpha !== undefined && name !== 'mobilenetv2') throw new UsageError('--alpha applies to mobilenetv2 only');
    const alpha = values.alpha === undefined ? undefined : Number(values.alpha);
    const options: ModelOptions = transfer
      ? {
          inputSize: size,
          head: oneOf('head', values.head, HEADS, DEFAULT_HEAD),
          fourChannels: oneOf('channels', values.channels, CHANNELS, DEFAULT_FOUR_CHANNELS),
          ...(alpha === undefined ? {} : { alpha }),
        }
      : { inputSize: size };
    await tf.setBackend('cpu');
    let model: tf.LayersModel;
    let backboneParams: number | null = null;
    try {
      model = createModel(name, options);
      if (isTransferModel(name)) {
        const backbone = buildBackbone(name, Math.max(size, info.inputSizes.min), 3, { alpha });
        backboneParams = backbone.countParams();
        backbone.dispose();
      }
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const d = describeModel(model);
    const notes = modelNotes(name, options);
    model.dispose();
    const setting = transfer ? `head ${options.head}, channels ${options.fourChannels}, ${size}×${size}×4` : `${size}×${size}×4`;
    if (values.json) {
      console.log(
        JSON.stringify({ ...d, inputSize: size, ...(transfer ? { head: options.head, channels: options.fourChannels, backboneParams } : {}), notes }, null, 2),
      );
      return 0;
    }
    console.log(formatModelDescription({ ...d, name: `${d.name} (${setting})` }));
    if (backboneParams !== null) {
      console.log('');
      console.log(`Backbone params (no top, 3-channel input, as Keras Applications counts): ${fmt(backboneParams)}`);
      console.log(`Full model params (${setting}): ${fmt(d.totalParams)}`);
    }
    for (const n of notes) console.log(`Note: ${n}`);
    return 0;
  },
};
