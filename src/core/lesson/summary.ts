/**
 * The loss lesson's results over seeds: per class and for the rare and common classes, each
 * variant's F1 as mean ± spread over its seeds, and each variant's paired difference from the
 * reference (BCE) with its verdict (stats.ts defines spread and when a difference is called one);
 * the sentences that say what this lesson found, and the notes that say why a number is poor or
 * missing. Only runs that finished count; a class is scored only where the validation rows hold
 * positives of it.
 */
import { className } from '../labels';
import { findingSentence, pairedDifference, seedSpread, type PairedDifference, type Spread, type Verdict } from './stats';
import type { LessonRun } from './types';
import { lessonVariant, REFERENCE_VARIANT, type LessonVariantId } from './variants';

export type ThresholdChoice = 'at05' | 'tuned';
export const THRESHOLD_CHOICES: readonly ThresholdChoice[] = ['at05', 'tuned'];
export const THRESHOLD_WORDS: Record<ThresholdChoice, string> = {
  at05: 'at threshold 0.5',
  tuned: 'at per-class thresholds tuned on validation',
};

/** Fewer validation positives than this and a class's F1 moves a lot with each image. */
export const FEW_VALIDATION_POSITIVES = 10;

export type GroupId = 'rare' | 'common' | 'all';
export const GROUP_WORDS: Record<GroupId, string> = { rare: 'rare-class F1', common: 'common-class F1', all: 'mean F1 over all scored classes' };

export interface Cell {
  at05: Spread;
  tuned: Spread;
}

export interface DiffCell {
  at05: PairedDifference;
  tuned: PairedDifference;
}

export interface ClassRow {
  cls: number;
  name: string;
  rare: boolean;
  /** validation positives (the split is the same for every run); null before any run finished */
  valPositives: number | null;
  /** training positives (before the sampler), when known */
  trainPositives: number | null;
  /** F1 can be measured: the validation rows hold positives of the class */
  scored: boolean;
  cells: Partial<Record<LessonVariantId, Cell>>;
  diffs: Partial<Record<LessonVariantId, DiffCell>>;
}

export interface GroupRow {
  group: GroupId;
  /** the scored classes of the group */
  classes: number[];
  cells: Partial<Record<LessonVariantId, Cell>>;
  diffs: Partial<Record<LessonVariantId, DiffCell>>;
}

export interface Finding {
  variant: LessonVariantId;
  group: GroupId;
  threshold: ThresholdChoice;
  verdict: Verdict;
  sentence: string;
}

export interface LessonSummary {
  variants: LessonVariantId[];
  /** per variant, the seeds whose run finished */
  seedsDone: Partial<Record<LessonVariantId, number[]>>;
  classes: ClassRow[];
  groups: GroupRow[];
  /** rare-class findings first (each variant at 0.5, then tuned), then common and all */
  findings: Finding[];
  notes: string[];
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : NaN);

