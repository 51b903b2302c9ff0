import { describe, expect, it } from 'vitest';
import { findingSentence, formatDifference, formatSpread, pairedDifference, seedSpread, signed, verdictOf } from './stats';

const seeds = (...v: number[]) => new Map(v.map((x, i) => [i + 1, x]));
const subject = { variant: 'Focal γ=2', reference: 'BCE', quantity: 'rare-class F1', condition: 'at threshold 0.5' };

describe('seed spread', () => {
  it('is mean ± half the range, non-finite values left out', () => {
    const s = seedSpread([0.3, 0.5, 0.4, NaN]);
    expect(s.n).toBe(3);
    expect(s.mean).toBeCloseTo(0.4, 12);
    expect(s.halfRange).toBeCloseTo(0.1, 12);
    expect(formatSpread(s)).toBe('0.400 ± 0.100');
    expect(formatSpread(seedSpread([0.25]))).toBe('0.250');
    expect(formatSpread(seedSpread([]))).toBe('–');
  });
});

describe('paired differences and their verdict', () => {
  it('a difference inside the seed spread is reported as none', () => {
    // per seed: +0.05, −0.03, +0.01 → mean +0.01, spread 0.04
    const d = pairedDifference(seeds(0.2, 0.3, 0.4), seeds(0.25, 0.27, 0.41));
    expect(d.perSeed.map((x) => Number(x.toFixed(6)))).toEqual([0.05, -0.03, 0.01]);
    expect(d.mean).toBeCloseTo(0.01, 12);
    expect(d.halfRange).toBeCloseTo(0.04, 12);
    expect(d.verdict).toBe('none');
    expect(findingSentence(subject, d)).toBe(
      'Focal γ=2 vs BCE, rare-class F1 at threshold 0.5: no difference beyond seed noise at this budget (+0.010 ± 0.040, 3 seeds).',
    );
  });

  it('one outside the spread is reported with its size', () => {
    // per seed: +0.09, +0.15, +0.12 → mean +0.12, spread 0.03
    const d = pairedDifference(seeds(0.1, 0.2, 0.3), seeds(0.19, 0.35, 0.42));
    expect(d.verdict).toBe('higher');
    expect(findingSentence(subject, d)).toBe('Focal γ=2 raised rare-class F1 by 0.120 ± 0.030 over BCE at threshold 0.5 (3 seeds).');
    const worse = pairedDifference(seeds(0.19, 0.35, 0.42), seeds(0.1, 0.2, 0.3));
    expect(worse.verdict).toBe('lower');
    expect(findingSentence(subject, worse)).toBe('Focal γ=2 lowered rare-class F1 by 0.120 ± 0.030 against BCE at threshold 0.5 (3 seeds).');
  });

  it('pairs by seed, using only seeds both variants finished', () => {
    const a = new Map([
      [1, 0.1],
      [2, 0.2],
      [3, 0.3],
    ]);
    const b = new Map([
      [3, 0.5],
      [1, 0.3],
    ]);
    const d = pairedDifference(a, b);
    expect(d.seeds).toEqual([1, 3]);
    expect(d.perSeed.map((x) => Number(x.toFixed(6)))).toEqual([0.2, 0.2]);
    expect(d.verdict).toBe('higher'); // both seeds moved the same way, with no spread
  });

  it('calls nothing from one seed, or from none', () => {
    const one = pairedDifference(seeds(0.1), seeds(0.4));
    expect(one.verdict).toBe('one-seed');
    expect(findingSentence(subject, one)).toMatch(/\+0\.300 in the one seed both finished; telling a difference from seed noise needs at least two seeds\.$/);
    const none = pairedDifference(seeds(NaN, NaN), seeds(0.2, 0.3));
    expect(none.verdict).toBe('not-measured');
    expect(findingSentence(subject, none)).toBe('Focal γ=2 vs BCE, rare-class F1 at threshold 0.5: not measured (no seed finished for both).');
    expect(findingSentence({ ...subject, unmeasured: 'no rare class has validation positives on this split' }, none)).toMatch(
      /: not measured \(no rare class has validation positives on this split\)\.$/,
    );
  });

  it('equal results are no difference; a difference equal to its spread is not called one', () => {
    expect(verdictOf(seedSpread([0, 0, 0]))).toBe('none');
    expect(verdictOf(seedSpread([0, 0.2]))).toBe('none'); // mean 0.1 = spread 0.1: one seed moved, one did not
    expect(verdictOf(seedSpread([0.01, 0.2]))).toBe('higher');
    // the mean beats the spread, but one seed did not move: not called (0.044 ± 0.044 would read as nothing)
    expect(verdictOf(seedSpread([0.044, 0, 0.0885]))).toBe('none');
    // every seed moved up, but one by far more than the others: the spread is larger than the mean
    expect(verdictOf(seedSpread([0.01, 0.01, 0.2]))).toBe('none');
    expect(verdictOf(seedSpread([-0.05, -0.04, -0.06]))).toBe('lower');
    expect(formatDifference(seedSpread([-0.02, -0.04]))).toBe('−0.030 ± 0.010');
    expect(signed(0)).toBe('±0.000');
    expect(signed(-0.0001)).toBe('±0.000');
  });
});
