/**
 * The run report: one zip with everything needed to understand (and re-open) a run without its
 * weights: report.json (config, seed, split ids, history, thresholds, per-class metrics),
 * per_class.csv, the validation predictions (val_probs.csv, val_truth.csv) and the charts as SVG.
 * Importing a report recreates the run (without a checkpoint): its curves and evaluation come back.
 */
import { readZipFiles, writeZipFiles } from '../../core/zipFiles';
import { formatLabelCsv, formatProbsCsv, parseLabelCsv, parseProbsCsv } from '../../core/csv';
import { CLASS_NAMES, NUM_CLASSES } from '../../core/labels';
import { labelMatrix, labelSets, type ClassScore } from '../../core/metrics';
import { chooseThresholds, THRESHOLD_MODES, type ThresholdMode } from '../../core/thresholds';
import type { RunRecord } from '../../data/catalog';
import { barChartSvg, lineChartSvg } from './svgCharts';
import { phaseStarts } from '../../core/phaseMarkers';

export const REPORT_FORMAT = 'hpa-studio-run-report';
export const REPORT_VERSION = 1;

export class ReportError extends Error {}

export interface ReportJson {
  format: typeof REPORT_FORMAT;
  formatVersion: number;
  run: Pick<
    RunRecord,
    | 'id'
    | 'name'
    | 'datasetId'
    | 'datasetName'
    | 'createdAt'
    | 'status'
    | 'message'
    | 'backend'
    | 'checkpointEpoch'
    | 'bestEpoch'
    | 'group'
    | 'lrReductions'
    | 'weightsFrom'
  >;
  config: Record<string, unknown>;
  seed: number | null;
  valIds: string[];
  history: Record<string, unknown>[];
  thresholds: { mode: ThresholdMode; values: number[]; from: string } | null;
  metrics: { macroF1: number; emptyClass: string; perClass: ClassScore[] } | null;
  created: string;
}

type History = {
  epoch: number;
  loss: number;
  valLoss: number;
  valMacroF1: number;
  valPerClassF1?: number[];
  learningRate?: number;
  phase?: number;
  phaseName?: string;
};

/** The report's files (name → text) for a run; thresholds by `mode` from its stored validation predictions. */
export function reportFiles(run: RunRecord, o: { mode: ThresholdMode; rates?: readonly number[] | null; created?: Date }): Map<string, string> {
  const files = new Map<string, string>();
  let thresholds: ReportJson['thresholds'] = null;
  let metrics: ReportJson['metrics'] = null;
  const hasVal = run.valProbs && run.valTruth && run.valIds.length && run.valProbs.length === run.valIds.length * NUM_CLASSES;
  if (hasVal) {
    const mode = o.mode === 'proportion' && !o.rates ? 'global' : o.mode;
    const r = chooseThresholds(run.valTruth!, run.valProbs!, mode, { rates: o.rates ?? undefined });
    thresholds = { mode, values: Array.from(r.thresholds), from: `the run's stored validation predictions (${run.valIds.length} images, last epoch)` };
    metrics = { macroF1: r.report.macroF1, emptyClass: r.report.emptyClass, perClass: r.report.perClass };
    files.set('val_probs.csv', formatProbsCsv(run.valIds, run.valProbs!));
    files.set(
      'val_truth.csv',
      formatLabelCsv(
        run.valIds.map((id, i) => ({ id, labels: labelSets(run.valTruth!.subarray(i * NUM_CLASSES, (i + 1) * NUM_CLASSES))[0] })),
        'Target',
      ),
    );
    const head = 'class,name,threshold,support,tp,fp,fn,precision,recall,f1';
    const rows = r.report.perClass.map((c) =>
      [c.cls, `"${CLASS_NAMES[c.cls]}"`, r.thresholds[c.cls], c.support, c.tp, c.fp, c.fn, c.precision, c.recall, c.f1].join(','),
    );
    files.set('per_class.csv', [head, ...rows].join('\n') + '\n');
    files.set(
      'per_class_f1.svg',
      barChartSvg({
        title: `Per-class F1 (${mode} thresholds)`,
        xLabel: 'class',
        yLabel: 'F1',
        labels: r.report.perClass.map((c) => String(c.cls)),
        values: r.report.perClass.map((c) => c.f1),
        color: '#3b6ea8',
        max: 1,
      }),
    );
  }
  const h = run.history as unknown as History[];
  if (h.length) {
    // a phase (a transfer run's fine-tune after its warm-up) starts between its first epoch and the one before
    const markers = phaseStarts(h).map((s) => ({ x: s.epoch - 0.5, label: s.phaseName }));
    files.set(
      'loss.svg',
      lineChartSvg({
        title: 'Loss by epoch',
        xLabel: 'epoch',
        yLabel: 'loss',
        series: [
          { name: 'loss', color: '#3b6ea8', points: h.map((e) => ({ x: e.epoch, y: e.loss })) },
          { name: 'val loss', color: '#d9822b', points: h.map((e) => ({ x: e.epoch, y: e.valLoss })) },
        ],
        markers,
      }),
    );
    files.set(
      'val_macro_f1.svg',
      lineChartSvg({
        title: 'Validation macro F1 by epoch',
        xLabel: 'epoch',
        yLabel: 'macro F1',
        zeroBased: true,
        series: [{ name: 'val macro F1', color: '#2e8b57', points: h.map((e) => ({ x: e.epoch, y: e.valMacroF1 })) }],
        markers,
      }),
    );
  }
  const config = run.config;
  const json: ReportJson = {
    format: REPORT_FORMAT,
    formatVersion: REPORT_VERSION,
    run: {
      id: run.id,
      name: run.name,
      datasetId: run.datasetId,
      datasetName: run.datasetName,
      createdAt: run.createdAt,
      status: run.status,
      message: run.message,
      backend: run.backend,
      checkpointEpoch: run.checkpointEpoch,
      bestEpoch: run.bestEpoch,
      group: run.group,
      lrReductions: run.lrReductions,
      // a transfer run: the pretrained weights its backbone started from and how they loaded
      ...(run.weightsFrom ? { weightsFrom: run.weightsFrom } : {}),
    },
    config,
    seed: typeof config.seed === 'number' ? config.seed : null,
    valIds: run.valIds,
    history: run.history,
    thresholds,
    metrics,
    created: (o.created ?? new Date()).toISOString(),
  };
  files.set('report.json', JSON.stringify(json, null, 2) + '\n');
  return new Map([['report.json', files.get('report.json')!], ...[...files].filter(([k]) => k !== 'report.json')]);
}

