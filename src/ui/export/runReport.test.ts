import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../data/catalog';
import { chooseThresholds } from '../../core/thresholds';
import { readReportZip, reportFiles, runFromReport, writeReportZip } from './runReport';
import { barChartSvg, lineChartSvg } from './svgCharts';

const C = 28;
function run(): RunRecord {
  const valIds = Array.from({ length: 12 }, (_, i) => `id${i}`);
  let s = 7;
  const r = () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  const valTruth = Uint8Array.from({ length: 12 * C }, () => (r() < 0.2 ? 1 : 0));
  for (let i = 0; i < 12; i++) valTruth[i * C + (i % C)] = 1;
  const valProbs = Float32Array.from(valTruth, (t) => (t ? 0.3 + 0.7 * r() : 0.6 * r()));
  return {
    id: 'run-1',
    name: 'run 1 · gapnet-pl 32px',
    datasetId: 'ds',
    datasetName: 'demo',
    createdAt: 1,
    status: 'done',
    message: null,
    backend: 'webgpu',
    config: { model: 'gapnet-pl', inputSize: 32, seed: 5, split: { kind: 'holdout', fraction: 0.2 } },
    history: [1, 2, 3].map((e) => ({ epoch: e, loss: 1 / e, valLoss: 1.2 / e, valMacroF1: 0.1 * e, valPerClassF1: [] })),
    checkpointEpoch: 3,
    bestEpoch: 2,
    valIds,
    valProbs,
    valTruth,
    lrReductions: [{ epoch: 2, lr: 5e-4 }],
    group: null,
  };
}

describe('run report', () => {
  it('holds config, seed, split ids, history, thresholds and per-class metrics, and round-trips through a zip', async () => {
    const r = run();
    const files = reportFiles(r, { mode: 'global', created: new Date(0) });
    expect([...files.keys()].sort()).toEqual([
      'loss.svg',
      'per_class.csv',
      'per_class_f1.svg',
      'report.json',
      'val_macro_f1.svg',
      'val_probs.csv',
      'val_truth.csv',
    ]);
    const json = JSON.parse(files.get('report.json')!);
    expect(json.seed).toBe(5);
    expect(json.valIds).toEqual(r.valIds);
    expect(json.history).toEqual(r.history);
    const ref = chooseThresholds(r.valTruth!, r.valProbs!, 'global');
    expect(json.thresholds.values).toEqual(Array.from(ref.thresholds));
    expect(json.metrics.macroF1).toBeCloseTo(ref.report.macroF1, 12);
    const csv = files.get('per_class.csv')!.trim().split('\n');
    expect(csv).toHaveLength(29);
    expect(Number(csv[1].split(',').at(-1))).toBeCloseTo(ref.report.perClass[0].f1, 12);

    const back = runFromReport(await readReportZip(await writeReportZip(files), 'r.zip'), 'r.zip', { id: 'new', now: 9 });
    expect(back.name).toBe('imported report · run 1 · gapnet-pl 32px');
    expect(back.checkpointEpoch).toBe(0);
    expect(back.history).toEqual(r.history);
    expect(back.valIds).toEqual(r.valIds);
    expect(Array.from(back.valProbs!)).toEqual(Array.from(r.valProbs!));
    expect(Array.from(back.valTruth!)).toEqual(Array.from(r.valTruth!));
    expect(back.config).toEqual(r.config);
  });

  it("marks a transfer run's fine-tune on its loss and F1 charts, named as the history names it", () => {
    const r = run();
    const names = ['warm-up (backbone frozen)', 'warm-up (backbone frozen)', 'fine-tune (last 2 blocks)'];
    r.history = r.history.map((h, i) => ({ ...h, phase: i < 2 ? 0 : 1, phaseName: names[i] }));
    const files = reportFiles(r, { mode: 'global', created: new Date(0) });
    for (const chart of ['loss.svg', 'val_macro_f1.svg']) {
      const markers = [...files.get(chart)!.matchAll(/<g data-marker="([^"]*)"><line x1="([\d.]+)"/g)];
      expect(
        markers.map((m) => m[1]),
        chart,
      ).toEqual(['fine-tune (last 2 blocks)']);
      // between epoch 2 (x 280) and epoch 3 (x 504) of a 1..3 axis over 56..504 px
      expect(Number(markers[0][2])).toBeCloseTo(392, 0);
    }
    expect(JSON.parse(files.get('report.json')!).history.map((h: { phaseName: string }) => h.phaseName)).toEqual(names);
    // a one-phase run has no marker
    expect(reportFiles(run(), { mode: 'global' }).get('loss.svg')).not.toContain('data-marker');
  });

  it('refuses a zip that is not a report, naming the file', async () => {
    const bytes = await writeReportZip(new Map([['other.txt', 'x']]));
    expect(() => runFromReport(new Map([['other.txt', 'x']]), 'my.zip', { id: 'x' })).toThrow(/my.zip has no report.json/);
    await expect(readReportZip(bytes.subarray(0, bytes.length - 30), 'cut.zip')).rejects.toThrow(/cut.zip is truncated or not a zip/);
  });
});

describe('svg charts', () => {
  it('one polyline per series with one point per finite value, inside the frame', () => {
    const svg = lineChartSvg({
      title: 'Loss <by> epoch',
      xLabel: 'epoch',
      yLabel: 'loss',
      series: [
        {
          name: 'loss',
          color: '#000',
          points: [
            { x: 1, y: 2 },
            { x: 2, y: 1 },
            { x: 3, y: NaN },
          ],
        },
        { name: 'val', color: '#f00', points: [{ x: 1, y: 3 }] },
      ],
    });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('Loss &lt;by&gt; epoch');
    const lines = [...svg.matchAll(/<polyline[^>]*points="([^"]*)"/g)].map((m) => m[1].split(' ').map((p) => p.split(',').map(Number)));
    expect(lines.map((l) => l.length)).toEqual([2, 1]);
    for (const [x, y] of lines.flat()) {
      expect(x).toBeGreaterThanOrEqual(56);
      expect(x).toBeLessThanOrEqual(504);
      expect(y).toBeGreaterThanOrEqual(32);
      expect(y).toBeLessThanOrEqual(236);
    }
  });
  it('bars in proportion to their values', () => {
    const svg = barChartSvg({ title: 't', xLabel: 'c', yLabel: 'F1', labels: ['0', '1'], values: [1, 0.5], color: '#00f', max: 1 });
    const h = [...svg.matchAll(/<rect data-label[^>]* height="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(h[0]).toBeCloseTo(2 * h[1], 1);
  });
});
