import * as tf from '@tensorflow/tfjs';
import { it } from 'vitest';
import { useWasmBackend } from '../../cli/wasmBackend';
import { accelTraining } from '../../accel/training';
import { makeLoss } from '../losses';
import { createModel } from '../models/registry';
import { memoryBatchSource } from '../train/batchSource';
import { train } from '../train/trainer';
import { renderSample } from '../../synth/renderSample';
import { gradCam, camStages } from './gradCam';
import { camMassRatio } from './camMass';

const C = 28;
it('scratch', async () => {
  await useWasmBackend({ threads: 1 });
  const S = Number(process.env.S ?? 64),
    N = Number(process.env.N ?? 160),
    E = Number(process.env.E ?? 6);
  const classes = [0, 21];
  const t0 = performance.now();
  const n = N + 32;
  const images = new Uint8Array(n * S * S * 4);
  const labels = new Uint8Array(n * C);
  const masks: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const lab = classes[i % classes.length];
    const s = renderSample({ id: `s${i}`, labels: [lab], size: S, seed: 11, teaching: true, classMasks: true });
    for (let p = 0; p < S * S; p++) {
      images[(i * S * S + p) * 4] = s.red[p];
      images[(i * S * S + p) * 4 + 1] = s.green[p];
      images[(i * S * S + p) * 4 + 2] = s.blue[p];
      images[(i * S * S + p) * 4 + 3] = s.yellow[p];
    }
    labels[i * C + lab] = 1;
    masks.push(s.masks![0].mask);
  }
  console.log('render', (performance.now() - t0).toFixed(0));
  const rows = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);
  const source = memoryBatchSource({ images, imageSize: S, channels: 4, labels, numClasses: C }, { trainRows: rows(0, N), valRows: rows(N, n) });
  const model = createModel(process.env.M ?? 'gapnet-pl', { inputSize: S, seed: 1 });
  const t1 = performance.now();
  const { history } = await train(model, source, {
    ...accelTraining,
    phases: [{ name: 'bce', epochs: E, loss: makeLoss({ kind: 'bce' }), lr: Number(process.env.LR ?? 1e-3) }],
    batchSize: 16,
    seed: 3,
    augment: { size: S, mode: 'resize', flips: true, rotate90: true },
  });
  console.log('train', (performance.now() - t1).toFixed(0), history.map((h) => `${h.loss.toFixed(3)}/${h.valLoss.toFixed(3)}`).join(' '));
  const stages = camStages(model);
  for (const st of stages) {
    const rs: string[] = [];
    for (let i = N; i < n; i++) {
      const lab = classes[i % classes.length];
      const x = tf.tensor4d(images.subarray(i * S * S * 4, (i + 1) * S * S * 4), [1, S, S, 4], 'float32');
      const r = gradCam(model, x, lab, st.id);
      x.dispose();
      const m = camMassRatio(r.map, r.width, r.height, masks[i], S);
      rs.push(`${lab}:${m.ratio.toFixed(2)}(p${r.probs[0].toFixed(2)},${r.probs[21].toFixed(2)})`);
    }
    console.log(st.id, rs.join(' '));
  }
  console.log('total', (performance.now() - t0).toFixed(0));
}, 600000);