export async function writeReportZip(files: ReadonlyMap<string, string>, created = new Date()): Promise<Uint8Array> {
  const encoder = new TextEncoder();
  return writeZipFiles(
    [...files].map(([name, text]): [string, Uint8Array] => [name, encoder.encode(text)]),
    { lastModDate: created },
  );
}

export async function readReportZip(bytes: Uint8Array, file: string): Promise<Map<string, string>> {
  const files = await readZipFiles(bytes, file, { names: 'basename', fail: (m) => new ReportError(m) });
  const decoder = new TextDecoder();
  return new Map([...files].map(([name, b]) => [name, decoder.decode(b)]));
}

/** The run a report describes, as a new RunRecord without checkpoint (its curves and validation predictions restored). */
export function runFromReport(files: ReadonlyMap<string, string>, file: string, o: { id: string; now?: number }): RunRecord {
  const text = files.get('report.json');
  if (!text) throw new ReportError(`${file} has no report.json: not a run report exported by HPA Studio`);
  let j: ReportJson;
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw new ReportError(`${file}: report.json is not valid JSON (${(e as Error).message})`);
  }
  if (j?.format !== REPORT_FORMAT) throw new ReportError(`${file}: report.json format is '${String(j?.format)}', expected '${REPORT_FORMAT}'`);
  if (!(j.formatVersion <= REPORT_VERSION))
    throw new ReportError(`${file}: report version ${j.formatVersion} is newer than this studio reads (${REPORT_VERSION})`);
  if (!j.run || typeof j.run.name !== 'string' || !Array.isArray(j.history) || !Array.isArray(j.valIds) || typeof j.config !== 'object')
    throw new ReportError(`${file}: report.json lacks run, config, history or valIds`);
  if (j.thresholds && !THRESHOLD_MODES.includes(j.thresholds.mode)) throw new ReportError(`${file}: threshold mode '${j.thresholds.mode}' is unknown`);
  let valProbs: Float32Array | null = null;
  let valTruth: Uint8Array | null = null;
  const probsText = files.get('val_probs.csv');
  const truthText = files.get('val_truth.csv');
  if (probsText && truthText) {
    const probs = parseProbsCsv(probsText, { file: `${file}: val_probs.csv` });
    const truth = parseLabelCsv(truthText, { file: `${file}: val_truth.csv`, allowEmpty: true });
    if (probs.ids.join() !== j.valIds.join() || truth.map((r) => r.id).join() !== j.valIds.join())
      throw new ReportError(`${file}: val_probs.csv and val_truth.csv must list report.json's valIds in order`);
    valProbs = probs.probs;
    valTruth = labelMatrix(truth.map((r) => r.labels));
  }
  const status = j.run.status === 'running' || j.run.status === 'paused' ? 'stopped' : j.run.status;
  return {
    id: o.id,
    name: `imported report · ${j.run.name}`,
    datasetId: j.run.datasetId,
    datasetName: j.run.datasetName,
    createdAt: o.now ?? Date.now(),
    config: j.config,
    status,
    message: `imported from ${file} (no weights)`,
    backend: j.run.backend,
    history: j.history,
    checkpointEpoch: 0,
    bestEpoch: null,
    valIds: j.valIds,
    valProbs,
    valTruth,
    lrReductions: j.run.lrReductions ?? [],
    group: null,
  };
}
