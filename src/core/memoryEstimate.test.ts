/**
 * The memory estimate before a run. The calibration (TAPE_FACTOR): tf.profile's peak bytes of one
 * Adam step on the cpu backend, batch 4, against the estimate with TAPE_FACTOR 7 (2026-12, tfjs 4.22):
 *   MobileNetV2 64 px 248 MB measured / 248 MB estimated (1.00); 128 px 846 / 875 MB (0.97);
 *   GAPNet Kaggle 64 px 43 / 32 MB (1.34); GAPNet-PL 64 px 46 / 25 MB (1.80: its input normalisation
 *   and AlphaDropout keep more per layer than the factor, set for the transfer models, assumes).
 * The test below measures MobileNetV2 again at 64 px, batch 2.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { backendLimits, checkMemory, estimateTrainingMemory, TAPE_FACTOR, WASM_HEAP_MAX_BYTES, type LayerFootprint } from './memoryEstimate';
import { makeLoss } from './losses';
import { createModel, describeModel } from './models/registry';
import { memoryCheck } from './train/memoryCheck';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// a two-block conv + BN backbone named like Keras, and a head
const layers: LayerFootprint[] = [
  { name: 'hpa_input', type: 'InputLayer', outputShape: [null, 8, 8, 4], params: 0 },
  { name: 'block1_conv1', type: 'Conv2D', outputShape: [null, 8, 8, 16], params: 3 * 3 * 4 * 16 + 16 },
  { name: 'block1_bn', type: 'BatchNormalization', outputShape: [null, 8, 8, 16], params: 4 * 16 },
  { name: 'block2_conv1', type: 'Conv2D', outputShape: [null, 4, 4, 32], params: 3 * 3 * 16 * 32 + 32 },
  { name: 'hpa_head_flatten', type: 'Flatten', outputShape: [null, 512], params: 0 },
  { name: 'hpa_head_dropout', type: 'SeededDropout', outputShape: [null, 512], params: 0 },
  { name: 'hpa_head_out', type: 'Dense', outputShape: [null, 28], params: 512 * 28 + 28 },
];
const params = layers.reduce((s, l) => s + l.params, 0);

describe('memory estimate', () => {
  it('counts weights, gradients and Adam by the trainable parameters, and the kept activations by the layer outputs', () => {
    const e = estimateTrainingMemory(layers, { batchSize: 8, trainableParams: 1000 });
    expect(e.weightsBytes).toBe(4 * params);
    expect(e.gradientBytes).toBe(4 * 1000);
    expect(e.adamBytes).toBe(8 * 1000);
    // per image: 256 + 1024 + 1024 + 512 floats, flatten shares its input, dropout keeps a mask (×2), 28
    const perImage = 256 + 1024 + 1024 + 512 + 0 + 2 * 512 + 28;
    expect(e.activationBytes).toBe(TAPE_FACTOR * perImage * 4 * 8);
    expect(e.backwardBytes).toBe(2 * 1024 * 4 * 8);
    expect(e.totalBytes).toBe(e.fixedBytes + e.activationBytes + e.backwardBytes);
    expect(e.largestTensorName).toBe("block1_conv1's output");
    expect(estimateTrainingMemory(layers, { batchSize: 16, trainableParams: 1000 }).totalBytes - e.totalBytes).toBe(8 * e.bytesPerImage);
    // a dense kernel larger than any activation is the largest tensor
    expect(estimateTrainingMemory(layers, { batchSize: 1, trainableParams: 0, largestWeight: { name: 'fc1/kernel', elements: 1e6 } }).largestTensorName).toBe(
      'the weight fc1/kernel',
    );
  });

  it('refuses over the wasm heap and the WebGPU binding limit with the numbers and a batch that fits; over the GPU budget it warns', () => {
    // 1 MB per image, 1 MB fixed: batch 64 needs about 65 MB
    const at = (perImage: number, fixed: number, largestPerImage: number) => (b: number) => ({
      ...estimateTrainingMemory([], { batchSize: b, trainableParams: 0 }),
      totalBytes: fixed + b * perImage,
      activationBytes: b * perImage,
      fixedBytes: fixed,
      largestTensorBytes: b * largestPerImage,
      largestTensorName: "block_1_pad's output",
    });
    const wasm = checkMemory(at(200e6, 1e8, 1e6), 32, backendLimits('wasm'), 'ResNet50 at 224 px');
    expect(wasm.verdict).toBe('refuse');
    expect(wasm.suggestedBatch).toBe(16); // 16 × 200 MB + 100 MB = 3.3 GB < 4.29 GB
    expect(wasm.message).toBe(
      'ResNet50 at 224 px, batch 32 needs about 6.5 GB (activations 6.4 GB, weights, gradients and Adam 100 MB); the WebAssembly heap holds at most 4.3 GB: try batch 16.',
    );
    expect(WASM_HEAP_MAX_BYTES).toBe(4294901760);
    const gpu = checkMemory(
      at(1e6, 1e6, 5e6),
      32,
      backendLimits('webgpu', { maxBufferSize: 256e6, maxStorageBufferBindingSize: 128e6 }),
      'MobileNetV2 at 224 px',
    );
    expect(gpu.verdict).toBe('refuse');
    expect(gpu.message).toBe(
      "MobileNetV2 at 224 px, batch 32 makes a single tensor of about 160 MB (block_1_pad's output); the adapter's maxStorageBufferBindingSize is 128 MB: try batch 16.",
    );
    const budget = checkMemory(at(200e6, 1e6, 1e6), 32, backendLimits('webgpu', { maxBufferSize: 4e9, maxStorageBufferBindingSize: 4e9 }), 'VGG16 at 224 px');
    expect(budget.verdict).toBe('warn');
    expect(budget.message).toMatch(/many GPUs give a page no more than 4\.0 GB: try batch 16\.$/);
    expect(checkMemory(at(1e6, 1e6, 1e6), 32, backendLimits('wasm'), 'x').verdict).toBe('ok');
    expect(checkMemory(at(1e6, 1e6, 1e6), 32, backendLimits('cpu'), 'x').verdict).toBe('ok');
    expect(checkMemory(at(5e9, 1e6, 1e6), 4, backendLimits('wasm'), 'x').message).toMatch(/even batch 1 does not fit: try a smaller input size\.$/);
  });

  it('ResNet50 at 224 px, batch 32 is refused on wasm, naming its numbers and a batch that fits', () => {
    const model = createModel('resnet50', { inputSize: 224, seed: 1 });
    const v = memoryCheck(
      model,
      { model: 'resnet50', inputSize: 224, batchSize: 32, phases: [{ trainable: { backbone: 'frozen' } }, {}] },
      backendLimits('wasm'),
    );
    model.dispose();
    expect(v.verdict).toBe('refuse');
    expect(v.message).toMatch(
      /^ResNet50 at 224 px, batch 32 needs about \d+\.\d GB \(activations .*\); the WebAssembly heap holds at most 4\.3 GB: try batch \d+\.$/,
    );
    expect(v.estimate.gradientBytes).toBeGreaterThan(4 * 23_500_000); // the fine-tune trains the whole backbone
  });

  it('is within 25 % of the peak bytes tfjs reports for a MobileNetV2 training step (cpu backend, 64 px, batch 2)', async () => {
    const model = createModel('mobilenetv2', { inputSize: 64, seed: 1 });
    const d = describeModel(model);
    const est = estimateTrainingMemory(d.layers, { batchSize: 2, trainableParams: d.trainableParams });
    const x = tf.randomUniform([2, 64, 64, 4], 0, 255);
    const y = tf.randomUniform([2, 28]).round();
    const opt = tf.train.adam(1e-3);
    const loss = makeLoss({ kind: 'bce' });
    const step = () => void opt.minimize(() => loss(y, model.apply(x, { training: true }) as tf.Tensor), false);
    step(); // Adam's moments exist from the first step on
    const p = await tf.profile(step);
    const ratio = (p.peakBytes - (x.size + y.size) * 4) / est.totalBytes;
    tf.dispose([x, y]);
    opt.dispose();
    model.dispose();
    expect(ratio).toBeGreaterThan(0.8);
    expect(ratio).toBeLessThan(1.25);
  }, 120_000);
});
