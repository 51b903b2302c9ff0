/** The bench's rows, the machine line, and the markdown table written to bench/results/. */
import type { Stat } from './stats';

export interface Row {
  section: 'training' | 'data feed' | 'ingest' | 'inference' | 'responsiveness' | 'gpu kit' | 'transfer' | 'cam';
  what: string;
  unit: string;
  /** null: not measured (see status and notes) */
  ours: Stat | null;
  ref: Stat | null;
  refLabel?: string;
  status: 'measured' | 'skipped' | 'not available' | 'failed';
  notes: string;
  /** anything else measured (first step, step ms, params, heap samples...) */
  extra?: Record<string, unknown>;
}

export interface Machine {
  date: string;
  cpu: string;
  cores: number;
  ramGiB: number;
  os: string;
  node: string;
  chromium: string;
  tfjs: string;
  torch: string;
  loadStart: number[];
  loadEnd: number[];
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return '–';
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 100 ? x.toFixed(0) : a >= 10 ? x.toFixed(1) : a >= 1 ? x.toFixed(2) : x.toPrecision(2);
}

export function fmtStat(s: Stat | null, unit: string): string {
  if (!s || !s.runs) return '–';
  return `${fmt(s.median)} ± ${fmt(s.spread)} ${unit}`;
}

export function ratio(r: Row): number | null {
  return r.ours && r.ref && r.ours.runs && r.ref.runs ? r.ours.median / r.ref.median : null;
}

export function markdown(m: Machine, rows: Row[], o: { quick: boolean; seconds: number; parts?: string[] }): string {
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' / ');
  const lines = [
    `# HPA Studio bench — ${m.date}${o.quick ? ' (--quick)' : ''}`,
    '',
    `- machine: ${m.cpu}, ${m.cores} cores, ${m.ramGiB} GiB RAM, ${m.os}, no GPU`,
    `- Chromium ${m.chromium} (headless), Node ${m.node}, tfjs ${m.tfjs}, PyTorch ${m.torch} (CPU)`,
    `- load average (1/5/15 min): ${load(m.loadStart)} at start, ${load(m.loadEnd)} at end; the bench took ${Math.round(o.seconds)} s`,
    ...(o.parts ? [`- parts run (--only): ${o.parts.join(', ')}; the others are not in this table`] : []),
    '- every figure: median ± half its range over the runs after warm-up; the reference is measured in the same run; ratio = ours / reference',
    '',
    '| what | ours (median ± spread) | reference (median ± spread) | ratio | runs | notes |',
    '|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const q = ratio(r);
    const ours = r.status === 'measured' ? fmtStat(r.ours, r.unit) : r.status;
    const ref = r.ref ? `${fmtStat(r.ref, r.unit)}${r.refLabel ? ` (${r.refLabel})` : ''}` : (r.refLabel ?? '–');
    const runs = `${r.ours?.runs ?? 0}${r.ref ? ` / ${r.ref.runs}` : ''}`;
    lines.push(
      `| ${r.what} | ${ours} | ${ref} | ${q === null ? '–' : q >= 0.1 ? q.toFixed(2) : q.toPrecision(2)} | ${runs} | ${r.notes.replace(/\|/g, '/')} |`,
    );
  }
  return lines.join('\n') + '\n';
}
