/**
 * One job of the weights worker: the bytes of a dropped file (or the official file, downloaded now
 * because the user pressed its button), read as Keras HDF5 or TF.js weights, the backbone found from
 * the layer names, the tensors matched against that backbone (by name; the report lists what did not
 * fit), and the tensors stored for runs to start from. Nothing is stored when any step fails.
 */
import * as tf from '@tensorflow/tfjs';
import { createModel } from '../core/models/registry';
import { modelInfo } from '../core/models/catalog';
import { detectBackbone } from '../core/weights/detectBackbone';
import { matchWeights } from '../core/weights/matchWeights';
import { readWeightsFiles } from '../core/weights/readWeights';
import { DownloadError, downloadWeights, weightSource } from '../core/weights/sources';
import { putWeights, type StoredWeightsRecord } from '../data/weightsStore';
import type { FromWeightsWorker, ToWeightsWorker, WeightsProgress } from './protocol';

export class WeightsJobFailure extends Error {}

type Job = Exclude<ToWeightsWorker, { type: 'cancel' }>;

export async function runWeightsJob(job: Job, signal: AbortSignal, post: (m: FromWeightsWorker) => void): Promise<StoredWeightsRecord> {
  const progress = (stage: WeightsProgress['stage'], done: number, total: number) =>
    post({ type: 'progress', progress: { jobId: job.jobId, stage, done, total } });
  const stopIfCancelled = () => {
    if (signal.aborted) throw new DOMException('cancelled', 'AbortError');
  };
  let files: { name: string; bytes: Uint8Array }[];
  let downloaded = false;
  if (job.type === 'download-weights') {
    const source = weightSource(job.backbone);
    if (!source) throw new WeightsJobFailure(`No official weights are known for '${job.backbone}'.`);
    try {
      const bytes = await downloadWeights(source.url, {
        signal,
        expectedBytes: source.bytes,
        onProgress: (p) => progress('download', p.received, p.total ?? 0),
      });
      files = [{ name: source.fileName, bytes }];
      downloaded = true;
    } catch (e) {
      if (e instanceof DownloadError && e.kind === 'cancelled') throw new DOMException('cancelled', 'AbortError');
      throw e instanceof DownloadError ? new WeightsJobFailure(e.message) : e;
    }
  } else {
    files = job.files;
  }
  const fileBytes = files.reduce((s, f) => s + f.bytes.byteLength, 0);
  progress('read', 0, fileBytes);
  const read = await readWeightsFiles(files);
  progress('read', fileBytes, fileBytes);
  stopIfCancelled();
  const backbone = job.backbone ?? detectBackbone([...new Set(read.weights.map((w) => w.layer))], read.fileName);
  // The check needs the backbone's tensor shapes, not speed: built on the CPU backend at the smallest
  // input (its weights do not depend on the input size), with the default four-channel option.
  progress('check', 0, read.weights.length);
  if (tf.getBackend() !== 'cpu') await tf.setBackend('cpu');
  const model = createModel(backbone, { inputSize: modelInfo(backbone).inputSizes.min, head: 'gap' });
  let report;
  try {
    report = matchWeights(model, backbone, read.weights, { studioNote: false });
  } finally {
    model.dispose();
  }
  progress('check', read.weights.length, read.weights.length);
  stopIfCancelled();
  progress('store', 0, read.weights.length);
  const record = await putWeights(
    { backbone, source: downloaded ? 'download' : read.source, fileName: read.fileName, report, fileBytes: read.fileBytes, kerasVersion: read.kerasVersion },
    read.weights,
  );
  progress('store', read.weights.length, read.weights.length);
  return record;
}
