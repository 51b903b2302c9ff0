import { describe, expect, it } from 'vitest';
import { predictionBytes, predictionKey, type PredictionRecord, type PredictResult } from '../../core/predictionResult';
import { predictionOutputs, storedSubmission } from './predictionOutputs';

const C = 28;
function rng(seed: number) {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}
const ids = (p: string, n: number) => Array.from({ length: n }, (_, i) => `${p}${i}`);

function member(runId: string, testIds: string[], valIds: string[], seed: number) {
  const r = rng(seed);
  const valTruth = Uint8Array.from({ length: valIds.length * C }, () => (r() < 0.2 ? 1 : 0));
  const valProbs = Float32Array.from(valTruth, (t) => (t ? 0.3 + r() * 0.7 : r() * 0.5));
  return {
    runId,
    name: `run ${runId}`,
    checkpoint: 'best' as const,
    epoch: 1,
    testProbs: Float32Array.from({ length: testIds.length * C }, () => r()),
    valIds,
    valProbs,
    valTruth,
    packagedThresholds: null,
  };
}

function prediction(): PredictResult {
  const testIds = ids('t', 30);
  const valIds = ids('v', 40);
  return {
    jobId: 'j',
    datasetId: 'd',
    testIds,
    members: [member('a', testIds, valIds, 1), member('b', testIds, valIds, 2)],
    backend: 'wasm',
    seconds: 1.5,
    images: 140,
  };
}
const facts = (p: PredictResult) => ({ testIds: [...p.testIds].reverse(), testTruth: null, rates: new Array<number>(C).fill(0.1) });

describe('a stored prediction', () => {
  it('rebuilds the same submission, byte for byte, with the same thresholds, from its structured clone (what IndexedDB gives back)', () => {
    for (const choice of [
      { method: 'mean' as const, mode: 'per-class' as const, atLeastOne: true },
      { method: 'vote' as const, mode: 'global' as const, atLeastOne: false },
      { method: 'mean' as const, mode: 'proportion' as const, atLeastOne: false },
    ]) {
      const p = prediction();
      const out = predictionOutputs(p, null, facts(p), choice);
      const kept = storedSubmission(p, out, choice)!;
      expect(kept.text).toBe(out.submission!.text);
      expect(kept.thresholds).toHaveLength(choice.method === 'vote' ? 2 : 1);
      const record: PredictionRecord = structuredClone({
        id: predictionKey(p.datasetId, ['b', 'a']),
        datasetId: p.datasetId,
        runIds: ['a', 'b'],
        createdAt: 1,
        result: p,
        submission: kept,
      });
      expect(record.result.members[0].testProbs).toBeInstanceOf(Float32Array);
      const again = predictionOutputs(record.result, null, facts(record.result), record.submission!.choice);
      expect(again.submission!.text).toBe(record.submission!.text);
      expect(storedSubmission(record.result, again, record.submission!.choice)!.thresholds).toEqual(record.submission!.thresholds);
    }
  });

  it('is one per dataset and set of runs, whatever order they were ticked in', () => {
    expect(predictionKey('d', ['b', 'a'])).toBe(predictionKey('d', ['a', 'b']));
    expect(predictionKey('d', ['a'])).not.toBe(predictionKey('e', ['a']));
    expect(predictionKey('d', ['a'])).not.toBe(predictionKey('d', ['a', 'b']));
  });

  it('says its size: the full Kaggle test set is about 1.3 MB of probabilities per run', () => {
    // Kaggle's ids are 36 characters (a UUID)
    const testIds = Array.from({ length: 11_702 }, (_, i) => String(i).padStart(36, '0'));
    const one: PredictResult = {
      jobId: 'j',
      datasetId: 'd',
      testIds,
      members: [{ ...member('a', [], [], 1), testProbs: new Float32Array(11_702 * C), valIds: [], valProbs: null, valTruth: null }],
      backend: 'wasm',
      seconds: 1,
      images: 11_702,
    };
    expect(predictionBytes(one) / 1e6).toBeCloseTo((11_702 * C * 4) / 1e6 + (11_702 * 36) / 1e6, 6);
    expect((11_702 * C * 4) / 1e6).toBeCloseTo(1.31, 2);
  });
});
