import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { modelFiles } from '../core/modelPackage';
import { createModel } from '../core/models/registry';
import { DEFAULT_RUN } from '../core/runConfig';
import { captureCheckpoint, decodeCheckpoint, encodeCheckpoint } from '../core/train/checkpoint';
import type { RunRecord, SampleRecord } from '../data/catalog';
import { loadRunModel, safeFileName, slotSource, testOrder } from './predictRun';

const sample = (id: string, slot: number): SampleRecord => ({ datasetId: 'd', id, split: 'test', labels: [], slot });
const run = (config: Record<string, unknown>): RunRecord => ({
  id: 'r',
  name: 'run',
  datasetId: 'd',
  datasetName: 'd',
  createdAt: 0,
  config,
  status: 'done',
  message: null,
  backend: 'cpu',
  history: [],
  checkpointEpoch: 1,
  bestEpoch: 1,
  valIds: [],
  valProbs: null,
  valTruth: null,
  lrReductions: [],
  group: null,
});

describe('testOrder', () => {
  const samples = [sample('c', 0), sample('a', 1), sample('b', 2)];
  it('follows sample_submission.csv, leaving out ids that were not stored', () => {
    expect(testOrder({ submissionOrder: ['b', 'x', 'c', 'a'] }, samples).map((s) => s.id)).toEqual(['b', 'c', 'a']);
  });
  it('sorts the test ids without a sample submission', () => {
    expect(testOrder({ submissionOrder: null }, samples).map((s) => s.id)).toEqual(['a', 'b', 'c']);
  });
});

describe('slotSource', () => {
  it('yields the slots in order, in batches, whatever order the batch reads finish in', async () => {
    const size = 2;
    const finished: number[] = [];
    const reader = {
      // the later batches' reads finish first (a batch's delay falls with its first slot)
      readMany: async (slots: ArrayLike<number>) => {
        await new Promise((r) => setTimeout(r, (7 - slots[0]) * 4));
        finished.push(slots[0]);
        const x = new Uint8Array(slots.length * size * size * 4);
        Array.from(slots).forEach((s, i) => x.fill(s, i * 16, (i + 1) * 16));
        return x;
      },
    };
    const src = slotSource(reader, [5, 3, 1, 6, 2], size);
    const seen: number[][] = [];
    for await (const b of src.batches(2)) seen.push(Array.from({ length: (b.x as Uint8Array).length / 16 }, (_, i) => (b.x as Uint8Array)[i * 16]));
    expect(seen).toEqual([[5, 3], [1, 6], [2]]);
    expect(finished).toEqual([5, 2, 1]); // the third batch's read (20 ms) finished before the second's (24 ms)
    expect(src.numRows).toBe(5);
  });
});

describe('loadRunModel', () => {
  const x = tf.randomUniform([2, 32, 32, 4], 0, 255, 'float32', 3);
  it("rebuilds a trained run's model from its config and checkpoint: same predictions", async () => {
    const config = { ...DEFAULT_RUN, inputSize: 32, seed: 3 };
    const trained = createModel('gapnet-pl', { inputSize: 32, seed: 11 });
    const ckpt = decodeCheckpoint(encodeCheckpoint(await captureCheckpoint(trained, null, { epoch: 1, phase: 0, learningRate: 0, history: [], meta: {} })));
    const { model, imported } = await loadRunModel(run(config as unknown as Record<string, unknown>), ckpt);
    expect(imported).toBeNull();
    const want = await (trained.predict(x) as tf.Tensor).data();
    const got = await (model.predict(x) as tf.Tensor).data();
    expect(Array.from(got)).toEqual(Array.from(want));
  });

  it('rebuilds an imported model from its stored topology (not the registry): same predictions', async () => {
    const other = createModel('gapnet-kaggle', { inputSize: 32, seed: 5 });
    const topology = JSON.parse(new TextDecoder().decode((await modelFiles(other)).get('model.json'))).modelTopology;
    const ckpt = await captureCheckpoint(other, null, {
      epoch: 0,
      phase: 0,
      learningRate: 0,
      history: [],
      meta: { imported: { modelTopology: topology, studio: { thresholds: [] }, importedFrom: 'm.zip' } },
    });
    // the config names gapnet-pl: the topology must win
    const { model, imported } = await loadRunModel(
      run({ ...DEFAULT_RUN, inputSize: 32 } as unknown as Record<string, unknown>),
      decodeCheckpoint(encodeCheckpoint(ckpt)),
    );
    expect(imported?.importedFrom).toBe('m.zip');
    expect(Array.from(await (model.predict(x) as tf.Tensor).data())).toEqual(Array.from(await (other.predict(x) as tf.Tensor).data()));
  });

  it("refuses a checkpoint that does not fit the run's model, naming the run", async () => {
    const small = createModel('gapnet-kaggle', { inputSize: 32 });
    const ckpt = await captureCheckpoint(small, null, { epoch: 1, phase: 0, learningRate: 0, history: [], meta: {} });
    await expect(loadRunModel(run({ ...DEFAULT_RUN, inputSize: 32 } as unknown as Record<string, unknown>), ckpt)).rejects.toThrow(
      /Run 'run': its checkpoint does not fit its model/,
    );
  });
});

describe('safeFileName', () => {
  it('keeps letters, digits, dot, dash, underscore', () => {
    expect(safeFileName('run 1 · gapnet-pl 32px / focal')).toBe('run_1_gapnet-pl_32px_focal');
    expect(safeFileName('···')).toBe('run');
  });
});