/** Summarises the finished runs of a lesson. `rareClasses` are the classes the studio marks rare (ui/evaluation/rarity.ts). */
export function summarizeLesson(
  runs: readonly LessonRun[],
  variants: readonly LessonVariantId[],
  rareClasses: readonly number[],
  numClasses: number,
): LessonSummary {
  const done = runs.filter((r) => r.status === 'done' && r.metrics);
  const rareSet = new Set(rareClasses);
  const byVariant = new Map<LessonVariantId, LessonRun[]>(variants.map((v) => [v, done.filter((r) => r.variant === v).sort((a, b) => a.seed - b.seed)]));
  const first = done[0];
  const trainCounts = runs.find((r) => r.trainClassCounts)?.trainClassCounts ?? null;

  // per run and class: F1 where the run's validation rows hold positives, else NaN
  const value = (r: LessonRun, c: number, t: ThresholdChoice) =>
    r.metrics!.valPositives[c] > 0 ? (t === 'at05' ? r.metrics!.f1At05[c] : r.metrics!.f1Tuned[c]) : NaN;
  const perSeed = (v: LessonVariantId, f: (r: LessonRun) => number) => new Map<number, number>((byVariant.get(v) ?? []).map((r) => [r.seed, f(r)]));
  const cellsOf = (f: (r: LessonRun, t: ThresholdChoice) => number) => {
    const cells: Partial<Record<LessonVariantId, Cell>> = {};
    const diffs: Partial<Record<LessonVariantId, DiffCell>> = {};
    for (const v of variants) {
      const rs = byVariant.get(v) ?? [];
      cells[v] = { at05: seedSpread(rs.map((r) => f(r, 'at05'))), tuned: seedSpread(rs.map((r) => f(r, 'tuned'))) };
    }
    for (const v of variants) {
      if (v === REFERENCE_VARIANT || !variants.includes(REFERENCE_VARIANT)) continue;
      diffs[v] = {
        at05: pairedDifference(
          perSeed(REFERENCE_VARIANT, (r) => f(r, 'at05')),
          perSeed(v, (r) => f(r, 'at05')),
        ),
        tuned: pairedDifference(
          perSeed(REFERENCE_VARIANT, (r) => f(r, 'tuned')),
          perSeed(v, (r) => f(r, 'tuned')),
        ),
      };
    }
    return { cells, diffs };
  };

  const classes: ClassRow[] = Array.from({ length: numClasses }, (_, c) => {
    const valPositives = first ? first.metrics!.valPositives[c] : null;
    return {
      cls: c,
      name: className(c),
      rare: rareSet.has(c),
      valPositives,
      trainPositives: trainCounts ? trainCounts[c] : null,
      scored: (valPositives ?? 0) > 0,
      ...cellsOf((r, t) => value(r, c, t)),
    };
  });

  const scored = classes.filter((r) => r.scored).map((r) => r.cls);
  const groupClasses: Record<GroupId, number[]> = {
    rare: scored.filter((c) => rareSet.has(c)),
    common: scored.filter((c) => !rareSet.has(c)),
    all: scored,
  };
  const groups: GroupRow[] = (['rare', 'common', 'all'] as const).map((g) => ({
    group: g,
    classes: groupClasses[g],
    ...cellsOf((r, t) => mean(groupClasses[g].map((c) => value(r, c, t)).filter((x) => Number.isFinite(x)))),
  }));

  const findings: Finding[] = [];
  for (const g of ['rare', 'common', 'all'] as const) {
    const row = groups.find((x) => x.group === g)!;
    for (const t of THRESHOLD_CHOICES) {
      for (const v of variants) {
        const d = row.diffs[v]?.[t];
        if (!d) continue;
        const subject = {
          variant: lessonVariant(v).label,
          reference: lessonVariant(REFERENCE_VARIANT).label,
          quantity: GROUP_WORDS[g],
          condition: THRESHOLD_WORDS[t],
          unmeasured: !first
            ? 'no run has finished yet'
            : !row.classes.length
              ? `no ${g === 'all' ? '' : `${g} `}class has validation positives on this split`
              : 'no seed finished for both',
        };
        findings.push({ variant: v, group: g, threshold: t, verdict: d.verdict, sentence: findingSentence(subject, d) });
      }
    }
  }

  const seedsDone: Partial<Record<LessonVariantId, number[]>> = {};
  for (const v of variants) seedsDone[v] = (byVariant.get(v) ?? []).map((r) => r.seed);
  const summary: LessonSummary = { variants: [...variants], seedsDone, classes, groups, findings, notes: [] };
  summary.notes = lessonNotes(summary, runs);
  return summary;
}

const classList = (cs: readonly ClassRow[]) => cs.map((r) => `${r.cls} (${r.name})`).join(', ');

/**
 * Why results are poor or missing, in sentences: classes without validation positives (their F1
 * cannot be measured), with few of them, without training positives; classes no variant predicts
 * at 0.5; a model barely trained at this budget; seeds that did not finish.
 */
