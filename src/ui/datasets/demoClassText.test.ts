import { describe, expect, it } from 'vitest';
import { classCounts, planDataset } from '../../synth/planDataset';
import { demoSynthOptions } from '../../synth/teachingDemo';
import { demoClassText } from './demoClassText';

const counts = (train: number, teaching: boolean) => {
  const plan = planDataset(demoSynthOptions({ train, test: 80, size: 64, seed: 1, teaching }));
  return { train: classCounts(plan.train), test: classCounts(plan.test) };
};

describe('the demo options’ class-count words', () => {
  it('a small teaching demo claims the floor its plan reaches, not its aim, and does not advise the teaching demo', () => {
    const c = counts(480, true);
    const minTrain = Math.min(...c.train);
    expect(minTrain).toBeLessThan(60);
    const text = demoClassText('teaching', c.train, c.test);
    expect(text.floor).toBe(
      `every class is in at least ${minTrain} train and ${Math.min(...c.test)} test samples (60 is its aim: more train samples reach it)`,
    );
    // the warning names rare classes only where the floor is under 50 train samples (10 expected in a 20 % hold-out)
    expect(text.warning === null).toBe(minTrain >= 50);
    expect(text.warning).toMatch(/; use more train samples\.$/);
  });

  it('a full teaching demo reaches its aim with no warning; a realistic one is pointed to the teaching demo', () => {
    const full = counts(1200, true);
    expect(demoClassText('teaching', full.train, full.test)).toEqual({
      floor: `every class is in at least ${Math.min(...full.train)} train and ${Math.min(...full.test)} test samples`,
      warning: null,
    });
    expect(Math.min(...full.train)).toBeGreaterThanOrEqual(60);
    const real = counts(480, false);
    expect(demoClassText('realistic', real.train, real.test).warning).toMatch(/; use the teaching demo or more samples\.$/);
  });
});
