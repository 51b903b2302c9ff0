// Prediction: TTA (mean/max over dihedral transforms), tiling for crop-trained models, batches, progress, abort.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { dihedral } from './augment';
import { memoryPredictSource, predict, tileOffsets, ttaTransforms, viewWindows, type PredictSource } from './predict';

const C = 28;
/** A tiny conv net (not rotation invariant: its conv kernel and the dense layer mix positions). */
function tinyModel(size: number): tf.LayersModel {
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  return tf.sequential({
    layers: [
      tf.layers.rescaling({ inputShape: [size, size, 4], scale: 1 / 255 }),
      tf.layers.conv2d({ filters: 6, kernelSize: 3, strides: 2, activation: 'relu', kernelInitializer: init(1), biasInitializer: 'ones' }),
      tf.layers.flatten(),
      tf.layers.dense({ units: C, activation: 'sigmoid', kernelInitializer: init(2) }),
    ],
  });
}

/** n random images [n, S, S, 4] uint8. */
function randomImages(n: number, S: number, seed: number): Uint8Array {
  let s = seed >>> 0;
  return Uint8Array.from({ length: n * S * S * 4 }, () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 24);
}

/** Images unchanged by every flip and quarter turn: values depend on the sorted distances to the border. */
function invariantImages(n: number, S: number): Uint8Array {
  const out = new Uint8Array(n * S * S * 4);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < S; i++)
      for (let j = 0; j < S; j++) {
        const di = Math.min(i, S - 1 - i),
          dj = Math.min(j, S - 1 - j);
        const lo = Math.min(di, dj),
          hi = Math.max(di, dj);
        for (let c = 0; c < 4; c++) out[((b * S + i) * S + j) * 4 + c] = (lo * 37 + hi * 11 + c * 53 + b * 71) % 256;
      }
  return out;
}

