import { describe, expect, it } from 'vitest';
import { NUM_CLASSES } from '../core/labels';
import { renderSample, type SampleChannels } from './renderSample';

const CH = ['red', 'green', 'blue', 'yellow'] as const;

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Pearson correlation of two channels. */
function corr(a: Uint8Array, b: Uint8Array): number {
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < a.length; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= a.length;
  mb /= b.length;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < a.length; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

/** Share of green signal (above its median) that lies where the blue nuclei are (blue above its 80th percentile). */
function greenInNuclei(s: SampleChannels): number {
  const q = (a: Uint8Array, f: number) => [...a].sort((x, y) => x - y)[Math.floor(f * (a.length - 1))];
  const gMed = q(s.green, 0.5);
  const bCut = q(s.blue, 0.8);
  let inside = 0;
  let all = 0;
  for (let i = 0; i < s.green.length; i++) {
    const g = Math.max(0, s.green[i] - gMed);
    all += g;
    if (s.blue[i] > bCut) inside += g;
  }
  return inside / all;
}

describe('renderSample', () => {
  it('gives four size×size 8-bit channels at every size from 16 to 64 px, not blank', () => {
    for (const size of [16, 17, 32, 64]) {
      const s = renderSample({ id: 'a', labels: [0, 25], size, seed: 1 });
      for (const c of CH) {
        expect(s[c]).toBeInstanceOf(Uint8Array);
        expect(s[c].length).toBe(size * size);
        expect(Math.max(...s[c]), `${c} at ${size}`).toBeGreaterThan(40);
      }
    }
  });

  it('is deterministic in (seed, id, labels, size) and changes with the seed or the id', () => {
    const a = renderSample({ id: 'x', labels: [7], size: 48, seed: 5 });
    const b = renderSample({ id: 'x', labels: [7], size: 48, seed: 5 });
    for (const c of CH) expect(same(a[c], b[c])).toBe(true);
    const d = renderSample({ id: 'x', labels: [7], size: 48, seed: 6 });
    const e = renderSample({ id: 'y', labels: [7], size: 48, seed: 5 });
    for (const c of CH) {
      expect(same(a[c], d[c])).toBe(false);
      expect(same(a[c], e[c])).toBe(false);
    }
  });

  it('draws every class, and the labels change only the green channel', () => {
    const ref = renderSample({ id: 'cells', labels: [0], size: 64, seed: 3 });
    for (let c = 1; c < NUM_CLASSES; c++) {
      const s = renderSample({ id: 'cells', labels: [c], size: 64, seed: 3 });
      for (const ch of ['red', 'blue', 'yellow'] as const) expect(same(s[ch], ref[ch]), `class ${c} ${ch}`).toBe(true);
      expect(same(s.green, ref.green), `class ${c} green`).toBe(false);
    }
  });

  it('green patterns differ by class: nucleoplasm lies in the nuclei, plasma membrane does not', () => {
    const nucleo: number[] = [];
    const membrane: number[] = [];
    for (let i = 0; i < 6; i++) {
      const id = `sample-${i}`;
      const a = renderSample({ id, labels: [0], size: 64, seed: 8 });
      const b = renderSample({ id, labels: [21], size: 64, seed: 8 });
      nucleo.push(greenInNuclei(a));
      membrane.push(greenInNuclei(b));
      expect(corr(a.green, a.blue)).toBeGreaterThan(0.5);
      expect(corr(b.green, b.blue)).toBeLessThan(0.25);
    }
    // measured on these six: nucleoplasm 0.57–0.85, plasma membrane 0.08–0.14
    expect(Math.min(...nucleo)).toBeGreaterThan(0.45);
    expect(Math.max(...membrane)).toBeLessThan(0.25);
  });

  it('rejects a label outside 0..27 and a size outside 16..512', () => {
    expect(() => renderSample({ id: 'a', labels: [28], size: 16, seed: 1 })).toThrow(/28/);
    expect(() => renderSample({ id: 'a', labels: [0], size: 15, seed: 1 })).toThrow(/size/);
    expect(() => renderSample({ id: 'a', labels: [0], size: 513, seed: 1 })).toThrow(/size/);
  });

  it('class masks: the same pixels as without them, one mask per label, lying where that class draws its green', () => {
    const mean = (a: Uint8Array, m: Uint8Array, on: number) => {
      let sum = 0;
      let k = 0;
      for (let i = 0; i < a.length; i++)
        if (m[i] === on) {
          sum += a[i];
          k++;
        }
      return sum / k;
    };
    for (const teaching of [false, true])
      for (const [i, labels] of [[0], [21], [2, 7], [5, 11, 25], [14, 8, 14]].entries()) {
        const opts = { id: `m${i}`, labels, size: 64, seed: 4, teaching };
        const plain = renderSample(opts);
        const s = renderSample({ ...opts, classMasks: true });
        for (const c of CH) expect(same(s[c], plain[c]), `${c}, labels ${labels}, teaching ${teaching}`).toBe(true);
        expect(plain.masks).toBeUndefined();
        const cellShare = s.cells!.reduce((a, b) => a + b, 0) / s.cells!.length;
        expect(cellShare).toBeGreaterThan(0.05);
        expect(cellShare).toBeLessThan(1);
        expect(s.masks!.map((m) => m.label)).toEqual([...new Set(labels)].sort((a, b) => a - b));
        for (const { label, mask } of s.masks!) {
          const share = mask.reduce((a, b) => a + b, 0) / mask.length;
          expect(share, `class ${label} mask share`).toBeGreaterThan(0.002);
          expect(share, `class ${label} mask share`).toBeLessThan(0.8);
          // a pattern lies in the cells, apart from the blur's halo at their edge
          expect(
            mask.reduce((a, v, p) => a + (v && !s.cells![p] ? 1 : 0), 0),
            `class ${label} mask outside the cells`,
          ).toBeLessThan(0.1 * share * mask.length);
          if (labels.length === 1) {
            // alone in the image, a class's mask is where the green is bright
            expect(mean(s.green, mask, 1), `class ${label}`).toBeGreaterThan(2 * mean(s.green, mask, 0));
          }
        }
      }
    // nucleoplasm's mask is the nuclei (blue), the plasma membrane's is not
    const nuc = renderSample({ id: 'n', labels: [0], size: 64, seed: 4, classMasks: true });
    const mem = renderSample({ id: 'n', labels: [21], size: 64, seed: 4, classMasks: true });
    expect(mean(nuc.blue, nuc.masks![0].mask, 1)).toBeGreaterThan(2 * mean(nuc.blue, nuc.masks![0].mask, 0));
    expect(mean(mem.blue, mem.masks![0].mask, 1)).toBeLessThan(mean(mem.blue, mem.masks![0].mask, 0));
  });
});