export function lessonNotes(s: LessonSummary, runs: readonly LessonRun[]): string[] {
  const notes: string[] = [];
  const anyDone = s.classes.some((r) => r.valPositives !== null);
  if (!anyDone) return runs.length ? ['No run has finished yet: the tables fill in as runs finish.'] : [];
  const unscored = s.classes.filter((r) => !r.scored);
  if (unscored.length === 1)
    notes.push(`No validation positives for class ${unscored[0].cls} (${unscored[0].name}): its F1 cannot be measured, and it is left out of every mean.`);
  else if (unscored.length > 1)
    notes.push(`No validation positives for classes ${classList(unscored)}: their F1 cannot be measured, and they are left out of every mean.`);
  const noTrain = s.classes.filter((r) => r.trainPositives === 0);
  if (noTrain.length)
    notes.push(
      `No training positives for ${noTrain.length === 1 ? 'class' : 'classes'} ${classList(noTrain)}: no loss or sampler can teach the model what it never sees.`,
    );
  const few = s.classes.filter((r) => r.scored && (r.valPositives ?? 0) < FEW_VALIDATION_POSITIVES);
  if (few.length)
    notes.push(
      `Fewer than ${FEW_VALIDATION_POSITIVES} validation positives for ${few.length === 1 ? 'class' : 'classes'} ${few.map((r) => `${r.cls} (${r.valPositives})`).join(', ')}: one image more or less found moves such a class's F1 by 0.1 or more, so its numbers are noisy.`,
    );
  const neverAt05 = s.classes.filter((r) => r.scored && s.variants.every((v) => (r.cells[v]?.at05.n ?? 0) > 0 && r.cells[v]!.at05.max === 0));
  if (neverAt05.length)
    notes.push(
      `At threshold 0.5 no variant found a single positive of ${neverAt05.length === s.classes.filter((r) => r.scored).length ? 'any class' : `${neverAt05.length === 1 ? 'class' : 'classes'} ${neverAt05.map((r) => r.cls).join(', ')}`} in any seed: the model does not yet give ${neverAt05.length === 1 ? 'it' : 'them'} p > 0.5 at this budget. The tuned-threshold columns show whether it ranks ${neverAt05.length === 1 ? 'its' : 'their'} positives above the negatives at all.`,
    );
  const all = s.groups.find((g) => g.group === 'all')!;
  const best = Math.max(...s.variants.map((v) => all.cells[v]?.at05.mean ?? NaN).filter((x) => Number.isFinite(x)));
  if (Number.isFinite(best) && best < 0.05)
    notes.push(
      `Every variant's mean F1 at threshold 0.5 is under 0.05: at this budget the model is barely trained, so few differences between losses can rise above seed noise there. More epochs or a larger input size give it more to show.`,
    );
  const up = runs.find((r) => r.variant === 'bce-rare' && r.trainImages && r.trainAfterSampling && r.trainAfterSampling > r.trainImages);
  if (up && s.variants.includes('bce-rare'))
    notes.push(
      `${lessonVariant('bce-rare').label} trains on ${up.trainAfterSampling!.toLocaleString('en-US')} images an epoch instead of ${up.trainImages!.toLocaleString('en-US')} (${(up.trainAfterSampling! / up.trainImages!).toFixed(1)}×): it also takes that many more steps, so part of any difference may be the extra training rather than the rare classes' larger share.`,
    );
  const seedCounts = s.variants.map((v) => s.seedsDone[v]?.length ?? 0);
  if (Math.min(...seedCounts) < 2) notes.push('Fewer than two seeds finished for some variant: without a spread over seeds no difference can be called one.');
  const notDone = runs.filter((r) => r.status !== 'done');
  if (notDone.length)
    notes.push(`${notDone.length} of ${runs.length} runs did not finish (stopped, failed or not started): the statistics use the runs that did.`);
  return notes;
}

/** The mean of each group's gradient shares per epoch over the finished and running runs of a variant (for the chart). */
export function meanGradientByEpoch(runs: readonly LessonRun[], variant: LessonVariantId) {
  const rs = runs.filter((r) => r.variant === variant && r.gradient.length > 0);
  const epochs = Math.max(0, ...rs.map((r) => r.gradient.length));
  return Array.from({ length: epochs }, (_, e) => {
    const at = rs.map((r) => r.gradient[e]).filter((g) => g !== undefined);
    return {
      epoch: e + 1,
      runs: at.length,
      rarePositives: mean(at.map((g) => g.rarePositives)),
      easyNegatives: mean(at.map((g) => g.easyNegatives)),
      rest: mean(at.map((g) => g.commonPositives + g.hardNegatives)),
    };
  });
}
