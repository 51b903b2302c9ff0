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

describe("a transfer model's parts", () => {
  // input, preprocessing, adapter, a 3-block backbone (stem 0, blocks 1 and 2), the head
  const roles = [
    { part: 'studio', block: null },
    { part: 'studio', block: null },
    { part: 'studio', block: null },
    { part: 'backbone', block: 0 },
    { part: 'backbone', block: 0 },
    { part: 'backbone', block: 1 },
    { part: 'backbone', block: 2 },
    { part: 'backbone', block: 2 },
    { part: 'head', block: null },
    { part: 'head', block: null },
  ] as const;
  const parts = { roles: [...roles], blockCount: 3 };

  it("'frozen' trains the head and the studio's layers, no backbone layer", () => {
    expect(trainableMask(roles.length, { backbone: 'frozen' }, parts)).toEqual(roles.map((r) => r.part !== 'backbone'));
  });

  it('the last N blocks train with the head; 0 blocks is frozen, all blocks is everything', () => {
    expect(trainableMask(roles.length, { backbone: { lastBlocks: 1 } }, parts)).toEqual([true, true, true, false, false, false, true, true, true, true]);
    expect(trainableMask(roles.length, { backbone: { lastBlocks: 2 } }, parts)).toEqual([true, true, true, false, false, true, true, true, true, true]);
    expect(trainableMask(roles.length, { backbone: { lastBlocks: 0 } }, parts)).toEqual(trainableMask(roles.length, { backbone: 'frozen' }, parts));
    expect(trainableMask(roles.length, { backbone: { lastBlocks: 3 } }, parts)).toEqual(new Array(roles.length).fill(true));
  });

  it('a backbone setting without roles (a GAPNet) is an error, and schedules read from JSON accept the new settings', () => {
    expect(() => trainableMask(4, { backbone: 'frozen' })).toThrow(/only transfer models have a backbone/);
    const s = validateSchedule({
      phases: [
        { epochs: 2, loss: { kind: 'bce' }, trainable: { backbone: 'frozen' }, lr: 1e-3 },
        { epochs: 3, loss: { kind: 'bce' }, trainable: { backbone: { lastBlocks: 2 } }, lr: 1e-4 },
      ],
    });
    expect(describeSchedule(s)).toBe("2 ep BCE (backbone frozen, lr 0.001) → 3 ep BCE (head and the backbone's last 2 blocks, lr 0.0001)");
    expect(() => validateSchedule({ phases: [{ epochs: 1, loss: { kind: 'bce' }, trainable: { backbone: { lastBlocks: -1 } } }] })).toThrow(/trainable/);
  });
});
