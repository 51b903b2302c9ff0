import { describe, expect, it } from 'vitest';
import { configDiff, flattenConfig } from './configDiff';

describe('configDiff', () => {
  it('keeps only the keys that differ, with one display value per run', () => {
    const a = { model: 'gapnet-pl', size: 128, loss: { type: 'focal', gamma: 2 }, lr: 0.001, aug: ['flip', 'rot90'] };
    const b = { model: 'gapnet-pl', size: 256, loss: { type: 'focal', gamma: 0.5 }, lr: 0.001, aug: ['flip', 'rot90'] };
    expect(configDiff([a, b])).toEqual([
      { key: 'size', values: ['128', '256'] },
      { key: 'loss.gamma', values: ['2', '0.5'] },
    ]);
  });

  it('treats a missing key as different and shows it as —', () => {
    expect(configDiff([{ epochs: 5 }, { epochs: 5, upsample: 'rare' }, { epochs: 6 }])).toEqual([
      { key: 'epochs', values: ['5', '5', '6'] },
      { key: 'upsample', values: ['—', 'rare', '—'] },
    ]);
  });

  it('compares arrays and objects by value, object keys in any order', () => {
    expect(configDiff([{ alpha: { a: 1, b: [1, 2] } }, { alpha: { b: [1, 2], a: 1 } }])).toEqual([]);
    expect(configDiff([{ w: [1, 2] }, { w: [2, 1] }])).toEqual([{ key: 'w', values: ['[1,2]', '[2,1]'] }]);
    expect(configDiff([{ x: '1' }, { x: 1 }])).toEqual([{ key: 'x', values: ['1', '1'] }]);
  });

  it('has nothing to compare for one run', () => {
    expect(configDiff([{ a: 1 }])).toEqual([]);
  });

  it('flattens nested objects to dotted keys', () => {
    expect(flattenConfig({ a: { b: { c: 1 } }, d: {}, e: null })).toEqual([
      ['a.b.c', 1],
      ['d', {}],
      ['e', null],
    ]);
  });
});
