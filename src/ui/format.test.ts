import { describe, expect, it } from 'vitest';
import { fileSafe } from './format';

describe('fileSafe', () => {
  it('keeps letters, digits, dots, dashes and underscores', () => {
    expect(fileSafe('run 2 · gapnet-kaggle 64px')).toBe('run_2_gapnet-kaggle_64px');
    expect(fileSafe(' ·· ')).toBe('run');
  });

  it('cuts a long name at a word boundary, never inside a number', () => {
    const name = fileSafe('run 2 · gapnet-kaggle 64px focal 2 no sampler batch 16 lr 0.001 12 ep');
    expect(name).toBe('run_2_gapnet-kaggle_64px_focal_2_no_sampler_batch_16_lr');
    expect(name.length).toBeLessThanOrEqual(60);
    // a word that would end exactly at the limit is kept whole
    expect(fileSafe(`${'a'.repeat(54)} 0.001 b`)).toBe(`${'a'.repeat(54)}_0.001`);
    // one word longer than the limit has no boundary: it is cut at 60
    expect(fileSafe('x'.repeat(70))).toBe('x'.repeat(60));
  });
});
