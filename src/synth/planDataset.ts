/**
 * Which samples a synthetic dataset holds: ids and label sets, before any pixel is drawn.
 * Label sets are drawn from the real train.csv's distinct sets in proportion to their counts, so class
 * frequencies and co-occurrences match the real data (up to sampling noise). The teaching demo's
 * `minPerClass` draws rare sets more often instead, so that every class has samples enough to be
 * learnt and scored; its sets still all come from the real train.csv.
 */
import { LABEL_SETS } from './labelSets';
import { NUM_CLASSES } from '../core/labels';
import { hashSeed, Random } from './random';

export interface SynthOptions {
  /** train samples */
  train: number;
  /** test samples */
  test: number;
  /** side of the square images in pixels, 16..512 */
  size: number;
  /** any integer; the same seed and options give the same dataset, byte for byte */
  seed: number;
  /**
   * Tame the dominant classes for small demo sets: a drawn label set that contains class 0
   * (Nucleoplasm) or class 25 (Cytosol) is kept with probability 1/4 and otherwise redrawn; every
   * other set is always kept. Real prevalence 41.5 % (class 0) and 26.5 % (class 25) becomes about
   * 17.9 % and 11.5 %; the other classes rise by the same factor (1.33 to 1.5×), and every set still
   * comes from the real train.csv.
   */
  capDominant?: boolean;
  /**
   * Teaching demo: every class appears in at least this many train samples, and in at least this
   * share of the test samples (⌈minPerClass · test / train⌉; minPerClass when train is 0). While some class
   * is short of its minimum, the next sample's set is drawn among the real sets that carry the class with the
   * fewest samples so far (on a tie, the one rarer in the real data), in proportion to their real
   * counts; once every class has its minimum, sets are drawn as without this option. A split too small
   * for the minimum comes out as even as this greedy draw makes it (classCounts shows what it got).
   * Rare label sets are thus far more frequent than in the real data, and every set is a real one.
   * 0 or absent: the real distribution.
   */
  minPerClass?: number;
  /** Teaching demo: cleaner images that a small model learns within minutes (renderSample's `teaching`). */
  teaching?: boolean;
}

export interface PlannedSample {
  id: string;
  /** ascending class ids, never empty */
  labels: number[];
}

export interface DatasetPlan {
  train: PlannedSample[];
  test: PlannedSample[];
}

export const MIN_SIZE = 16;
export const MAX_SIZE = 512;
/** Probability of keeping a set with class 0 or 25 when capDominant is on. */
export const CAP_DOMINANT_KEEP = 0.25;
const DOMINANT = [0, 25];

/** Throws a RangeError naming the first invalid option. */
export function checkSynthOptions(opts: SynthOptions): void {
  const count = (name: 'train' | 'test') => {
    const v = opts[name];
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`${name} must be a whole number ≥ 0, got ${v}`);
  };
  count('train');
  count('test');
  if (!Number.isInteger(opts.size) || opts.size < MIN_SIZE || opts.size > MAX_SIZE) {
    throw new RangeError(`size must be a whole number from ${MIN_SIZE} to ${MAX_SIZE}, got ${opts.size}`);
  }
  if (!Number.isSafeInteger(opts.seed)) throw new RangeError(`seed must be an integer, got ${opts.seed}`);
  const m = opts.minPerClass;
  if (m !== undefined && !(Number.isInteger(m) && m >= 0)) throw new RangeError(`minPerClass must be a whole number ≥ 0, got ${m}`);
}

const cumulative: number[] = [];
let total = 0;
for (const [, n] of LABEL_SETS) cumulative.push((total += n));

/** For each class, the indices of the real sets that carry it and their cumulative counts. */
const setsByClass: { index: number[]; cumulative: number[] }[] = [];
/** Each class's number of images in the real train.csv, for breaking ties rarest first. */
const realCount: number[] = [];
LABEL_SETS.forEach(([labels, n], i) => {
  for (const c of labels) {
    const s = (setsByClass[c] ??= { index: [], cumulative: [] });
    s.cumulative.push((s.cumulative.at(-1) ?? 0) + n);
    s.index.push(i);
    realCount[c] = (realCount[c] ?? 0) + n;
  }
});

/** A real label set carrying class `c`, drawn in proportion to its real count. */
export function drawLabelSetWith(rng: Random, c: number): number[] {
  const { index, cumulative } = setsByClass[c];
  const x = rng.next() * cumulative[cumulative.length - 1];
  let i = 0;
  while (cumulative[i] <= x) i++;
  return [...LABEL_SETS[index[i]][0]];
}

/** One label set drawn in proportion to its real count. */
export function drawLabelSet(rng: Random, capDominant = false): number[] {
  for (;;) {
    const x = rng.next() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] > x) hi = mid;
      else lo = mid + 1;
    }
    const labels = LABEL_SETS[lo][0];
    if (capDominant && labels.some((c) => DOMINANT.includes(c)) && !rng.chance(CAP_DOMINANT_KEEP)) continue;
    return [...labels];
  }
}

function hex(n: number, digits: number): string {
  return n
    .toString(16)
    .padStart(8, '0')
    .slice(8 - digits);
}

/** A UUID-shaped id (8-4-4-4-12 lowercase hex) like the real ones. */
export function drawId(rng: Random): string {
  const w = [rng.u32(), rng.u32(), rng.u32(), rng.u32(), rng.u32()];
  return `${hex(w[0], 8)}-${hex(w[1], 4)}-${hex(w[1] >>> 16, 4)}-${hex(w[2], 4)}-${hex(w[3], 4)}${hex(w[4], 8)}`;
}

/** Samples per class of a list of samples (index = class id). */
export function classCounts(samples: readonly { labels: readonly number[] }[]): number[] {
  const counts = new Array<number>(NUM_CLASSES).fill(0);
  for (const s of samples) for (const c of s.labels) counts[c]++;
  return counts;
}

/** The minimum per class planDataset aims at in each split (0: none). */
export function minPerClassOf(opts: SynthOptions): { train: number; test: number } {
  const min = opts.minPerClass ?? 0;
  return { train: min, test: opts.train > 0 ? Math.ceil((min * opts.test) / opts.train) : min };
}

/** Ids and labels of every train and test sample; each split is sorted by id like the real train.csv. */
export function planDataset(opts: SynthOptions): DatasetPlan {
  checkSynthOptions(opts);
  const rng = new Random(hashSeed('plan', opts.seed));
  const seen = new Set<string>();
  const draw = (n: number, min: number): PlannedSample[] => {
    const out: PlannedSample[] = [];
    const counts = new Array<number>(NUM_CLASSES).fill(0);
    for (let i = 0; i < n; i++) {
      let id = drawId(rng);
      while (seen.has(id)) id = drawId(rng);
      seen.add(id);
      // the class furthest below the minimum, rarest in the real data on a tie
      let short = -1;
      for (let c = 0; c < NUM_CLASSES && min > 0; c++) {
        if (counts[c] < min && (short < 0 || counts[c] < counts[short] || (counts[c] === counts[short] && realCount[c] < realCount[short]))) short = c;
      }
      const labels = short >= 0 ? drawLabelSetWith(rng, short) : drawLabelSet(rng, opts.capDominant);
      for (const c of labels) counts[c]++;
      out.push({ id, labels });
    }
    return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  };
  const min = minPerClassOf(opts);
  const train = draw(opts.train, min.train);
  const test = draw(opts.test, min.test);
  return { train, test };
}
