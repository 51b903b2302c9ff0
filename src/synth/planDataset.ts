/**
 * Which samples a synthetic dataset holds: ids and label sets, before any pixel is drawn.
 * Label sets are drawn from the real train.csv's distinct sets in proportion to their counts, so class
 * frequencies and co-occurrences match the real data (up to sampling noise).
 */
import { LABEL_SETS } from './labelSets';
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
}

const cumulative: number[] = [];
let total = 0;
for (const [, n] of LABEL_SETS) cumulative.push((total += n));

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

/** Ids and labels of every train and test sample; each split is sorted by id like the real train.csv. */
export function planDataset(opts: SynthOptions): DatasetPlan {
  checkSynthOptions(opts);
  const rng = new Random(hashSeed('plan', opts.seed));
  const seen = new Set<string>();
  const draw = (n: number): PlannedSample[] => {
    const out: PlannedSample[] = [];
    for (let i = 0; i < n; i++) {
      let id = drawId(rng);
      while (seen.has(id)) id = drawId(rng);
      seen.add(id);
      out.push({ id, labels: drawLabelSet(rng, opts.capDominant) });
    }
    return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  };
  const train = draw(opts.train);
  const test = draw(opts.test);
  return { train, test };
}
