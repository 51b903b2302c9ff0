import { useState } from 'react';
import type { ComparisonRow, GroupEvaluation, GroupMethod } from '../../core/foldGroup';
import type { GroupReportFold } from '../../core/foldGroupReport';
import { runFoldGroupJob } from './foldGroupJob';
import type { FoldGroupRecord, RunRecord } from '../../data/catalog';
import { downloadUrl } from '../store/exportSlice';
import { fileSafe } from '../format';

/** The group's report as one zip (src/core/foldGroupReport.ts): config, per-fold histories, out-of-fold metrics, thresholds, the comparison. Built when asked for, in the fold group worker. */
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
      const { bytes, files } = await runFoldGroupJob({
        type: 'report',
        jobId: crypto.randomUUID(),
        input: {
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
          comparison: [...rows],
          chosen,
        },
      });
      const fileName = `${fileSafe(group.name)}-report.zip`;
      const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/zip' }));
      downloadUrl(url, fileName);
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      setState({ busy: false, note: `${fileName}: ${files.length} files (${files.join(', ')})` });
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
