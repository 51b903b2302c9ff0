/** A lesson run's scores from its validation predictions: per-class F1 at 0.5 and at tuned thresholds, positives, histograms. */
import { countsAtThresholds, f1Report } from '../metrics';
import { chooseThresholds } from '../thresholds';
import { classHistogram } from './gradientShare';
import type { LessonRunMetrics } from './types';

export function lessonRunMetrics(probs: Float32Array, truth: Uint8Array, numClasses: number, rareClasses: readonly number[]): LessonRunMetrics {
  const rows = truth.length / numClasses;
  const valPositives = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < truth.length; i++) if (truth[i]) valPositives[i % numClasses]++;
  const at05 = f1Report(countsAtThresholds(truth, probs, 0.5, numClasses), 'zero');
  const tuned = chooseThresholds(truth, probs, 'per-class', { numClasses, fallback: 0.5 });
  return {
    rows,
    valPositives,
    f1At05: at05.perClass.map((c) => c.f1),
    f1Tuned: tuned.report.perClass.map((c) => c.f1),
    tunedThresholds: Array.from(tuned.thresholds),
    histograms: rareClasses.map((c) => classHistogram(probs, truth, numClasses, c)),
  };
}
