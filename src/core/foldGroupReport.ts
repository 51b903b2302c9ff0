/**
 * The files of a K-fold run group's report (docs/kfold.md), from plain data, so the CLI writes them
 * to a folder and the studio zips them:
 *
 *   config.json             the group's config as given (recipe, K, seed, fold names)
 *   histories.csv           every fold's epochs: fold, the history columns, per-class validation F1
 *   oof_probs.csv           Id, fold (whose model predicted it), the 28 OOF probabilities
 *   oof-per-class.csv       per threshold mode and class: threshold, support, TP/FP/FN, precision, recall, F1 out of fold
 *   thresholds.csv          per class: the threshold of each mode fitted out of fold, each fold's own
 *                           per-class threshold, and their spread across folds (mean, sd, min, max)
 *   thresholds-crossfit.csv per mode (global, per-class) and fold: the thresholds that scored that fold cross-fitted
 *   comparison.csv / .md    the seed's comparison (foldGroup.ts's rows)
 *   report.md               a summary: the comparison, what each score means, the chosen method
 *
 * Numbers are written in full (shortest round-trip form) so a check can recompute them exactly.
 */
import type { ComparisonRow, GroupEvaluation, GroupMethod } from './foldGroup';
import { foldSpread } from './foldSpread';
import { CLASS_NAMES } from './labels';
import { THRESHOLD_MODES } from './thresholds';
import type { EpochLogs } from './train/logs';
import { formatProbsCsv } from './csv';

export interface GroupReportFold {
  fold: number;
  name: string;
  history: readonly EpochLogs[];
}

export interface GroupReportInput {
  /** the group's name (report title) */
  name: string;
  /** written as config.json */
  config: unknown;
  folds: readonly GroupReportFold[];
  evaluation: GroupEvaluation;
  comparison: readonly ComparisonRow[];
  /** the method the group's submission uses */
  chosen?: GroupMethod;
  classNames?: readonly string[];
}

export interface ReportFile {
  path: string;
  text: string;
}

const HISTORY_COLUMNS = ['epoch', 'phase', 'phaseName', 'loss', 'valLoss', 'valMacroF1', 'learningRate', 'trainImages', 'imagesPerSecond', 'seconds'] as const;

const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
const num = (x: number | null) => (x === null || Number.isNaN(x) ? '' : String(x));
const f4 = (x: number | null) => (x === null || Number.isNaN(x) ? '–' : x.toFixed(4));

/** histories.csv: one line per fold and epoch. */
export function historiesCsv(folds: readonly GroupReportFold[], numClasses: number): string {
  const lines = [['fold', ...HISTORY_COLUMNS, ...Array.from({ length: numClasses }, (_, c) => `valF1_${c}`)].join(',')];
  for (const f of folds)
    for (const h of f.history)
      lines.push([f.fold, ...HISTORY_COLUMNS.map((k) => (k === 'phaseName' ? quote(h.phaseName) : num(h[k]))), ...h.valPerClassF1.map(num)].join(','));
  return lines.join('\n') + '\n';
}

/** oof_probs.csv: Id, fold, then the probabilities (as formatProbsCsv writes them). */
export function oofProbsCsv(ev: GroupEvaluation): string {
  const lines = formatProbsCsv(ev.ids, ev.probs, ev.numClasses).split('\n');
  return lines.map((l, i) => (l === '' ? l : i === 0 ? l.replace(/^Id,/, 'Id,fold,') : l.replace(/^([^,]*),/, `$1,${ev.fold[i - 1]},`))).join('\n');
}

/** oof-per-class.csv: each mode's per-class scores out of fold. */
export function oofPerClassCsv(ev: GroupEvaluation, classNames: readonly string[]): string {
  const lines = ['mode,class,name,threshold,support,tp,fp,fn,precision,recall,f1'];
  for (const mode of THRESHOLD_MODES) {
    const r = ev.thresholds[mode];
    for (const c of r.report.perClass)
      lines.push(
        [
          mode,
          c.cls,
          quote(classNames[c.cls] ?? String(c.cls)),
          num(r.thresholds[c.cls]),
          c.support,
          c.tp,
          c.fp,
          c.fn,
          num(c.precision),
          num(c.recall),
          num(c.f1),
        ].join(','),
      );
  }
  return lines.join('\n') + '\n';
}

/** thresholds.csv: per class, every mode's OOF threshold, each fold's own per-class threshold and their spread. */
export function groupThresholdsCsv(ev: GroupEvaluation, classNames: readonly string[]): string {
  const K = ev.foldThresholds.length;
  const spread = foldSpread(ev.foldThresholds, ev.numClasses);
  const lines = [
    [
      'class',
      'name',
      ...THRESHOLD_MODES,
      ...Array.from({ length: K }, (_, k) => `fold_${k}`),
      'fold_mean',
      'fold_sd',
      'fold_min',
      'fold_max',
      'informative',
    ].join(','),
  ];
  for (let c = 0; c < ev.numClasses; c++) {
    const s = spread[c];
    lines.push(
      [
        c,
        quote(classNames[c] ?? String(c)),
        ...THRESHOLD_MODES.map((m) => num(ev.thresholds[m].thresholds[c])),
        ...ev.foldThresholds.map((t) => num(t[c])),
        num(s.mean),
        num(s.sd),
        num(s.min),
        num(s.max),
        ev.thresholds['per-class'].informative[c] ? 1 : 0,
      ].join(','),
    );
  }
  return lines.join('\n') + '\n';
}

