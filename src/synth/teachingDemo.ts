/**
 * The teaching demo: a synthetic set on which the studio's quick-demo recipe learns every class
 * within minutes, beside the realistic demo (whose rare classes have too few samples, and whose
 * patterns are too faint at 64 px, for any F1 to show in a short run). Two changes, both opt-in:
 *
 * - label sets drawn so that every class has at least TEACHING_MIN_PER_CLASS samples
 *   (planDataset's minPerClass; still only real label sets), so a 20 % hold-out keeps about 12
 *   positives of each;
 * - cleaner images (renderSample's teaching mode): fewer, larger cells, full-strength patterns,
 *   little noise.
 *
 * docs/teaching-demo.md has the measured figures.
 */
import type { SynthOptions } from './planDataset';

/** Samples of every class in each split of the teaching demo (the train split's 20 % hold-out keeps ~12). */
export const TEACHING_MIN_PER_CLASS = 60;

/** The teaching demo's default size: training fits 3 minutes on 2 CPU cores (docs/teaching-demo.md). */
export const TEACHING_DEMO = { train: 1200, test: 300, size: 64, seed: 1 } as const;

/** Fewer validation positives than this and a class's F1 says little (one sample moves it by 0.05 or more). */
export const MIN_VALIDATION_POSITIVES = 10;

/** The generator's options for a demo set: the teaching demo's, or the realistic demo's (dominant classes capped). */
export function demoSynthOptions(demo: { train: number; test: number; size: number; seed: number; teaching?: boolean }): SynthOptions {
  const { train, test, size, seed } = demo;
  return demo.teaching
    ? { train, test, size, seed, capDominant: true, teaching: true, minPerClass: TEACHING_MIN_PER_CLASS }
    : { train, test, size, seed, capDominant: true };
}

/**
 * The classes whose expected positives in a stratified hold-out of `fraction` of the train split
 * stay under MIN_VALIDATION_POSITIVES (a stratified split keeps about fraction × count of each).
 */
export function classesTooRareToScore(trainCounts: readonly number[], fraction = 0.2): number[] {
  const out: number[] = [];
  trainCounts.forEach((n, c) => {
    if (n * fraction < MIN_VALIDATION_POSITIVES) out.push(c);
  });
  return out;
}
