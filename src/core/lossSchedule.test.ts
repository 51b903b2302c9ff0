import { describe, expect, it } from 'vitest';
import { bceThenF1, describeSchedule, phaseAt, singlePhase, totalEpochs, trainableMask, validateSchedule } from './lossSchedule';

describe('loss schedules', () => {
  const s = bceThenF1({ bceEpochs: 3, f1Epochs: 2 });

  it('BCE then F1: BCE on all layers at 1e-3, then soft F1 on the last 7 layers at 1e-4', () => {
    expect(s.phases.map((p) => p.loss.kind)).toEqual(['bce', 'soft-f1']);
    expect(s.phases[0]).toMatchObject({ trainable: 'all', lr: 1e-3 });
    expect(s.phases[1]).toMatchObject({ trainable: { lastLayers: 7 }, lr: 1e-4 });
    expect(totalEpochs(s)).toBe(5);
    expect(describeSchedule(s)).toBe('3 ep BCE (all layers, lr 0.001) → 2 ep soft F1 (last 7 layers, lr 0.0001)');
  });

  it('phaseAt resolves each epoch and flags phase starts', () => {
    const at = [0, 1, 2, 3, 4].map((e) => phaseAt(s, e));
    expect(at.map((a) => a.index)).toEqual([0, 0, 0, 1, 1]);
    expect(at.map((a) => a.epochInPhase)).toEqual([0, 1, 2, 0, 1]);
    expect(at.map((a) => a.starts)).toEqual([true, false, false, true, false]);
    expect(at.every((a) => !a.beyondEnd)).toBe(true);
  });

  it('past the end the last phase continues, flagged', () => {
    const a = phaseAt(s, 7);
    expect(a).toMatchObject({ index: 1, epochInPhase: 4, starts: false, beyondEnd: true });
    expect(() => phaseAt(s, -1)).toThrow(RangeError);
  });

  it('trainableMask: all, last N, from index (negative from the end)', () => {
    expect(trainableMask(4)).toEqual([true, true, true, true]);
    expect(trainableMask(10, { lastLayers: 7 })).toEqual([false, false, false, true, true, true, true, true, true, true]);
    expect(trainableMask(3, { lastLayers: 7 })).toEqual([true, true, true]);
    expect(trainableMask(5, { fromLayer: 2 })).toEqual([false, false, true, true, true]);
    expect(trainableMask(5, { fromLayer: -1 })).toEqual([false, false, false, false, true]);
  });

  it('schedules survive JSON and bad ones are rejected with the phase named', () => {
    expect(validateSchedule(JSON.parse(JSON.stringify(s)))).toEqual(JSON.parse(JSON.stringify(s)));
    expect(validateSchedule(singlePhase({ kind: 'focal', gamma: 2 }, 10)).phases).toHaveLength(1);
    expect(() => validateSchedule({ phases: [] })).toThrow(/at least one phase/);
    expect(() => validateSchedule({ phases: [{ epochs: 0, loss: { kind: 'bce' } }] })).toThrow(/phases\[0\].epochs/);
    expect(() =>
      validateSchedule({
        phases: [
          { epochs: 1, loss: { kind: 'bce' } },
          { epochs: 1, loss: { kind: 'f1' } },
        ],
      }),
    ).toThrow(/phases\[1\].loss: kind 'f1'/);
    expect(() => validateSchedule({ phases: [{ epochs: 1, loss: { kind: 'bce' }, trainable: 'last-7' }] })).toThrow(/trainable/);
  });
});
