/**
 * The PyTorch export worker's job: a run's stored checkpoint (best, else last), its dataset's
 * resolution and the fold of every labelled sample (the split the run trained with, recomputed as
 * runTraining.ts made it) become the files of src/core/torchExport, zipped.
 */
import { CLASS_NAMES } from '../core/labels';
import { DEFAULT_RUN, type RunConfig } from '../core/runConfig';
import { decodeCheckpoint } from '../core/train/checkpoint';
import { prepareRun } from '../core/train/recipe';
import { writeTorchExportZip, type TorchExportInput } from '../core/torchExport/project';
import { getCheckpoint, getDataset, getRun, listSamples, type RunRecord } from '../data/catalog';
import type { FromTorchExportWorker, TorchExportRequest } from './protocol';

/** A problem the user can act on; its message is shown as is. */
export class TorchExportFailure extends Error {}

type Post = (m: FromTorchExportWorker, transfer?: Transferable[]) => void;

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * The fold of every labelled training sample as the run split them (hold-out: 0 validates). Where
 * the dataset changed since and the recomputed split no longer gives the run's validation ids, only
 * those ids are listed (train.py trains every id folds.csv does not list).
 */
export function runFolds(
  config: RunConfig & { splitSeed?: number },
  run: Pick<RunRecord, 'valIds'>,
  samples: { id: string; labels: number[] }[],
): TorchExportInput['folds'] {
  const valFold = config.split.kind === 'kfold' ? config.split.fold : 0;
  const sorted = [...samples].sort(byId);
  try {
    const prepared = prepareRun(
      config.splitSeed === undefined ? config : { ...config, seed: config.splitSeed },
      sorted.map((s) => s.labels),
    );
    const valIds = prepared.valRows.map((r) => sorted[r].id);
    if (!run.valIds.length || valIds.join() === run.valIds.join()) return { ids: sorted.map((s) => s.id), folds: prepared.assignment };
  } catch {
    // a split the dataset no longer allows: fall back to the run's validation ids
  }
  return { ids: [...run.valIds], folds: new Int32Array(run.valIds.length).fill(valFold) };
}

export async function runTorchExportJob(req: TorchExportRequest, post: Post): Promise<void> {
  const progress = (stage: 'checkpoint' | 'split' | 'files') => post({ type: 'progress', progress: { jobId: req.jobId, stage } });
  const run = await getRun(req.runId);
  if (!run) throw new TorchExportFailure(`Run ${req.runId} is gone.`);
  progress('checkpoint');
  let stored: { kind: 'best' | 'last'; data: ArrayBuffer } | null = null;
  for (const kind of ['best', 'last'] as const) {
    const c = await getCheckpoint(run.id, kind);
    if (c) {
      stored = { kind, data: c.data };
      break;
    }
  }
  if (!stored) throw new TorchExportFailure(`Run '${run.name}' has no stored checkpoint: there are no weights to export.`);
  const checkpoint = decodeCheckpoint(stored.data);
  const config = { ...DEFAULT_RUN, ...(run.config as Partial<RunConfig>) } as RunConfig & { splitSeed?: number };
  const ds = await getDataset(run.datasetId);
  progress('split');
  const samples = ds ? (await listSamples(ds.id)).filter((s) => s.split === 'train') : [];
  if (req.project && !samples.length && !run.valIds.length)
    throw new TorchExportFailure(`Run '${run.name}': its dataset is gone, so its split is unknown; export without train.py instead.`);
  progress('files');
  const { fileName, bytes } = await writeTorchExportZip(
    {
      config,
      weights: checkpoint.weights,
      storedSize: ds?.resolution ?? config.inputSize,
      classNames: CLASS_NAMES,
      thresholds: req.thresholds,
      thresholdsFrom: req.thresholdsFrom,
      run: { id: run.id, name: run.name, datasetId: run.datasetId, datasetName: run.datasetName, checkpoint: stored.kind, epoch: checkpoint.epoch },
      folds: samples.length || run.valIds.length ? runFolds(config, run, samples) : null,
    },
    { project: req.project },
  );
  post({ type: 'torch-zip', jobId: req.jobId, runId: run.id, fileName, bytes }, [bytes.buffer as ArrayBuffer]);
}
