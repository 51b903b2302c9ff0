import { describe, expect, it } from 'vitest';
import { CamOpacity } from './camOpacity';

describe('CamOpacity', () => {
  it('keeps a whole percentage in 0–100 and tells its listeners of each change only', () => {
    const o = new CamOpacity(60);
    const seen: number[] = [];
    const stop = o.subscribe(() => seen.push(o.get()));
    o.set(25);
    o.set(25);
    o.set(140);
    o.set(-3);
    o.set(33.4);
    stop();
    o.set(70);
    expect(seen).toEqual([25, 100, 0, 33]);
    expect(o.get()).toBe(70);
  });
});
