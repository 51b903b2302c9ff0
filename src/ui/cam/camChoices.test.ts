import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../data/catalog';
import { camFileName, camRuns, chooseCamRun, predictedMark, probabilityRows, sortProbabilityRows, topClass } from './camChoices';

const run = (id: string, o: Partial<RunRecord>): RunRecord =>
  ({ id, name: id, datasetId: 'd', createdAt: 0, checkpointEpoch: 0, bestEpoch: null, ...o }) as RunRecord;

describe('camRuns and chooseCamRun', () => {
  const runs = [
    run('old', { createdAt: 1, checkpointEpoch: 2, bestEpoch: 2 }),
    run('imported', { createdAt: 3, bestEpoch: 0 }),
    run('report', { createdAt: 4 }), // an imported report: curves, no weights
    run('other', { createdAt: 5, datasetId: 'e', checkpointEpoch: 1 }),
    run('new', { createdAt: 2, checkpointEpoch: 1 }),
  ];
  const eligible = camRuns(runs, 'd');
  it("lists the dataset's runs with stored weights, newest first", () => {
    expect(eligible.map((r) => r.id)).toEqual(['imported', 'new', 'old']);
  });
  it('takes the picked run, else the one asked for, else the prediction’s, else the newest; never one without weights', () => {
    expect(chooseCamRun(eligible, 'old', 'new', 'imported')).toBe('old');
    expect(chooseCamRun(eligible, null, 'new', 'imported')).toBe('new');
    expect(chooseCamRun(eligible, null, undefined, 'old')).toBe('old');
    expect(chooseCamRun(eligible, null, 'report', 'other')).toBe('imported');
    expect(chooseCamRun([], null, 'x')).toBeNull();
  });
});

describe('probability rows', () => {
  const probs = Float32Array.from({ length: 28 }, (_, c) => (c === 3 ? 0.9 : c === 7 ? 0.4 : c / 100));
  it('marks the predicted labels against the thresholds in force (0.5 where none) and the true labels', () => {
    const t = new Array(28).fill(0.5);
    t[7] = 0.35;
    const rows = probabilityRows(probs, t, [7, 20]);
    expect(rows).toHaveLength(28);
    expect(rows.filter((r) => r.predicted).map((r) => r.cls)).toEqual([3, 7]);
    expect(rows.filter((r) => r.truth).map((r) => r.cls)).toEqual([7, 20]);
    expect(
      probabilityRows(probs, null, [])
        .filter((r) => r.predicted)
        .map((r) => r.cls),
    ).toEqual([3]);
    expect(rows[27].name).toBe('Rods & rings');
    expect(() => probabilityRows(new Float32Array(5), null, [])).toThrow(/expected 28/);
  });
  it('sorts by probability (highest first) or by class', () => {
    const rows = probabilityRows(probs, null, []);
    expect(
      sortProbabilityRows(rows, 'prob')
        .map((r) => r.cls)
        .slice(0, 4),
    ).toEqual([3, 7, 27, 26]);
    expect(sortProbabilityRows(rows, 'class').map((r) => r.cls)).toEqual(Array.from({ length: 28 }, (_, c) => c));
    expect(topClass(probs)).toBe(3);
    expect(topClass(null)).toBe(-1);
  });
});

describe('camFileName', () => {
  it('is <sampleId>_<className>_<stage>_<run>_cam.png with file-safe characters', () => {
    expect(camFileName('00070df0-bbc3-11e8-b2bc-ac1f6b6435d0', 0, 'conv8', 'run 2')).toBe(
      '00070df0-bbc3-11e8-b2bc-ac1f6b6435d0_Nucleoplasm_conv8_run_2_cam.png',
    );
    expect(camFileName('demo_0001', 27, 'out_relu', 'run 1 · mobilenetv2 96px')).toBe('demo_0001_Rods_rings_out_relu_run_1_mobilenetv2_96px_cam.png');
    expect(camFileName('a/b c', 3, 'pool1', 'x')).toBe('a_b_c_Nucleoli_fibrillar_center_pool1_x_cam.png');
  });
});

describe('predictedMark', () => {
  it('tells a false positive and a false negative in words, not only by colour', () => {
    expect(predictedMark({ predicted: true, truth: true })).toBe('✓');
    expect(predictedMark({ predicted: true, truth: false })).toBe('✓ (extra)');
    expect(predictedMark({ predicted: false, truth: true })).toBe('missed');
    expect(predictedMark({ predicted: false, truth: false })).toBe('');
  });
});
