// The split a PyTorch export writes to folds.csv: the run's own, recomputed as training made it.
import { describe, expect, it } from 'vitest';
import { DEFAULT_RUN, type RunConfig } from '../core/runConfig';
import { prepareRun } from '../core/train/recipe';
import { runFolds } from './torchExportJob';

const samples = Array.from({ length: 40 }, (_, i) => ({ id: `id${String(39 - i).padStart(2, '0')}`, labels: [i % 5, 10 + (i % 3)] }));
const sorted = [...samples].sort((a, b) => (a.id < b.id ? -1 : 1));

describe('runFolds', () => {
  it("every labelled id with the fold the run's split gave it; the validation fold holds the run's validation ids", () => {
    const config: RunConfig = { ...DEFAULT_RUN, split: { kind: 'kfold', folds: 4, fold: 2 }, seed: 3 };
    const prepared = prepareRun(
      config,
      sorted.map((s) => s.labels),
    );
    const valIds = prepared.valRows.map((r) => sorted[r].id);
    const folds = runFolds(config, { valIds }, samples)!;
    expect(folds.ids).toEqual(sorted.map((s) => s.id));
    expect(folds.ids.filter((_, i) => folds.folds[i] === 2)).toEqual(valIds);
    expect(new Set(Array.from(folds.folds))).toEqual(new Set([0, 1, 2, 3]));
  });

  it('a lesson run split by its splitSeed, not its seed', () => {
    const config = { ...DEFAULT_RUN, seed: 5, splitSeed: 9 };
    const valIds = prepareRun(
      { ...config, seed: 9 },
      sorted.map((s) => s.labels),
    ).valRows.map((r) => sorted[r].id);
    const folds = runFolds(config, { valIds }, samples)!;
    expect(folds.ids.filter((_, i) => folds.folds[i] === 0)).toEqual(valIds);
  });

  it("a dataset that changed since: only the run's validation ids are listed (train.py trains every id folds.csv leaves out)", () => {
    const folds = runFolds({ ...DEFAULT_RUN }, { valIds: ['id01', 'id07'] }, samples)!;
    expect(folds).toEqual({ ids: ['id01', 'id07'], folds: Int32Array.of(0, 0) });
  });
});
