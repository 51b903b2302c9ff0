import { useState } from 'react';
import type { ComparisonRow, GroupEvaluation, GroupMethod } from '../../core/foldGroup';
import { groupReportFiles, type GroupReportFold } from '../../core/foldGroupReport';
import { writeZipFiles } from '../../core/zipFiles';
import type { FoldGroupRecord, RunRecord } from '../../data/catalog';
import { downloadUrl } from '../store/exportSlice';
import { fileSafe } from '../format';

/** The group's report as one zip (src/core/foldGroupReport.ts): config, per-fold histories, out-of-fold metrics, thresholds, the comparison. Built when asked for. */
export function FoldGroupReportLink({
  group,
  runs,
  ev,
  rows,
  chosen,
}: {
  group: FoldGroupRecord;
  runs: readonly RunRecord[];
  ev: GroupEvaluation;
  rows: readonly ComparisonRow[];
  chosen: GroupMethod;
}) {
  const [state, setState] = useState<{ busy: boolean; note: string | null }>({ busy: false, note: null });
  const build = async () => {
    setState({ busy: true, note: null });
    try {
      const folds = group.members.flatMap((m) => {
        const run = runs.find((r) => r.id === m.runId);
        return run ? [{ fold: m.fold, name: run.name, history: run.history as unknown as GroupReportFold['history'] }] : [];
      });
      const files = groupReportFiles({
        name: group.name,
        config: {
          group: group.name,
          dataset: group.datasetName,
          folds: group.folds,
          trained: group.members.map((m) => ({ fold: m.fold, run: runs.find((r) => r.id === m.runId)?.name ?? null, status: m.status, seconds: m.seconds })),
          recipe: group.config,
        },
        folds,
        evaluation: ev,
        comparison: rows,
        chosen,
      });
      const enc = new TextEncoder();
      const bytes = await writeZipFiles(files.map((f) => [f.path, enc.encode(f.text)] as [string, Uint8Array]));
      const fileName = `${fileSafe(group.name)}-report.zip`;
      const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/zip' }));
      downloadUrl(url, fileName);
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      setState({ busy: false, note: `${fileName}: ${files.length} files (${files.map((f) => f.path).join(', ')})` });
    } catch (e) {
      setState({ busy: false, note: `The report could not be built: ${(e as Error).message}` });
    }
  };
  return (
    <>
      <button data-testid="group-report" disabled={state.busy} onClick={() => void build()}>
        {state.busy ? 'Building the report…' : 'Download the group report (zip)'}
      </button>
      {state.note && (
        <span className="hint" data-testid="group-report-note">
          {state.note}
        </span>
      )}
    </>
  );
}
