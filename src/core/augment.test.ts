import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyTransforms, augmentBatch, batchTensor, DIHEDRAL_TRANSFORMS, dihedral, drawTransforms, evalBatch, verifyAugmentGather } from './augment';
import { Rng } from './rng';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A 1×3×3×1 image 0..8, row-major: [[0,1,2],[3,4,5],[6,7,8]]. */
const grid = () => tf.tensor4d([0, 1, 2, 3, 4, 5, 6, 7, 8], [1, 3, 3, 1]);
const pixels = (t: tf.Tensor) => Array.from(t.dataSync());

describe('dihedral transforms', () => {
  it('rotate counter-clockwise by quarter turns and mirror left-right, exactly', () => {
    const x = grid();
    expect(pixels(dihedral(x, 0))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(pixels(dihedral(x, 1))).toEqual([2, 5, 8, 1, 4, 7, 0, 3, 6]); // np.rot90
    expect(pixels(dihedral(x, 2))).toEqual([8, 7, 6, 5, 4, 3, 2, 1, 0]);
    expect(pixels(dihedral(x, 3))).toEqual([6, 3, 0, 7, 4, 1, 8, 5, 2]);
    expect(pixels(dihedral(x, 4))).toEqual([2, 1, 0, 5, 4, 3, 8, 7, 6]); // fliplr
    expect(pixels(dihedral(x, 5))).toEqual([8, 5, 2, 7, 4, 1, 6, 3, 0]);
    expect(pixels(dihedral(x, 6))).toEqual([6, 7, 8, 3, 4, 5, 0, 1, 2]); // flipud
    expect(pixels(dihedral(x, 7))).toEqual([0, 3, 6, 1, 4, 7, 2, 5, 8]); // transpose
  });

  it('are 8 distinct permutations that move all channels together', () => {
    const x = tf.concat([grid(), tf.add(grid(), 100) as tf.Tensor4D], 3);
    const seen = new Set<string>();
    for (const k of DIHEDRAL_TRANSFORMS) {
      const v = pixels(dihedral(x, k));
      expect([...v].sort((a, b) => a - b)).toEqual([...pixels(x)].sort((a, b) => a - b));
      for (let i = 0; i < 9; i++) expect(v[2 * i + 1]).toBe(v[2 * i] + 100);
      seen.add(v.join());
    }
    expect(seen.size).toBe(8);
    expect(() => dihedral(x, 8)).toThrow(/0..7/);
  });

  it('do not leak tensors', () => {
    const x = grid();
    const before = tf.memory().numTensors;
    for (const k of DIHEDRAL_TRANSFORMS) dihedral(x, k).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('batch augmentation', () => {
  const stored = 8;
  const batch = () => {
    // image b, pixel (r, c), channel ch = b*1000 + r*10 + c + ch*0.25, as uint8-free float data
    const v = new Float32Array(3 * stored * stored * 2);
    for (let b = 0, i = 0; b < 3; b++)
      for (let r = 0; r < stored; r++) for (let c = 0; c < stored; c++) for (let ch = 0; ch < 2; ch++) v[i++] = b * 1000 + r * 10 + c + ch * 0.25;
    return tf.tensor4d(v, [3, stored, stored, 2]);
  };

  it('random crops stay inside the image and cover every window origin', () => {
    const x = batch();
    const origins = new Set<string>();
    const rng = new Rng(1);
    for (let trial = 0; trial < 40; trial++) {
      const o = { size: 5, mode: 'crop' as const, flips: false, rotate90: false };
      const t = drawTransforms(3, stored, o, rng);
      const y = applyTransforms(x, t, o);
      expect(y.shape).toEqual([3, 5, 5, 2]);
      const a = y.arraySync();
      t.forEach((tr, b) => {
        expect(tr.top).toBeGreaterThanOrEqual(0);
        expect(tr.top + 5).toBeLessThanOrEqual(stored);
        expect(tr.left + 5).toBeLessThanOrEqual(stored);
        // the window is the contiguous block at (top, left) of image b
        expect(a[b][0][0][0]).toBe(b * 1000 + tr.top * 10 + tr.left);
        expect(a[b][4][4][1]).toBe(b * 1000 + (tr.top + 4) * 10 + tr.left + 4 + 0.25);
        origins.add(`${tr.top},${tr.left}`);
      });
      y.dispose();
    }
    expect(origins.size).toBe(16); // (8 − 5 + 1)²
  });

  it('is deterministic for a seed and varies with it', () => {
    const x = batch();
    const o = { size: 6, mode: 'crop' as const, flips: true, rotate90: true };
    const a = pixels(augmentBatch(x, o, new Rng(42)));
    const b = pixels(augmentBatch(x, o, new Rng(42)));
    const c = pixels(augmentBatch(x, o, new Rng(43)));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('applies each image its own dihedral transform', () => {
    const x = batch();
    const o = { size: stored, mode: 'crop' as const };
    const y = applyTransforms(
      x,
      [
        { k: 1, top: 0, left: 0 },
        { k: 0, top: 0, left: 0 },
        { k: 4, top: 0, left: 0 },
      ],
      o,
    );
    const a = y.arraySync();
    expect(a[0][0][0][0]).toBe(7); // rot90 CCW: top-left comes from the top-right
    expect(a[1][0][0][0]).toBe(1000);
    expect(a[2][0][0][0]).toBe(2007); // mirrored
  });

  it('matches cutting and turning each image on its own, for every transform and window', () => {
    const x = batch();
    const rng = new Rng(7);
    for (const size of [1, 5, stored]) {
      for (let trial = 0; trial < 8; trial++) {
        const t = [0, 1, 2].map((i) => ({ k: (trial + 3 * i) % 8, top: rng.int(stored - size + 1), left: rng.int(stored - size + 1) }));
        const y = applyTransforms(x, t, { size, mode: 'crop' });
        const expected = tf.concat(
          t.map((tr, i) => dihedral(tf.slice(x, [i, tr.top, tr.left, 0], [1, size, size, 2]), tr.k)),
          0,
        );
        expect(y.shape).toEqual([3, size, size, 2]);
        expect(pixels(y)).toEqual(pixels(expected));
        tf.dispose([y, expected]);
      }
    }
  });

  it('gathers a batch of more than 2^24 pixels in parts (WebGL addresses 2^24 exactly), each part right', () => {
    // 65 images of 512 × 512: 17.04 M positions, so images 0..63 and image 64 go in two gathers
    const [b, S] = [65, 512];
    const v = new Float32Array(b * S * S);
    for (let i = 0; i < b; i++) for (let r = 0; r < S; r++) v.fill(i * 10000 + r, (i * S + r) * S, (i * S + r + 1) * S);
    for (let i = 0; i < b; i++) v[(i * S + 3) * S + 500] = -i; // one marked pixel per image: row 3, column 500
    const x = tf.tensor4d(v, [b, S, S, 1]);
    const t = Array.from({ length: b }, (_, i) => ({ k: i % 2 ? 7 : 0, top: 3, left: 500 })); // 7: transpose
    const y = applyTransforms(x, t, { size: 4, mode: 'crop' });
    expect(y.shape).toEqual([b, 4, 4, 1]);
    const a = y.arraySync();
    for (const i of [0, 62, 63, 64]) {
      expect(a[i][0][0][0]).toBe(-i);
      // the pixel below the mark (row 4), or for a transposed image the one right of it (row 3)
      expect(a[i][1][0][0]).toBe(i * 10000 + (i % 2 ? 3 : 4));
      expect(a[i][0][1][0]).toBe(i * 10000 + (i % 2 ? 4 : 3));
    }
    tf.dispose([x, y]);
  });

  it('launches the same few kernels for a batch of 32 as for one image', async () => {
    const o = { size: 6, mode: 'crop' as const, flips: true, rotate90: true };
    const kernels = async (b: number) => {
      const x = tf.zeros([b, stored, stored, 2]) as tf.Tensor4D;
      const info = await tf.profile(() => augmentBatch(x, o, new Rng(5)));
      x.dispose();
      return info.kernels.filter((k) => k.name !== 'Reshape').map((k) => k.name);
    };
    expect(await kernels(32)).toEqual(await kernels(1));
    expect((await kernels(32)).length).toBeLessThanOrEqual(3);
  });

  it('checks its gather on the backend and cuts image by image where the gather is wrong', async () => {
    expect(await verifyAugmentGather()).toBeNull();
    const cpuGather = tf.getKernel('GatherV2', 'cpu')!;
    tf.unregisterKernel('GatherV2', 'cpu');
    // a gather that reads one position too far: wrong pixels, right shape
    tf.registerKernel({
      ...cpuGather,
      kernelFunc: (args) => {
        const indices = args.inputs.indices as tf.Tensor;
        const shifted = tf.tidy(() => tf.minimum(tf.add(indices, 1), indices.max()));
        try {
          return cpuGather.kernelFunc({ ...args, inputs: { ...args.inputs, indices: shifted } }) as tf.TensorInfo;
        } finally {
          shifted.dispose();
        }
      },
    });
    try {
      expect(await verifyAugmentGather()).toMatch(
        /^self-check failed on cpu \(image 0, pixel \(0, 0\), channel 0: 4 vs 0\); images are cut and turned one by one$/,
      );
      const x = batch();
      const t = [
        { k: 3, top: 1, left: 2 },
        { k: 6, top: 0, left: 0 },
        { k: 0, top: 3, left: 3 },
      ];
      const expected = tf.concat(
        t.map((tr, i) => dihedral(tf.slice(x, [i, tr.top, tr.left, 0], [1, 5, 5, 2]), tr.k)),
        0,
      );
      expect(pixels(applyTransforms(x, t, { size: 5, mode: 'crop' }))).toEqual(pixels(expected)); // still right, the slow way
    } finally {
      tf.unregisterKernel('GatherV2', 'cpu');
      tf.registerKernel(cpuGather);
    }
    expect(await verifyAugmentGather()).toBeNull();
  });

  it('names the image whose window or transform is out of range', () => {
    const x = batch();
    const o = { size: 5, mode: 'crop' as const };
    const ok = { k: 0, top: 0, left: 0 };
    expect(() => applyTransforms(x, [ok, { k: 0, top: 4, left: 0 }, ok], o)).toThrow(/image 1: a 5×5 window at \(4, 0\) does not fit a 8×8 image/);
    expect(() => applyTransforms(x, [ok, ok, { k: 8, top: 0, left: 0 }], o)).toThrow(/image 2: dihedral transform must be 0..7, got 8/);
    expect(() => applyTransforms(x, [ok, ok], o)).toThrow(/2 transforms for a batch of 3/);
  });

  it('resizes the whole image in resize mode and centre-crops at evaluation', () => {
    const x = batch();
    expect(augmentBatch(x, { size: 4, mode: 'resize', flips: false, rotate90: false }, new Rng(1)).shape).toEqual([3, 4, 4, 2]);
    const same = evalBatch(x, { size: stored, mode: 'resize' });
    expect(pixels(same)).toEqual(pixels(x));
    const centre = evalBatch(x, { size: 4, mode: 'crop' }).arraySync();
    expect(centre[2][0][0][0]).toBe(2000 + 2 * 10 + 2);
    expect(() => evalBatch(x, { size: 9, mode: 'crop' })).toThrow(/8 px/);
  });

  it('takes uint8 pixels and leaks no tensors', () => {
    const u8 = new Uint8Array(2 * 4 * 4 * 4).map((_, i) => i % 256);
    const before = tf.memory().numTensors;
    const t = batchTensor(u8, 2);
    expect(t.shape).toEqual([2, 4, 4, 4]);
    expect(t.dtype).toBe('float32');
    const y = augmentBatch(t, { size: 3, mode: 'crop', flips: true, rotate90: true }, new Rng(3));
    tf.dispose([t, y]);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => batchTensor(new Uint8Array(10), 2)).toThrow(/cannot hold/);
  });
});
