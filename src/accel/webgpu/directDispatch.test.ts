import { describe, expect, it } from 'vitest';
import { groupsFor } from './directDispatch';

describe('groupsFor: workgroups for a direct dispatch', () => {
  it('uses one row up to the 65,535-workgroup limit', () => {
    expect(groupsFor(1, 64)).toEqual([1, 1]);
    expect(groupsFor(64, 64)).toEqual([1, 1]);
    expect(groupsFor(65, 64)).toEqual([2, 1]);
    expect(groupsFor(65535 * 64, 64)).toEqual([65535, 1]);
  });

  it('folds into rows past the limit, covering every thread with each side within it', () => {
    for (const threads of [65535 * 64 + 1, 12_345_678, 512 * 512 * 128, 2 ** 31 - 1]) {
      const [x, y] = groupsFor(threads, 64);
      expect(x).toBeLessThanOrEqual(65535);
      expect(y).toBeLessThanOrEqual(65535);
      expect(x * y * 64).toBeGreaterThanOrEqual(threads);
      // no whole row of workgroups past the end
      expect((y - 1) * x * 64).toBeLessThan(threads);
    }
  });

  it('gives an empty update one workgroup (its threads return at once)', () => {
    expect(groupsFor(0, 64)).toEqual([1, 1]);
  });
});
