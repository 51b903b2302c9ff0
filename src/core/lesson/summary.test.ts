import { describe, expect, it } from 'vitest';
import { lessonCsv, lessonJson } from './report';
import { formatDuration, lessonProgress } from './progress';
import { meanGradientByEpoch, summarizeLesson } from './summary';
import type { LessonRecord, LessonRun } from './types';
import { DEFAULT_LESSON_SETTINGS, planLesson, type LessonVariantId } from './variants';
import { DEFAULT_RUN } from '../runConfig';

const C = 4; // classes 0, 1 common; 2, 3 rare
const RARE = [2, 3];

/** A finished run with given per-class F1 (at 0.5 and tuned = at 0.5 + 0.1); class 3 has no validation positives. */
function run(variant: LessonVariantId, seed: number, f1: number[], extra: Partial<LessonRun> = {}): LessonRun {
  return {
    runId: `${variant}-${seed}`,
    variant,
    seed,
    status: 'done',
    startedAt: null,
    seconds: 20,
    epochsDone: 2,
    totalEpochs: 2,
    backend: 'wasm',
    trainImages: 100,
    trainAfterSampling: 100,
    trainClassCounts: [50, 40, 6, 0],
    gradient: [],
    liveHistograms: null,
    metrics: {
      rows: 30,
      valPositives: [12, 9, 3, 0],
      f1At05: f1,
      f1Tuned: f1.map((x) => x + 0.1),
      tunedThresholds: [0.5, 0.5, 0.5, 0.5],
      histograms: [],
    },
    message: null,
    ...extra,
  };
}