async function plain(model: tf.LayersModel, images: Uint8Array, S: number, size = S): Promise<Float32Array> {
  const n = images.length / (S * S * 4);
  const x = tf.tensor4d(images, [n, S, S, 4], 'float32');
  const xs = size === S ? x : tf.image.resizeBilinear(x, [size, size]);
  const p = model.predict(xs) as tf.Tensor;
  const d = (await p.data()) as Float32Array;
  tf.dispose([x, xs, p]);
  return d;
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('predict', () => {
  const S = 16;
  const model = tinyModel(S);

  it('with TTA over the identity only (mean or max) equals plain model.predict, whatever the batch size', async () => {
    const images = randomImages(5, S, 3);
    const want = await plain(model, images, S);
    for (const batchSize of [1, 2, 5]) {
      for (const combine of ['mean', 'max'] as const) {
        const got = await predict(model, memoryPredictSource(images, S), { inputSize: S, resizeMode: 'resize' }, { batchSize, tta: [0], combine });
        expect(maxDiff(got, want)).toBeLessThan(1e-6);
      }
    }
  });

  it("resizes stored images to a 'resize' model's input size", async () => {
    const images = randomImages(3, 24, 4);
    const got = await predict(model, memoryPredictSource(images, 24), { inputSize: S, resizeMode: 'resize' });
    expect(maxDiff(got, await plain(model, images, 24, S))).toBeLessThan(1e-6);
  });

  it('dihedral TTA on a flip- and rotation-invariant image equals plain predict; on other images it is the mean (or max) of the 8 views', async () => {
    const inv = invariantImages(2, S);
    const want = await plain(model, inv, S);
    for (const combine of ['mean', 'max'] as const) {
      const got = await predict(model, memoryPredictSource(inv, S), { inputSize: S, resizeMode: 'resize' }, { tta: ttaTransforms('dihedral'), combine });
      expect(maxDiff(got, want)).toBeLessThan(1e-5);
    }
    const images = randomImages(2, S, 9);
    const x = tf.tensor4d(images, [2, S, S, 4], 'float32');
    const views = await Promise.all(
      [0, 1, 2, 3, 4, 5, 6, 7].map(async (k) => {
        const xk = dihedral(x, k);
        const p = model.predict(xk) as tf.Tensor;
        const d = (await p.data()) as Float32Array;
        tf.dispose([xk, p]);
        return d;
      }),
    );
    x.dispose();
    const mean = views[0].map((_, i) => views.reduce((s, v) => s + v[i], 0) / 8);
    const max = views[0].map((_, i) => Math.max(...views.map((v) => v[i])));
    const src = memoryPredictSource(images, S);
    const view = { inputSize: S, resizeMode: 'resize' as const };
    const gotMean = await predict(model, src, view, { tta: ttaTransforms('dihedral') });
    expect(maxDiff(gotMean, mean)).toBeLessThan(1e-6);
    expect(maxDiff(gotMean, views[0])).toBeGreaterThan(1e-3); // this model is not invariant: TTA changes its output
    expect(maxDiff(await predict(model, src, view, { tta: ttaTransforms('dihedral'), combine: 'max' }), max)).toBeLessThan(1e-6);
    const flips = await predict(model, src, view, { tta: ttaTransforms('flips') });
    expect(
      maxDiff(
        flips,
        views[0].map((_, i) => (views[0][i] + views[2][i] + views[4][i] + views[6][i]) / 4),
      ),
    ).toBeLessThan(1e-6);
  });

  it("tiles a 'crop' model's input over the stored image and averages the tiles (or takes the centre crop)", async () => {
    expect(tileOffsets(512, 256)).toEqual([0, 256]);
    expect(tileOffsets(500, 256)).toEqual([0, 244]);
    expect(tileOffsets(600, 256)).toEqual([0, 172, 344]);
    expect(tileOffsets(256, 256)).toEqual([0]);
    expect(viewWindows(24, { inputSize: 16, resizeMode: 'crop' })).toEqual([
      { top: 0, left: 0 },
      { top: 0, left: 8 },
      { top: 8, left: 0 },
      { top: 8, left: 8 },
    ]);
    const images = randomImages(3, 24, 5);
    const x = tf.tensor4d(images, [3, 24, 24, 4], 'float32');
    const tiles = await Promise.all(
      [
        [0, 0],
        [0, 8],
        [8, 0],
        [8, 8],
        [4, 4],
      ].map(async ([t, l]) => {
        const xt = tf.slice(x, [0, t, l, 0], [3, 16, 16, 4]);
        const p = model.predict(xt) as tf.Tensor;
        const d = (await p.data()) as Float32Array;
        tf.dispose([xt, p]);
        return d;
      }),
    );
    x.dispose();
    const view = { inputSize: S, resizeMode: 'crop' as const };
    const got = await predict(model, memoryPredictSource(images, 24), view, { batchSize: 2 });
    expect(
      maxDiff(
        got,
        tiles[0].map((_, i) => (tiles[0][i] + tiles[1][i] + tiles[2][i] + tiles[3][i]) / 4),
      ),
    ).toBeLessThan(1e-6);
    expect(maxDiff(await predict(model, memoryPredictSource(images, 24), view, { tiling: 'centre' }), tiles[4])).toBeLessThan(1e-6);
    await expect(predict(model, memoryPredictSource(randomImages(1, 12, 1), 12), view)).rejects.toThrow('the model takes 16 px crops but the images are 12 px');
  });

  it('gives each batch back (release) once, after its pixels are on the backend: a source that scribbles over given-back buffers changes nothing', async () => {
    const images = randomImages(7, S, 9);
    const pixels = S * S * 4;
    const released: Uint8Array[] = [];
    const scribbling: PredictSource = {
      numRows: 7,
      imageSize: S,
      channels: 4,
      async *batches(batchSize) {
        for (let i = 0; i < 7; i += batchSize) yield { x: images.slice(i * pixels, Math.min(7, i + batchSize) * pixels) };
      },
      release(batch) {
        released.push(batch.x as Uint8Array);
        (batch.x as Uint8Array).fill(255); // as a reader filling the buffer with a later batch would
      },
    };
    const want = await predict(model, memoryPredictSource(images, S), { inputSize: S, resizeMode: 'resize' }, { batchSize: 3, tta: [0, 1, 4] });
    const got = await predict(model, scribbling, { inputSize: S, resizeMode: 'resize' }, { batchSize: 3, tta: [0, 1, 4] });
    expect(maxDiff(got, want)).toBe(0);
    expect(released.map((b) => b.length / pixels)).toEqual([3, 3, 1]);
    expect(new Set(released).size).toBe(3);
  });

  it('reports progress after every batch and stops when the signal aborts', async () => {
    const images = randomImages(5, S, 6);
    const progress: [number, number][] = [];
    await predict(model, memoryPredictSource(images, S), { inputSize: S, resizeMode: 'resize' }, { batchSize: 2, onProgress: (d, t) => progress.push([d, t]) });
    expect(progress).toEqual([
      [0, 5],
      [2, 5],
      [4, 5],
      [5, 5],
    ]);
    const ac = new AbortController();
    const seen: number[] = [];
    const run = predict(
      model,
      memoryPredictSource(images, S),
      { inputSize: S, resizeMode: 'resize' },
      {
        batchSize: 2,
        signal: ac.signal,
        onProgress: (d) => {
          seen.push(d);
          if (d === 2) ac.abort();
        },
      },
    );
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen).toEqual([0, 2]);
    const before = tf.memory().numTensors;
    await predict(model, memoryPredictSource(images, S), { inputSize: S, resizeMode: 'resize' }, { tta: ttaTransforms('dihedral') });
    expect(tf.memory().numTensors).toBe(before);
  });
});
