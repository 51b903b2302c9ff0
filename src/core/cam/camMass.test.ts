/**
 * Where a trained model's Grad-CAM lies, against the synthetic generator's class masks: a GAPNet-PL
 * trained here in seconds on two classes with different compartments (nucleoplasm: the nuclei;
 * plasma membrane: the cell outlines) must put more CAM per pixel on the membrane pattern than off
 * it. The bench's cam part (bench/cam.ts) measures the same on the whole teaching demo.
 *
 * GAPNet-PL's 10 epochs on 160 images do not always learn the class: the held-out AUC was 0.996 with
 * model seed 1, 0.79 and 0.74 with seeds 2 and 3 (their pool1 ratios still 2.7 and 2.1). Training is
 * deterministic on wasm, so the test pins seed 1 and first checks the class was learnt.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { accelTraining } from '../../accel/training';
import { useWasmBackend } from '../../cli/wasmBackend';
import { renderSample } from '../../synth/renderSample';
import { makeLoss } from '../losses';
import { createModel } from '../models/registry';
import { memoryBatchSource } from '../train/batchSource';
import { train } from '../train/trainer';
import { camMassRatio } from './camMass';
import { camStages, gradCam } from './gradCam';

const C = 28;
const median = (v: number[]) => (v.length ? [...v].sort((a, b) => a - b)[v.length >> 1] : NaN);

describe('camMassRatio', () => {
  it('compares the upsampled map on the mask with the rest of the image, or of `within`', () => {
    // a 2 × 2 map hot in its top-left cell, on a 4 × 4 image: the top-left 2 × 2 block is the mask
    const map = new Float32Array([4, 0, 0, 0]);
    const mask = new Uint8Array(16);
    for (const p of [0, 1, 4, 5]) mask[p] = 1;
    const m = camMassRatio(map, 2, 2, mask, 4);
    // upsampled, the hot cell's weight per output row/column is 1, 0.75, 0.25, 0: 12.25 of the map's 16 land on the mask
    expect(m.maskShare).toBe(0.25);
    expect(m.onMask).toBeCloseTo(12.25 / 4, 6);
    expect(m.offMask).toBeCloseTo(3.75 / 12, 6);
    expect(m.ratio).toBeCloseTo(9.8, 5);
    // a flat map has no preference
    expect(camMassRatio(new Float32Array([2, 2, 2, 2]), 2, 2, mask, 4).ratio).toBeCloseTo(1, 6);
    // within: pixels outside count as neither
    const within = new Uint8Array(16).fill(1);
    within[15] = 0;
    expect(camMassRatio(map, 2, 2, mask, 4, within).maskShare).toBeCloseTo(4 / 15, 6);
    expect(() => camMassRatio(map, 2, 2, new Uint8Array(16), 4)).toThrow(/covers no pixel/);
    expect(() => camMassRatio(map, 2, 2, new Uint8Array(9), 4)).toThrow(/needs a mask of 16 pixels, got 9/);
  });
});

describe('Grad-CAM of a trained model on synthetic data', () => {
  it('puts more mass per pixel on the plasma membrane pattern than off it', async () => {
    await useWasmBackend({ threads: 1 });
    const S = 64;
    const classes = [0, 21];
    const nTrain = 160;
    const n = nTrain + 32;
    const images = new Uint8Array(n * S * S * 4);
    const labels = new Uint8Array(n * C);
    const masks: Uint8Array[] = [];
    for (let i = 0; i < n; i++) {
      const cls = classes[i % 2];
      const s = renderSample({ id: `cam-${i}`, labels: [cls], size: S, seed: 11, teaching: true, classMasks: true });
      for (let p = 0; p < S * S; p++) images.set([s.red[p], s.green[p], s.blue[p], s.yellow[p]], (i * S * S + p) * 4);
      labels[i * C + cls] = 1;
      masks.push(s.masks![0].mask);
    }
    const rows = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);
    const source = memoryBatchSource({ images, imageSize: S, channels: 4, labels, numClasses: C }, { trainRows: rows(0, nTrain), valRows: rows(nTrain, n) });
    const model = createModel('gapnet-pl', { inputSize: S, seed: 1 });
    await train(model, source, {
      ...accelTraining,
      phases: [{ name: 'bce', epochs: 10, loss: makeLoss({ kind: 'bce' }), lr: 2e-3 }],
      batchSize: 16,
      seed: 3,
      augment: { size: S, mode: 'resize', flips: true, rotate90: true },
    });

    const stages = camStages(model).map((s) => s.id);
    const ratios = new Map<string, number[]>(stages.map((s) => [s, []]));
    const pos: number[] = [];
    const neg: number[] = [];
    for (const i of rows(nTrain, n)) {
      const x = tf.tensor4d(images.subarray(i * S * S * 4, (i + 1) * S * S * 4), [1, S, S, 4], 'float32');
      if (classes[i % 2] === 21) {
        for (const stage of stages) {
          const cam = gradCam(model, x, 21, stage);
          if (stage === stages[0]) pos.push(cam.probs[21]);
          if (cam.map.some((v) => v > 0)) ratios.get(stage)!.push(camMassRatio(cam.map, cam.width, cam.height, masks[i], S).ratio);
        }
      } else neg.push((tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync()) as Float32Array)[21]);
      x.dispose();
    }
    // ROC AUC of class 21 on the held-out images: the share of (positive, negative) pairs ranked right
    const auc = pos.reduce((a, p) => a + neg.reduce((b, q) => b + (p > q ? 1 : p === q ? 0.5 : 0), 0), 0) / (pos.length * neg.length);
    model.dispose();
    const summary = stages.map((s) => `${s} ${median(ratios.get(s)!).toFixed(2)} (${ratios.get(s)!.length} maps)`).join(', ');
    console.log(`plasma membrane, held-out images: median mass ratio on / off its mask per stage: ${summary}; held-out AUC ${auc.toFixed(3)}`);
    // the model learnt the class (measured: AUC 0.996)…
    expect(auc).toBeGreaterThan(0.95);
    // …and its finest stage (pool1, 16 × 16) looks at the membrane (measured: median 2.56; the 4 × 4 stages, about 1.05, are too coarse to tell)
    const fine = ratios.get('pool1')!;
    expect(fine.length).toBeGreaterThanOrEqual(12);
    expect(median(fine)).toBeGreaterThan(1.5);
    expect(fine.filter((r) => r > 1).length).toBeGreaterThanOrEqual(fine.length - 1);
  });
});
