/** The Explorer's sample filter: by split and by classes (any or all of the selected ones). */

export type SplitFilter = 'all' | 'train' | 'test';
export type ClassMatch = 'any' | 'all';

export interface SampleFilter {
  split: SplitFilter;
  /** selected class ids; empty means no class filter */
  classes: readonly number[];
  match: ClassMatch;
}

export const NO_FILTER: SampleFilter = { split: 'all', classes: [], match: 'any' };

export function matchesFilter(sample: { split: string; labels: readonly number[] }, f: SampleFilter): boolean {
  if (f.split !== 'all' && sample.split !== f.split) return false;
  if (!f.classes.length) return true;
  return f.match === 'all' ? f.classes.every((c) => sample.labels.includes(c)) : f.classes.some((c) => sample.labels.includes(c));
}

/** The samples passing the filter, in their original order. */
export function filterSamples<T extends { split: string; labels: readonly number[] }>(samples: readonly T[], f: SampleFilter): T[] {
  if (f.split === 'all' && !f.classes.length) return samples.slice();
  return samples.filter((s) => matchesFilter(s, f));
}

/** '1,234 of 31,072 samples' */
export function countText(shown: number, total: number): string {
  const fmt = (n: number) => n.toLocaleString('en-US');
  return `${fmt(shown)} of ${fmt(total)} sample${total === 1 ? '' : 's'}`;
}
