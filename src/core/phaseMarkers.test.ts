import { describe, expect, it } from 'vitest';
import { phaseStarts } from './phaseMarkers';

describe('phaseStarts', () => {
  it('marks the first epoch of each later phase with its name', () => {
    const h = [
      { epoch: 1, phase: 0, phaseName: 'warm-up (backbone frozen)' },
      { epoch: 2, phase: 0, phaseName: 'warm-up (backbone frozen)' },
      { epoch: 3, phase: 1, phaseName: 'fine-tune (all layers)' },
      { epoch: 4, phase: 1, phaseName: 'fine-tune (all layers)' },
    ];
    expect(phaseStarts(h)).toEqual([{ epoch: 3, phaseName: 'fine-tune (all layers)' }]);
  });
  it('has no marker for a one-phase run or a history stored before phases were recorded', () => {
    expect(
      phaseStarts([
        { epoch: 1, phase: 0 },
        { epoch: 2, phase: 0 },
      ]),
    ).toEqual([]);
    expect(phaseStarts([{ epoch: 1 }, { epoch: 2 }])).toEqual([]);
    expect(
      phaseStarts([
        { epoch: 1, phase: 0 },
        { epoch: 2, phase: 1 },
      ]),
    ).toEqual([{ epoch: 2, phaseName: 'phase 2' }]);
  });
});
