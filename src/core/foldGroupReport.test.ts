// The group report's files: what a user opens (CSV columns, the markdown table) holds the group evaluation's numbers.
import { describe, expect, it } from 'vitest';
import { parseProbsCsv } from './csv';
import { evaluateGroup, groupComparison, type FoldPredictions } from './foldGroup';
import { groupReportFiles } from './foldGroupReport';
import type { EpochLogs } from './train/logs';

const C = 3;

function fold(k: number, ids: string[], seed: number): FoldPredictions {
  let s = seed;
  const rnd = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const valTruth = Uint8Array.from({ length: ids.length * C }, (_, i) => (i % C === (i / C + k) % C || rnd() < 0.2 ? 1 : 0));
  const valProbs = Float32Array.from(valTruth, (y) => 0.5 * y + 0.45 * rnd());
  return { fold: k, name: `fold ${k}, "seed 1"`, valIds: ids, valProbs, valTruth };
}

const epoch = (e: number, f1: number): EpochLogs => ({
  epoch: e,
  phase: 0,
  phaseName: 'bce',
  loss: 0.5 / e,
  valLoss: 0.6 / e,
  valMacroF1: f1,
  valPerClassF1: [f1, f1 / 2, 0],
  learningRate: 1e-3,
  trainImages: 20,
  imagesPerSecond: 10,
  seconds: 2,
});

describe('fold group report', () => {
  it('writes config, histories, OOF probabilities and per-class scores, thresholds with their spread, and the comparison', () => {
    const folds = [0, 1, 2].map((k) =>
      fold(
        k,
        Array.from({ length: 30 }, (_, i) => `f${k}-${i}`),
        7 + k,
      ),
    );
    const ev = evaluateGroup(folds, { numClasses: C });
    const rows = groupComparison(folds, ev);
    const files = groupReportFiles({
      name: 'K-fold group',
      config: { folds: 3, seed: 1 },
      folds: folds.map((f) => ({ fold: f.fold, name: f.name, history: [epoch(1, 0.3), epoch(2, 0.4)] })),
      evaluation: ev,
      comparison: rows,
      chosen: 'mean-global',
      classNames: ['Nucleoplasm', 'Cytosol, "x"', 'Golgi'],
    });
    const file = (p: string) => files.find((f) => f.path === p)!.text;
    expect(files.map((f) => f.path)).toEqual([
      'config.json',
      'histories.csv',
      'oof_probs.csv',
      'oof-per-class.csv',
      'thresholds.csv',
      'thresholds-crossfit.csv',
      'comparison.csv',
      'comparison.md',
      'report.md',
    ]);
    expect(JSON.parse(file('config.json'))).toEqual({ folds: 3, seed: 1 });

    const hist = file('histories.csv').trimEnd().split('\n');
    expect(hist[0]).toBe('fold,epoch,phase,phaseName,loss,valLoss,valMacroF1,learningRate,trainImages,imagesPerSecond,seconds,valF1_0,valF1_1,valF1_2');
    expect(hist).toHaveLength(1 + 3 * 2);
    expect(hist[6]).toBe('2,2,0,bce,0.25,0.3,0.4,0.001,20,10,2,0.4,0.2,0');

    // oof_probs.csv: the fold column, and without it a probabilities CSV that parses back to the same float32 values
    const oof = file('oof_probs.csv').trimEnd().split('\n');
    expect(oof[0]).toBe('Id,fold,0,1,2');
    expect(oof[31].split(',').slice(0, 2)).toEqual(['f1-0', '1']);
    const parsed = parseProbsCsv(oof.map((l) => l.split(',').toSpliced(1, 1).join(',')).join('\n'), { numClasses: C });
    expect(parsed.ids).toEqual(ev.ids);
    expect(Array.from(parsed.probs)).toEqual(Array.from(ev.probs));

    const perClass = file('oof-per-class.csv').trimEnd().split('\n');
    expect(perClass[0]).toBe('mode,class,name,threshold,support,tp,fp,fn,precision,recall,f1');
    expect(perClass).toHaveLength(1 + 4 * C);
    const pc = ev.thresholds['per-class'];
    expect(perClass[1 + C + 1]).toBe(
      `per-class,1,"Cytosol, ""x""",${pc.thresholds[1]},${pc.report.perClass[1].support},${pc.report.perClass[1].tp},${pc.report.perClass[1].fp},${pc.report.perClass[1].fn},${pc.report.perClass[1].precision},${pc.report.perClass[1].recall},${pc.report.perClass[1].f1}`,
    );

    const th = file('thresholds.csv').trimEnd().split('\n');
    expect(th[0]).toBe('class,name,global,per-class,lipton,proportion,fold_0,fold_1,fold_2,fold_mean,fold_sd,fold_min,fold_max,informative');
    const c0 = th[1].split(',');
    const f0 = ev.foldThresholds.map((t) => t[0]);
    expect(c0.slice(6, 9).map(Number)).toEqual(f0);
    const mean = (f0[0] + f0[1] + f0[2]) / 3;
    expect(Number(c0[9])).toBeCloseTo(mean, 12);
    expect(Number(c0[10])).toBeCloseTo(Math.sqrt(f0.reduce((s, t) => s + (t - mean) ** 2, 0) / 2), 12);
    expect([Number(c0[11]), Number(c0[12])]).toEqual([Math.min(...f0), Math.max(...f0)]);
    expect(Number(c0[2])).toBe(ev.thresholds.global.thresholds[0]);

    const cross = file('thresholds-crossfit.csv').trimEnd().split('\n');
    expect(cross).toHaveLength(1 + 2 * 3);
    expect(cross[4].split(',').slice(2).map(Number)).toEqual(ev.crossFitThresholds['per-class'][0]);

    const cmp = file('comparison.csv').trimEnd().split('\n');
    expect(cmp[0]).toBe('key,method,fold,oof_macro_f1,oof_optimistic,oof_fitted_macro_f1,test_macro_f1,label');
    expect(cmp.slice(1).map((l) => l.split(',')[0])).toEqual(['mean-global', 'mean-per-class', 'vote', 'fold-0', 'fold-1', 'fold-2']);
    expect(Number(cmp[1].split(',')[3])).toBe(rows[0].oofMacroF1);
    expect(cmp[1].split(',')[6]).toBe(''); // no test truth
    const md = file('comparison.md');
    expect(md).toContain(`| Mean probability, one global threshold (chosen) | ${rows[0].oofMacroF1.toFixed(4)} | ${rows[0].oofFittedMacroF1.toFixed(4)} | – |`);
    expect(md).toContain(`| ${rows[2].label} | ${rows[2].oofMacroF1.toFixed(4)}* |`);
    expect(file('report.md')).toContain("The group's submission uses **mean-global**.");
  });
});
