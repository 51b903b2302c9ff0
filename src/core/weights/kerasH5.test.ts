import { describe, expect, it } from 'vitest';
import { weightsChecksums, weightsFixture } from '../../../fixtures/transfer/weightsFixtures';
import { readKerasH5, WeightsFileError } from './kerasH5';

const sum = (a: Float32Array) => a.reduce((s, v) => s + v, 0);
/** bitwise equality of two tensors' values (toEqual on millions of floats is slow) */
const sameBits = (a: Float32Array, b: Float32Array) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

describe('readKerasH5 (Keras legacy HDF5 weights, written by h5py as Keras writes them)', () => {
  it('reads every layer and tensor of a MobileNetV2 file with the values h5py wrote', async () => {
    const r = await readKerasH5(weightsFixture('mobilenetv2.h5.br'), 'mobilenetv2.h5');
    expect(r.kerasVersion).toBe('2.15.0');
    expect(r.backend).toBe('tensorflow');
    expect(r.layerNames).toHaveLength(154);
    expect(r.layerNames.slice(0, 3)).toEqual(['input_1', 'Conv1', 'bn_Conv1']);
    const sums = weightsChecksums('mobilenetv2.checksums.json');
    expect(r.weights.map((w) => `${w.layer}/${w.weight}`)).toEqual(Object.keys(sums));
    for (const w of r.weights) {
      const [s, first, last, shape] = sums[`${w.layer}/${w.weight}`];
      expect(w.shape).toEqual(shape);
      expect(w.data[0]).toBe(Math.fround(first));
      expect(w.data[w.data.length - 1]).toBe(Math.fround(last));
      expect(sum(w.data)).toBeCloseTo(s, 2);
    }
    expect(r.weights.reduce((n, w) => n + w.data.length, 0)).toBe(2_257_984);
  });

  it('reads fixed-length null-padded string attributes (h5py 2, as in the published ImageNet files) the same', async () => {
    const vlen = await readKerasH5(weightsFixture('mobilenetv2.h5.br'));
    const fixed = await readKerasH5(weightsFixture('mobilenetv2_fixed.h5.br'));
    expect(fixed.kerasVersion).toBe('2.1.2');
    expect(fixed.layerNames).toEqual(vlen.layerNames);
    expect(fixed.weights.map((w) => [w.layer, w.weight, w.shape])).toEqual(vlen.weights.map((w) => [w.layer, w.weight, w.shape]));
    expect(fixed.weights.every((w, i) => sameBits(w.data, vlen.weights[i].data))).toBe(true);
  });

  it("reads a full-model save's model_weights group, with Keras 3's weight names (no ':0') and UTF-8 strings", async () => {
    const r = await readKerasH5(weightsFixture('mobilenetv2_full.h5.br'));
    const plain = await readKerasH5(weightsFixture('mobilenetv2.h5.br'));
    expect(r.kerasVersion).toBe('3.3.3');
    expect(r.weights.map((w) => `${w.layer}/${w.weight}`)).toEqual(plain.weights.map((w) => `${w.layer}/${w.weight}`));
    expect(r.weights.every((w, i) => sameBits(w.data, plain.weights[i].data))).toBe(true);
  });

  it('reads VGG16 (14.7 M values) with its weightless pooling layers listed', async () => {
    const r = await readKerasH5(weightsFixture('vgg16.h5.br'));
    expect(r.layerNames).toContain('block5_pool');
    expect(r.weights).toHaveLength(26);
    expect(r.weights[0]).toMatchObject({ layer: 'block1_conv1', weight: 'kernel', shape: [3, 3, 3, 64] });
    expect(r.weights.reduce((n, w) => n + w.data.length, 0)).toBe(14_714_688);
  });

  it('says what is wrong with a file it cannot read, naming the file and the place', async () => {
    const msg = (p: Promise<unknown>) =>
      p.then(
        () => 'no error',
        (e: Error) => (expect(e).toBeInstanceOf(WeightsFileError), e.message),
      );
    expect(await msg(readKerasH5(new TextEncoder().encode('PK\x03\x04 a zip'), 'model.zip'))).toMatch(/^model\.zip: not an HDF5 file/);
    const whole = weightsFixture('mobilenetv2.h5.br');
    expect(await msg(readKerasH5(whole.subarray(0, 300_000), 'cut.h5'))).toMatch(/^cut\.h5: .*truncated/);
    expect(await msg(readKerasH5(weightsFixture('not_keras.h5.br'), 'data.h5'))).toMatch(
      /^data\.h5: an HDF5 file but not Keras weights: no attribute 'layer_names'/,
    );
    expect(await msg(readKerasH5(weightsFixture('missing_dataset.h5.br'), 'm.h5'))).toBe(
      "m.h5: layer 'dense' lists weight 'dense/bias:0' in 'weight_names' but the file has no dataset /dense/dense/bias:0",
    );
  });
});