/** thresholds-crossfit.csv: mode, fold, then one threshold per class. */
export function crossFitThresholdsCsv(ev: GroupEvaluation): string {
  const lines = [['mode', 'fold', ...Array.from({ length: ev.numClasses }, (_, c) => String(c))].join(',')];
  for (const mode of ['global', 'per-class'] as const) ev.crossFitThresholds[mode].forEach((t, k) => lines.push([mode, k, ...t.map(num)].join(',')));
  return lines.join('\n') + '\n';
}

const COMPARISON_COLUMNS = ['key', 'method', 'fold', 'oof_macro_f1', 'oof_optimistic', 'oof_fitted_macro_f1', 'test_macro_f1', 'label'] as const;

/** comparison.csv: the rows with their scores in full. */
export function comparisonCsv(rows: readonly ComparisonRow[]): string {
  const lines = [COMPARISON_COLUMNS.join(',')];
  for (const r of rows)
    lines.push(
      [r.key, r.method, r.fold ?? '', num(r.oofMacroF1), r.oofOptimistic ? 1 : 0, num(r.oofFittedMacroF1), num(r.testMacroF1), quote(r.label)].join(','),
    );
  return lines.join('\n') + '\n';
}

/** comparison.md: the rows as a markdown table (4 decimals; an asterisk marks an optimistic OOF score). */
export function comparisonMarkdown(rows: readonly ComparisonRow[], chosen?: GroupMethod): string {
  const lines = [
    '| Method | Out-of-fold macro F1 | OOF, thresholds fitted on it | Test macro F1 |',
    '|---|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.label}${r.key === chosen ? ' (chosen)' : ''} | ${f4(r.oofMacroF1)}${r.oofOptimistic ? '*' : ''} | ${f4(r.oofFittedMacroF1)} | ${f4(r.testMacroF1)} |`,
    ),
  ];
  return (
    lines.join('\n') +
    '\n\nOut-of-fold macro F1: for the mean rows, cross-fitted (each fold scored at thresholds fitted on the other folds); ' +
    "*: the thresholds were fitted on the predictions scored (a fold model at its own fold's thresholds), so the number is optimistic.\n"
  );
}

/** All the report's files. */
export function groupReportFiles(input: GroupReportInput): ReportFile[] {
  const ev = input.evaluation;
  const names = input.classNames ?? (ev.numClasses === CLASS_NAMES.length ? CLASS_NAMES : Array.from({ length: ev.numClasses }, (_, c) => `class ${c}`));
  const K = input.folds.length;
  const modes = THRESHOLD_MODES.map((m) => `| ${m} | ${f4(ev.macroF1[m])} |`);
  const report = [
    `# ${input.name}`,
    '',
    `${K} folds, ${ev.ids.length} training images, each predicted once by the fold model that did not train on it.`,
    '',
    '## The comparison',
    '',
    comparisonMarkdown(input.comparison, input.chosen).trimEnd(),
    '',
    input.chosen ? `The group's submission uses **${input.chosen}**.` : '',
    '',
    '## Out-of-fold macro F1 at each threshold mode (fitted on the same predictions)',
    '',
    '| Mode | Macro F1 |',
    '|---|---:|',
    ...modes,
    '',
    `Cross-fitted: global ${f4(ev.crossFitMacroF1.global)}, per-class ${f4(ev.crossFitMacroF1['per-class'])}.`,
    '',
    'Files: histories.csv, oof_probs.csv, oof-per-class.csv, thresholds.csv (with the per-class thresholds of each fold and their spread), thresholds-crossfit.csv, comparison.csv. What each number means: docs/kfold.md.',
    '',
  ].join('\n');
  return [
    { path: 'config.json', text: JSON.stringify(input.config, null, 2) + '\n' },
    { path: 'histories.csv', text: historiesCsv(input.folds, ev.numClasses) },
    { path: 'oof_probs.csv', text: oofProbsCsv(ev) },
    { path: 'oof-per-class.csv', text: oofPerClassCsv(ev, names) },
    { path: 'thresholds.csv', text: groupThresholdsCsv(ev, names) },
    { path: 'thresholds-crossfit.csv', text: crossFitThresholdsCsv(ev) },
    { path: 'comparison.csv', text: comparisonCsv(input.comparison) },
    { path: 'comparison.md', text: comparisonMarkdown(input.comparison, input.chosen) },
    { path: 'report.md', text: report },
  ];
}
