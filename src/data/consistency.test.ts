import { describe, expect, it } from 'vitest';
import type { CheckpointHeader } from '../core/train/checkpointHeader';
import type { DatasetRecord, RunRecord } from './catalog';
import { planDatasetRepair, planRunRepair, planWeightsRepair, type DatasetFacts } from './consistency';
import { sampleBytes, slotsPerChunk } from './pixelStore';

const RES = 16;
const BYTES = sampleBytes(RES);

function dataset(over: Partial<DatasetRecord> = {}): DatasetRecord {
  return {
    id: 'd1',
    name: 'demo',
    createdAt: 0,
    resolution: RES,
    storage: 'opfs',
    status: 'ready',
    train: 3,
    test: 1,
    skipped: [],
    warnings: [],
    nextSlot: 4,
    submissionOrder: null,
    hasTestLabels: false,
    sources: [],
    ...over,
  };
}
const samples = (slots: number[]) => slots.map((slot, i) => ({ id: `s${i}`, split: i < 3 ? ('train' as const) : ('test' as const), slot }));
const facts = (over: Partial<DatasetFacts> = {}): DatasetFacts => ({
  record: dataset(),
  samples: samples([0, 1, 2, 3]),
  chunkBytes: new Map([[0, 4 * BYTES]]),
  ...over,
});

describe('planDatasetRepair', () => {
  it('leaves a dataset alone when its samples, counts and pixels agree', () => {
    expect(planDatasetRepair(facts())).toBeNull();
    // slots freed by skipped samples leave the next slot beyond the last used one: that is fine
    expect(planDatasetRepair(facts({ record: dataset({ nextSlot: 9 }), chunkBytes: new Map([[0, 9 * BYTES]]) }))).toBeNull();
  });

  it('marks a dataset a killed import left importing partial, keeping its samples', () => {
    const plan = planDatasetRepair(facts({ record: dataset({ status: 'importing' }) }))!;
    expect(plan.record.status).toBe('partial');
    expect(plan.drop).toEqual([]);
    expect(plan.repairs).toEqual(["dataset 'demo' marked partial (4 samples kept; Resume… imports the rest)"]);
  });

  it('drops samples whose slot lies beyond the stored pixel bytes, and recounts', () => {
    const plan = planDatasetRepair(facts({ chunkBytes: new Map([[0, 2 * BYTES + 10]]) }))!;
    expect(plan.drop).toEqual(['s2', 's3']);
    expect(plan.record).toMatchObject({ status: 'partial', train: 2, test: 0, nextSlot: 4 });
    expect(plan.repairs).toContain("dataset 'demo': 2 samples whose pixels were never stored dropped from the catalog");
    expect(plan.repairs).toContain("dataset 'demo': counts corrected from 3 train · 1 test to 2 train · 0 test");
  });

  it('finds slots in a later chunk by the chunk each slot belongs to', () => {
    const per = slotsPerChunk('idb', RES);
    const record = dataset({ storage: 'idb', nextSlot: per + 2, train: 3, test: 1 });
    const slots = [0, 1, per, per + 1];
    expect(
      planDatasetRepair({
        record,
        samples: samples(slots),
        chunkBytes: new Map([
          [0, per * BYTES],
          [1, 2 * BYTES],
        ]),
      }),
    ).toBeNull();
    expect(planDatasetRepair({ record, samples: samples(slots), chunkBytes: new Map([[0, per * BYTES]]) })!.drop).toEqual(['s2', 's3']);
  });

  it('drops every sample of a slot two samples share, and raises a next slot that would write over a stored sample', () => {
    const plan = planDatasetRepair(facts({ record: dataset({ nextSlot: 2 }), samples: samples([0, 1, 1, 3]) }))!;
    expect(plan.drop).toEqual(['s1', 's2']);
    expect(plan.record).toMatchObject({ status: 'partial', train: 1, test: 1, nextSlot: 4 });
    expect(plan.repairs).toContain("dataset 'demo': 2 samples sharing pixel slots dropped from the catalog");
    expect(plan.repairs).toContain("dataset 'demo': next free pixel slot raised from 2 to 4");
  });

  it('recounts a dataset whose counts lag its committed samples (a kill between two writes)', () => {
    const plan = planDatasetRepair(facts({ record: dataset({ train: 1, test: 0, nextSlot: 1, status: 'importing' }) }))!;
    expect(plan.record).toMatchObject({ status: 'partial', train: 3, test: 1, nextSlot: 4 });
  });
});