describe('summarizeLesson', () => {
  // focal: rare class 2 up by 0.12 ± 0.03 over BCE (per seed +0.09, +0.15, +0.12); common class 0 moves inside its spread
  const runs = [
    run('bce', 1, [0.5, 0.4, 0.1, 0]),
    run('focal', 1, [0.55, 0.4, 0.19, 0]),
    run('bce', 2, [0.6, 0.4, 0.2, 0]),
    run('focal', 2, [0.57, 0.4, 0.35, 0]),
    run('bce', 3, [0.4, 0.4, 0.3, 0]),
    run('focal', 3, [0.41, 0.4, 0.42, 0]),
  ];
  const s = summarizeLesson(runs, ['bce', 'focal'], RARE, C);

  it('gives each class mean ± spread per variant and the paired difference with its verdict', () => {
    const c2 = s.classes[2];
    expect(c2.rare).toBe(true);
    expect(c2.valPositives).toBe(3);
    expect(c2.cells.bce!.at05.mean).toBeCloseTo(0.2, 12);
    expect(c2.cells.bce!.at05.halfRange).toBeCloseTo(0.1, 12);
    expect(c2.diffs.focal!.at05.mean).toBeCloseTo(0.12, 12);
    expect(c2.diffs.focal!.at05.halfRange).toBeCloseTo(0.03, 12);
    expect(c2.diffs.focal!.at05.verdict).toBe('higher');
    // class 0: +0.05, −0.03, +0.01 → inside the spread
    expect(s.classes[0].diffs.focal!.at05.verdict).toBe('none');
    expect(s.classes[1].diffs.focal!.at05.verdict).toBe('none'); // identical
  });

  it('leaves a class without validation positives out of every mean and says why', () => {
    expect(s.classes[3].scored).toBe(false);
    expect(s.classes[3].cells.bce!.at05.n).toBe(0);
    expect(s.groups.find((g) => g.group === 'rare')!.classes).toEqual([2]);
    expect(s.notes).toContain(`No validation positives for class 3 (${s.classes[3].name}): its F1 cannot be measured, and it is left out of every mean.`);
    expect(s.notes.some((n) => n.startsWith('No training positives for class 3'))).toBe(true);
    expect(s.notes.some((n) => n.startsWith('Fewer than 10 validation positives for classes 1 (9), 2 (3)'))).toBe(true);
  });

  it('states what this lesson found, rare classes first, at 0.5 and at tuned thresholds', () => {
    expect(s.findings[0].sentence).toBe('Focal γ=2 raised rare-class F1 by 0.120 ± 0.030 over BCE at threshold 0.5 (3 seeds).');
    // tuned = at 0.5 + 0.1 for both: the same paired differences
    expect(s.findings[1].sentence).toBe('Focal γ=2 raised rare-class F1 by 0.120 ± 0.030 over BCE at per-class thresholds tuned on validation (3 seeds).');
    const common = s.findings.find((f) => f.group === 'common' && f.threshold === 'at05')!;
    // common classes 0 and 1: per seed (+0.05 + 0)/2, (−0.03 + 0)/2, (+0.01 + 0)/2
    expect(common.verdict).toBe('none');
    expect(common.sentence).toBe(
      'Focal γ=2 vs BCE, common-class F1 at threshold 0.5: no difference beyond seed noise at this budget (+0.005 ± 0.020, 3 seeds).',
    );
  });

  it('a stopped lesson pairs the seeds both variants finished and says runs are missing', () => {
    const partial = [...runs.slice(0, 5), { ...run('focal', 3, [0, 0, 0, 0]), status: 'stopped' as const, metrics: null }];
    const p = summarizeLesson(partial, ['bce', 'focal'], RARE, C);
    expect(p.seedsDone).toEqual({ bce: [1, 2, 3], focal: [1, 2] });
    expect(p.classes[2].diffs.focal!.at05.seeds).toEqual([1, 2]);
    expect(p.classes[2].diffs.focal!.at05.mean).toBeCloseTo(0.12, 12);
    expect(p.notes).toContain('1 of 6 runs did not finish (stopped, failed or not started): the statistics use the runs that did.');
    const onlyBce = summarizeLesson([runs[0]], ['bce', 'focal'], RARE, C);
    expect(onlyBce.findings[0].sentence).toBe('Focal γ=2 vs BCE, rare-class F1 at threshold 0.5: not measured (no seed finished for both).');
    const noRare = summarizeLesson(
      runs.map((r) => ({ ...r, metrics: { ...r.metrics!, valPositives: [12, 9, 0, 0] } })),
      ['bce', 'focal'],
      RARE,
      C,
    );
    expect(noRare.findings[0].sentence).toBe(
      'Focal γ=2 vs BCE, rare-class F1 at threshold 0.5: not measured (no rare class has validation positives on this split).',
    );
  });

  it('says that upsampling also trains longer', () => {
    const up = [run('bce', 1, [0.5, 0.4, 0.1, 0]), run('bce-rare', 1, [0.5, 0.4, 0.3, 0], { trainAfterSampling: 240 })];
    expect(summarizeLesson(up, ['bce', 'bce-rare'], RARE, C).notes).toContain(
      "BCE + upsampling trains on 240 images an epoch instead of 100 (2.4×): it also takes that many more steps, so part of any difference may be the extra training rather than the rare classes' larger share.",
    );
  });

  it('says when nothing is predicted at 0.5 and the model is barely trained', () => {
    const flat = [run('bce', 1, [0, 0, 0, 0]), run('focal', 1, [0, 0, 0, 0]), run('bce', 2, [0, 0, 0, 0]), run('focal', 2, [0, 0, 0, 0])];
    const f = summarizeLesson(flat, ['bce', 'focal'], RARE, C);
    expect(f.notes.some((n) => n.startsWith('At threshold 0.5 no variant found a single positive of any class in any seed'))).toBe(true);
    expect(f.notes.some((n) => n.startsWith("Every variant's mean F1 at threshold 0.5 is under 0.05"))).toBe(true);
    expect(f.findings[0].sentence).toBe(
      'Focal γ=2 vs BCE, rare-class F1 at threshold 0.5: no difference beyond seed noise at this budget (±0.000 ± 0.000, 2 seeds).',
    );
  });

  it('exports the table as CSV and everything as JSON', () => {
    const csv = lessonCsv(s).trim().split('\n');
    expect(csv.length).toBe(1 + C + 3);
    const header = csv[0].split(',');
    const row2 = csv[3].split(',');
    expect(row2[header.indexOf('focal_minus_bce_at05_mean')]).toBe('0.12');
    expect(row2[header.indexOf('focal_minus_bce_at05_spread')]).toBe('0.03');
    expect(row2[header.indexOf('focal_minus_bce_at05_verdict')]).toBe('higher');
    expect(row2[header.indexOf('bce_at05_seeds')]).toBe('3');
    expect(csv[4].split(',')[header.indexOf('bce_at05_mean')]).toBe(''); // class 3: not measurable
    expect(csv[5].startsWith('rare classes,2,')).toBe(true);
    const lesson: LessonRecord = {
      id: 'l',
      createdAt: 0,
      datasetId: 'd',
      datasetName: 'Demo',
      settings: { ...DEFAULT_LESSON_SETTINGS, variants: ['bce', 'focal'] },
      base: DEFAULT_RUN,
      backend: 'wasm',
      status: 'done',
      message: null,
      elapsedMs: 1000,
      runs,
    };
    const json = JSON.parse(lessonJson(lesson, s)) as { findings: string[]; spread: string; classes: { cells: { bce: { at05: { mean: number | null } } } }[] };
    expect(json.findings[0]).toBe(s.findings[0].sentence);
    expect(json.spread).toMatch(/half the range/);
    expect(json.classes[3].cells.bce.at05.mean).toBeNull();
  });
});

