/**
 * Per-class F1 difference b − a of two runs, and its mean on the rare classes (the literature's
 * rare ones plus the others under 1 % train prevalence, see evaluation/rarity.ts) versus the rest.
 */
import { className } from '../../core/labels';
import { rarity, type Rarity } from '../evaluation/rarity';

export interface DiffBar {
  cls: number;
  name: string;
  a: number;
  b: number;
  /** b − a (NaN when either is missing) */
  diff: number;
  rarity: Rarity;
}

export interface DiffSummary {
  /** mean of b − a over the rare / under-1 % classes that have both values */
  rareMean: number;
  rareCount: number;
  commonMean: number;
  commonCount: number;
}

export function perClassDiff(a: readonly number[], b: readonly number[]): DiffBar[] {
  const n = Math.max(a.length, b.length);
  return Array.from({ length: n }, (_, c) => {
    const va = a[c] ?? NaN,
      vb = b[c] ?? NaN;
    return { cls: c, name: className(c), a: va, b: vb, diff: vb - va, rarity: rarity(c) };
  });
}

export function summarizeDiff(bars: readonly DiffBar[]): DiffSummary {
  let rs = 0,
    rn = 0,
    cs = 0,
    cn = 0;
  for (const d of bars) {
    if (Number.isNaN(d.diff)) continue;
    if (d.rarity === 'common') {
      cs += d.diff;
      cn++;
    } else {
      rs += d.diff;
      rn++;
    }
  }
  return { rareMean: rn ? rs / rn : NaN, rareCount: rn, commonMean: cn ? cs / cn : NaN, commonCount: cn };
}

const signed = (x: number) => `${x > 0 ? '+' : x < 0 ? '−' : '±'}${Math.abs(x).toFixed(3)}`;

/** A one-sentence classroom summary, e.g. "On the 7 rare classes, B scores +0.120 F1 on average over A; on the 21 common classes, −0.004." */
export function diffSentence(s: DiffSummary, aName: string, bName: string): string {
  if (!s.rareCount && !s.commonCount) return `${aName} and ${bName} share no per-class F1 to compare.`;
  const rare = s.rareCount
    ? `On the ${s.rareCount} rare classes (under 1 % of images), ${bName} − ${aName} averages ${signed(s.rareMean)} F1`
    : 'No rare class has scores in both runs';
  const common = s.commonCount ? `on the ${s.commonCount} common classes, ${signed(s.commonMean)}` : 'no common class has scores in both runs';
  return `${rare}; ${common}.`;
}