const header = (epoch: number, missing = 0): CheckpointHeader => ({
  epoch,
  history: Array.from({ length: epoch }, (_, i) => ({ epoch: i + 1 })) as unknown as CheckpointHeader['history'],
  expectedBytes: 1000,
  storedBytes: 1000 - missing,
});
function run(over: Partial<RunRecord> = {}): RunRecord {
  return {
    id: 'r1',
    name: 'quick',
    datasetId: 'd1',
    datasetName: 'demo',
    createdAt: 0,
    config: {},
    status: 'running',
    message: null,
    backend: 'wasm',
    history: [{ epoch: 1 }, { epoch: 2 }],
    checkpointEpoch: 2,
    bestEpoch: 1,
    valIds: [],
    valProbs: null,
    valTruth: null,
    lrReductions: [],
    group: null,
    ...over,
  };
}

describe('planRunRepair', () => {
  it('leaves runs that ended alone', () => {
    for (const status of ['done', 'stopped', 'failed', 'interrupted'] as const)
      expect(planRunRepair({ record: run({ status }), last: null, best: null })).toBeNull();
  });

  it('stops a run a killed page left running at its last checkpoint, resumable', () => {
    const plan = planRunRepair({ record: run({ message: 'stale' }), last: header(2), best: header(1) })!;
    expect(plan.record).toMatchObject({ status: 'interrupted', message: null, checkpointEpoch: 2, bestEpoch: 1, history: [{ epoch: 1 }, { epoch: 2 }] });
    expect(plan.drop).toEqual([]);
    expect(plan.repairs).toEqual(["run 'quick' stopped at its checkpoint of epoch 2 (resumable)"]);
  });

  it('takes the epoch and history of the stored checkpoint when the record lags it', () => {
    const plan = planRunRepair({ record: run({ status: 'paused', checkpointEpoch: 1, history: [{ epoch: 1 }] }), last: header(2), best: header(2) })!;
    expect(plan.record).toMatchObject({ checkpointEpoch: 2, bestEpoch: 2, history: [{ epoch: 1 }, { epoch: 2 }] });
  });

  it('drops a half-written last checkpoint and falls back to the complete best one', () => {
    const plan = planRunRepair({ record: run({ checkpointEpoch: 3, history: [{}, {}, {}] }), last: header(3, 400), best: header(1) })!;
    expect(plan.drop).toEqual(['last']);
    expect(plan.lastFromBest).toBe(true);
    expect(plan.record).toMatchObject({ status: 'interrupted', checkpointEpoch: 1, bestEpoch: 1, history: [{ epoch: 1 }] });
    expect(plan.repairs).toEqual([
      "run 'quick': its half-written checkpoint (epoch 3: 600 of 1000 bytes stored) dropped",
      "run 'quick' stopped at its checkpoint of epoch 1 (resumable)",
    ]);
  });

  it('leaves a run with no complete checkpoint not resumable', () => {
    const plan = planRunRepair({ record: run(), last: { error: 'not a checkpoint (bad magic number)' }, best: null })!;
    expect(plan.drop).toEqual(['last']);
    expect(plan.lastFromBest).toBe(false);
    expect(plan.record).toMatchObject({ status: 'interrupted', checkpointEpoch: 0 });
    expect(plan.repairs.at(-1)).toBe("run 'quick' stopped (no checkpoint was stored)");
  });
});

describe('planWeightsRepair', () => {
  it('drops records without values and values without records', () => {
    expect(planWeightsRepair([{ id: 'a', fileName: 'vgg.h5' }], ['a'])).toBeNull();
    expect(planWeightsRepair([{ id: 'a', fileName: 'vgg.h5' }], ['b'])).toEqual({
      dropRecords: ['a'],
      dropData: ['b'],
      repairs: [
        "pretrained weights 'vgg.h5' dropped: their values were not stored (add the file again)",
        '1 set of stored weight values without a record dropped',
      ],
    });
  });
});
