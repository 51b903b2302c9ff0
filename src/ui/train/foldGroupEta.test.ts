import { describe, expect, it } from 'vitest';
import { groupEta } from './foldGroupEta';

const m = (status: 'pending' | 'running' | 'done', seconds: number | null = null) => ({ status, seconds });

describe('the ETA of a K-fold group', () => {
  it('is unknown while the first fold is still estimating', () => {
    expect(groupEta({ members: [m('running'), m('pending'), m('pending')], current: { elapsed: 3, eta: null } })).toBeNull();
  });
  it('before any fold is done: the first fold’s left time plus its whole expected time for every fold waiting', () => {
    expect(groupEta({ members: [m('running'), m('pending'), m('pending')], current: { elapsed: 10, eta: 20 } })).toBe(20 + 2 * 30);
  });
  it('after folds are done: the fold in flight’s ETA plus their mean time for each fold waiting', () => {
    expect(groupEta({ members: [m('done', 40), m('done', 60), m('running'), m('pending')], current: { elapsed: 5, eta: 45 } })).toBe(45 + 50);
  });
  it('uses the folds done when the fold in flight is still estimating (e.g. just after a pause)', () => {
    expect(groupEta({ members: [m('done', 40), m('running'), m('pending')], current: { elapsed: 10, eta: null } })).toBe(30 + 40);
  });
  it('is the fold in flight’s ETA for the last fold', () => {
    expect(groupEta({ members: [m('done', 40), m('done', 40), m('running')], current: { elapsed: 10, eta: 12 } })).toBe(12);
  });
});