describe('planLesson', () => {
  it('runs every variant once per seed, seed by seed, on one recipe that differs only in loss, α and sampler', () => {
    const plan = planLesson({ ...DEFAULT_RUN, plateau: { factor: 0.5, patience: 3 }, earlyStopPatience: 4 }, DEFAULT_LESSON_SETTINGS);
    expect(plan.map((p) => `${p.variant}/${p.seed}`)).toEqual([
      'bce/1',
      'focal/1',
      'focal-alpha/1',
      'bce-rare/1',
      'bce/2',
      'focal/2',
      'focal-alpha/2',
      'bce-rare/2',
      'bce/3',
      'focal/3',
      'focal-alpha/3',
      'bce-rare/3',
    ]);
    for (const p of plan) {
      expect(p.config.seed).toBe(p.seed);
      expect(p.config.inputSize).toBe(32);
      expect(p.config.model).toBe('gapnet-kaggle');
      expect(p.config.batchSize).toBe(16);
      expect(p.config.epochs).toBe(4);
      expect(p.config.plateau).toBeNull();
      expect(p.config.earlyStopPatience).toBe(0);
    }
    const strip = (c: (typeof plan)[number]['config']) => ({ ...c, loss: null, gamma: null, alpha: null, sampler: null });
    expect(new Set(plan.filter((p) => p.seed === 2).map((p) => JSON.stringify(strip(p.config)))).size).toBe(1);
    expect(plan[2].config).toMatchObject({ loss: 'focal', gamma: 2, alpha: { mode: 'inverse-frequency' }, sampler: 'none' });
    expect(plan[3].config).toMatchObject({ loss: 'bce', alpha: { mode: 'none' }, sampler: 'rare' });
    // BCE, the reference, is always trained
    expect(planLesson(DEFAULT_RUN, { ...DEFAULT_LESSON_SETTINGS, seeds: 2, variants: ['focal'] }).map((p) => p.variant)).toEqual([
      'bce',
      'focal',
      'bce',
      'focal',
    ]);
  });
});

describe('lessonProgress', () => {
  const r = (variant: LessonVariantId, status: LessonRun['status'], seconds: number | null = null) => ({ ...run(variant, 1, [0, 0, 0, 0]), status, seconds });
  it('counts runs until something can be timed, then estimates each run from its own variant', () => {
    const first = lessonProgress([r('bce', 'running'), r('focal', 'pending')], { seconds: 1, fraction: 0 });
    expect(first).toEqual({ fraction: 0, runsEnded: 0, runs: 2, secondsLeft: null });
    // the first run at its own pace: 10 s for a quarter → 40 s a run
    const paced = lessonProgress([r('bce', 'running'), r('focal', 'pending')], { seconds: 10, fraction: 0.25 });
    expect(paced.secondsLeft).toBeCloseTo(30 + 40, 9);
    const p = lessonProgress([r('bce', 'done', 20), r('bce-rare', 'done', 50), r('bce', 'running'), r('bce-rare', 'pending')], { seconds: 5, fraction: 0.5 });
    expect(p.secondsLeft).toBeCloseTo(10 + 50, 9);
    expect(p.fraction).toBeCloseTo(75 / 135, 9);
    expect(p.runsEnded).toBe(2);
    expect(lessonProgress([r('bce', 'done', 20), r('focal', 'stopped', 3)], null)).toMatchObject({ fraction: 1, secondsLeft: 0 });
    expect(formatDuration(250)).toBe('4 min 10 s');
    expect(formatDuration(45.4)).toBe('45 s');
  });
});

describe('meanGradientByEpoch', () => {
  it('averages each epoch over the seeds that reached it', () => {
    const g = (rp: number, en: number) => ({ total: 1, rarePositives: rp, commonPositives: 0.1, easyNegatives: en, hardNegatives: 0.9 - rp - en });
    const runs = [run('focal', 1, [0, 0, 0, 0], { gradient: [g(0.1, 0.5), g(0.2, 0.3)] }), run('focal', 2, [0, 0, 0, 0], { gradient: [g(0.3, 0.1)] })];
    const m = meanGradientByEpoch(runs, 'focal');
    expect(m.length).toBe(2);
    expect(m[0]).toMatchObject({ epoch: 1, runs: 2 });
    expect(m[0].rarePositives).toBeCloseTo(0.2, 12);
    expect(m[0].easyNegatives).toBeCloseTo(0.3, 12);
    expect(m[0].rest).toBeCloseTo(0.5, 12);
    expect(m[1]).toMatchObject({ epoch: 2, runs: 1 });
  });
});
