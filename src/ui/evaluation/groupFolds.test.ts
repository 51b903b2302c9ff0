import { describe, expect, it } from 'vitest';
import type { FoldGroupRecord, RunRecord } from '../../data/catalog';
import type { PredictResult } from '../../core/predictionResult';
import { groupFolds, testTruthMatrix } from './groupFolds';

const C = 2;
const run = (id: string, valIds: string[], p: number): RunRecord => ({
  id,
  name: `run ${id}`,
  datasetId: 'ds',
  datasetName: 'ds',
  createdAt: 0,
  config: {},
  status: 'done',
  message: null,
  backend: 'wasm',
  history: [],
  checkpointEpoch: 1,
  bestEpoch: 1,
  valIds,
  valProbs: new Float32Array(valIds.length * C).fill(p),
  valTruth: new Uint8Array(valIds.length * C).fill(1),
  lrReductions: [],
  group: 'kfold:g',
});
const group = (members: { fold: number; runId: string }[]): FoldGroupRecord => ({
  id: 'kfold:g',
  name: 'g',
  datasetId: 'ds',
  datasetName: 'ds',
  createdAt: 0,
  config: {},
  folds: 3,
  members: members.map((m) => ({ ...m, status: 'done', seconds: 1, message: null })),
  status: 'done',
  message: null,
});

describe("a group's folds for the out-of-fold evaluation", () => {
  const runs = [run('a', ['1', '2'], 0.1), run('b', ['3'], 0.2)];
  const g = group([
    { fold: 0, runId: 'a' },
    { fold: 1, runId: 'b' },
    { fold: 2, runId: 'c' },
  ]);
  it("takes each finished fold's stored held-out predictions and names the folds that have none", () => {
    const { folds, source, missing } = groupFolds(g, runs, null, C);
    expect(folds.map((f) => [f.fold, f.valIds, Array.from(f.valProbs)])).toEqual([
      [0, ['1', '2'], [0.1, 0.1, 0.1, 0.1].map(Math.fround)],
      [1, ['3'], [0.2, 0.2].map(Math.fround)],
    ]);
    expect(source).toBe('runs');
    expect(missing).toEqual([2]);
    expect(folds[0].testProbs).toBeUndefined();
  });
  it("takes the test probabilities, and the held-out ones, from a prediction of exactly those folds' models", () => {
    const member = (runId: string, ids: string[], p: number) => ({
      runId,
      name: runId,
      checkpoint: 'best' as const,
      epoch: 1,
      testProbs: new Float32Array([p, p]),
      valIds: ids,
      valProbs: new Float32Array(ids.length * C).fill(p),
      valTruth: new Uint8Array(ids.length * C),
      packagedThresholds: null,
    });
    const prediction: PredictResult = {
      jobId: 'j',
      datasetId: 'ds',
      testIds: ['t1'],
      members: [member('b', ['3'], 0.7), member('a', ['1', '2'], 0.6)],
      backend: 'wasm',
      seconds: 1,
      images: 4,
    };
    const { folds, source } = groupFolds(g, runs, prediction, C);
    expect(source).toBe('prediction');
    expect(folds.map((f) => [f.fold, f.testIds, f.testProbs![0], f.valProbs[0]])).toEqual([
      [0, ['t1'], Math.fround(0.6), Math.fround(0.6)],
      [1, ['t1'], Math.fround(0.7), Math.fround(0.7)],
    ]);
    // a prediction of other runs is not the group's
    expect(groupFolds(g, runs, { ...prediction, members: [prediction.members[0]] }, C).source).toBe('runs');
  });
  it('turns test truth into a 0/1 matrix', () => {
    expect(
      testTruthMatrix(
        [
          { id: 'x', labels: [1] },
          { id: 'y', labels: [0, 1] },
        ],
        C,
      ),
    ).toEqual({ ids: ['x', 'y'], truth: new Uint8Array([0, 1, 1, 1]) });
  });
});
