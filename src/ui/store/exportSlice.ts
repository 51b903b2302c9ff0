/**
 * The predict / ensemble / export part of the studio store: which runs predict, with which TTA,
 * the job in the predict worker (progress, cancel), its result, and model / report import.
 * The numbers come from the worker; the page never runs tfjs.
 */
import type { StateCreator } from 'zustand';
import { getPrediction, putPrediction, putPredictionSubmission, putRun, type RunRecord } from '../../data/catalog';
import { predictionBytes, predictionKey, type EnsembleChoice, type StoredSubmission } from '../../core/predictionResult';
import {
  TRAINING_BACKENDS,
  type BackendChoice,
  type FromPredictWorker,
  type PredictProgress,
  type PredictRequest,
  type PredictResult,
  type ToPredictWorker,
} from '../../worker/protocol';
import type { StudioState } from '.';
import { predictWorker } from '../workerClient';
import { readReportZip, runFromReport } from '../export/runReport';
import { exportWeights } from '../export/exportThresholds';

const SELECTION_KEY = 'hpa-studio.export-selection';

/** The runs ticked for prediction, kept across a reload so that their stored prediction shows again at once. */
function readSelection(): string[] {
  try {
    const v: unknown = JSON.parse((typeof localStorage !== 'undefined' && localStorage.getItem(SELECTION_KEY)) || '[]');
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

export interface PredictOptions {
  tta: PredictRequest['tta'];
  combine: PredictRequest['combine'];
  tiling: PredictRequest['tiling'];
  batchSize: number;
}

export type { EnsembleChoice };

/** The prediction on show as it is kept in IndexedDB with its runs (src/data/catalog.ts 'predictions'). */
export interface StoredPredictionInfo {
  id: string;
  bytes: number;
  createdAt: number;
  /** read back from storage (after a reload), not predicted in this page */
  restored: boolean;
  /** the submission stored with it when it was read back */
  submission: StoredSubmission | null;
  /** why it could not be stored (storage full), else null */
  error: string | null;
}

export interface PredictJob {
  jobId: string;
  kind: 'predict' | 'export' | 'import';
  label: string;
  startedAt: number;
  progress: PredictProgress | null;
  backend: string | null;
  /** why the job runs on the backend it asked for (the runs' own, or the setting) */
  backendWhy: string;
  cancelling: boolean;
}

export interface ExportSlice {
  exportSelection: string[];
  predictOptions: PredictOptions;
  ensembleChoice: EnsembleChoice;
  predictJob: PredictJob | null;
  prediction: PredictResult | null;
  storedPrediction: StoredPredictionInfo | null;
  exportError: string | null;
  exportNotice: string | null;
  /** the last exported model zip, offered as a link (and downloaded at once) */
  modelDownload: { runId: string; fileName: string; url: string } | null;
  toggleExportRun: (runId: string, on: boolean) => void;
  setPredictOptions: (patch: Partial<PredictOptions>) => void;
  setEnsembleChoice: (patch: Partial<EnsembleChoice>) => void;
  startPrediction: (datasetId: string) => void;
  cancelPrediction: () => void;
  /** shows the stored prediction of these runs on this dataset, if there is one and no other job or prediction of them is on show */
  showStoredPrediction: (datasetId: string, runIds: string[]) => Promise<void>;
  /** keeps the submission offered for the prediction on show with it */
  keepSubmission: (submission: StoredSubmission) => void;
  /** exports the run's model zip with these thresholds in its studio.json; `thresholdsFrom` says which they are */
  exportModel: (runId: string, thresholds: number[] | null, thresholdsFrom: string) => void;
  importModel: (datasetId: string, files: File[]) => Promise<void>;
  importReport: (file: File) => Promise<void>;
  clearExportMessages: () => void;
}

const client = predictWorker();

/** Starts a browser download of a Blob URL. */
export function downloadUrl(url: string, fileName: string): void {
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
}

/**
 * The backend a job with these runs asks for: with the setting on Auto, the backend the runs trained
 * on (their Auto choice: a model trained on wasm predicts on wasm, not on the first backend that
 * starts); a forced setting is kept.
 */
export function jobBackend(runs: readonly RunRecord[], runIds: readonly string[], setting: BackendChoice): { backend: BackendChoice; why: string } {
  if (setting !== 'auto') return { backend: setting, why: 'the backend setting' };
  const trained = runIds.map((id) => runs.find((r) => r.id === id)).find((r) => r && (TRAINING_BACKENDS as readonly string[]).includes(r.backend));
  if (!trained) return { backend: 'auto', why: 'Auto: the first backend that starts' };
  return { backend: trained.backend as BackendChoice, why: `the backend '${trained.name}' trained on` };
}

export const createExportSlice: StateCreator<StudioState, [], [], ExportSlice> = (set, get) => {
  const begin = (kind: PredictJob['kind'], label: string, backendWhy = ''): string => {
    const jobId = crypto.randomUUID();
    set({
      predictJob: { jobId, kind, label, startedAt: performance.now(), progress: null, backend: null, backendWhy, cancelling: false },
      exportError: null,
      exportNotice: null,
    });
    return jobId;
  };
  /** One job in a fresh worker, given the page's start-check passes; an import's file bytes are transferred. */
  const run = (job: Exclude<ToPredictWorker, { type: 'cancel' | 'inject-fault' }>) => {
    const jobId = job.type === 'predict' ? job.request.jobId : job.jobId;
    client.start(handle, (message) => handle({ type: 'failed', jobId, message }));
    const transfer = job.type === 'import-model' ? job.files.map((f) => f.bytes.buffer as ArrayBuffer) : [];
    client.post({ ...job, checks: client.passes() }, transfer);
  };
  const handle = (msg: FromPredictWorker) => {
    const job = get().predictJob;
    switch (msg.type) {
      case 'backend':
        if (job) set({ predictJob: { ...job, backend: msg.report.active } });
        return;
      case 'progress':
        if (job && job.jobId === msg.progress.jobId) set({ predictJob: { ...job, progress: msg.progress } });
        return;
      case 'predicted': {
        client.stop();
        const result = job?.backendWhy ? { ...msg.result, backendWhy: job.backendWhy } : msg.result;
        const runIds = result.members.map((m) => m.runId).sort();
        const id = keyOf(result);
        const createdAt = Date.now();
        const info: StoredPredictionInfo = { id, bytes: predictionBytes(result), createdAt, restored: false, submission: null, error: null };
        set({ predictJob: null, prediction: result, storedPrediction: info });
        void putPrediction({ id, datasetId: result.datasetId, runIds, createdAt, result, submission: null }).catch((e: Error) => {
          if (get().storedPrediction === info) set({ storedPrediction: { ...info, error: e.message || String(e) } });
        });
        return;
      }
      case 'model-zip': {
        client.stop();
        const old = get().modelDownload;
        if (old) URL.revokeObjectURL(old.url);
        const url = URL.createObjectURL(new Blob([msg.bytes as Uint8Array<ArrayBuffer>], { type: 'application/zip' }));
        set({
          predictJob: null,
          modelDownload: { runId: msg.runId, fileName: msg.fileName, url },
          exportNotice: `${msg.fileName}: ${(msg.bytes.byteLength / 1e6).toFixed(2)} MB, model.json + weight shards + studio.json${exportContents}`,
        });
        downloadUrl(url, msg.fileName);
        return;
      }
      case 'imported':
        client.stop();
        set({ predictJob: null, exportNotice: `Imported as '${msg.name}': tick it to predict.`, exportSelection: [msg.runId] });
        localStorage.setItem(SELECTION_KEY, JSON.stringify([msg.runId]));
        void get().refreshRuns();
        return;
      case 'cancelled':
        client.stop();
        set({ predictJob: null, exportNotice: 'Prediction cancelled.' });
        return;
      case 'failed':
        client.stop();
        set({ predictJob: null, exportError: msg.message });
        return;
    }
  };
  const keyOf = (p: PredictResult) =>
    predictionKey(
      p.datasetId,
      p.members.map((m) => m.runId),
    );
  /** what the model zip being exported holds (weights, thresholds), for its notice */
  let exportContents = '';
  /** the newest showStoredPrediction call: an older one's read that ends later is dropped */
  let restoreCall = 0;
  return {
    exportSelection: readSelection(),
    predictOptions: { tta: 'none', combine: 'mean', tiling: 'grid', batchSize: 16 },
    ensembleChoice: { method: 'mean', mode: 'global', atLeastOne: false },
    predictJob: null,
    prediction: null,
    storedPrediction: null,
    exportError: null,
    exportNotice: null,
    modelDownload: null,
    toggleExportRun: (runId, on) => {
      set((s) => ({ exportSelection: on ? [...s.exportSelection.filter((id) => id !== runId), runId] : s.exportSelection.filter((id) => id !== runId) }));
      localStorage.setItem(SELECTION_KEY, JSON.stringify(get().exportSelection));
    },
    setPredictOptions: (patch) => set((s) => ({ predictOptions: { ...s.predictOptions, ...patch } })),
    setEnsembleChoice: (patch) => set((s) => ({ ensembleChoice: { ...s.ensembleChoice, ...patch } })),
    startPrediction: (datasetId) => {
      if (get().predictJob) return;
      const runIds = get().exportSelection;
      const { backend, why } = jobBackend(get().runs, runIds, get().backendChoice);
      const jobId = begin('predict', `Predicting with ${runIds.length} run${runIds.length > 1 ? 's' : ''}`, why);
      set({ prediction: null, storedPrediction: null });
      run({ type: 'predict', backend, request: { jobId, datasetId, runIds, ...get().predictOptions, validation: true } });
    },
    cancelPrediction: () => {
      const job = get().predictJob;
      if (!job) return;
      set({ predictJob: { ...job, cancelling: true } });
      client.postIfRunning({ type: 'cancel' });
    },
    showStoredPrediction: async (datasetId, runIds) => {
      const call = ++restoreCall;
      if (!runIds.length) return;
      const id = predictionKey(datasetId, runIds);
      const on = get().prediction;
      if (get().predictJob || (on && keyOf(on) === id)) return;
      const record = await getPrediction(id).catch(() => undefined);
      if (!record) return;
      // still wanted: no job started, no other prediction arrived and no other runs ticked while storage was read
      if (call !== restoreCall || get().predictJob || get().prediction !== on) return;
      set({
        prediction: record.result,
        storedPrediction: {
          id,
          bytes: predictionBytes(record.result),
          createdAt: record.createdAt,
          restored: true,
          submission: record.submission,
          error: null,
        },
        // the choice that made its last submission, so the same submission is rebuilt
        ...(record.submission ? { ensembleChoice: { ...record.submission.choice } } : {}),
      });
    },
    keepSubmission: (submission) => {
      const stored = get().storedPrediction;
      if (!stored || stored.error) return;
      void putPredictionSubmission(stored.id, submission).catch(() => undefined);
    },
    exportModel: (runId, thresholds, thresholdsFrom) => {
      if (get().predictJob) return;
      const { backend, why } = jobBackend(get().runs, [runId], get().backendChoice);
      const r = get().runs.find((x) => x.id === runId);
      exportContents = ` · weights: ${r ? exportWeights(r) : 'the stored checkpoint'} · thresholds: ${thresholdsFrom}`;
      const jobId = begin('export', 'Exporting the model', why);
      run({ type: 'export-model', backend, jobId, runId, thresholds, thresholdsFrom });
    },
    importModel: async (datasetId, files) => {
      if (get().predictJob || !files.length) return;
      const jobId = begin('import', `Importing ${files.map((f) => f.name).join(', ')}`);
      try {
        const read = await Promise.all(files.map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })));
        run({ type: 'import-model', backend: get().backendChoice, jobId, datasetId, files: read });
      } catch (e) {
        set({ predictJob: null, exportError: `${files.map((f) => f.name).join(', ')}: cannot be read (${(e as Error).message})` });
      }
    },
    importReport: async (file) => {
      set({ exportError: null, exportNotice: null });
      try {
        const files = await readReportZip(new Uint8Array(await file.arrayBuffer()), file.name);
        const run = runFromReport(files, file.name, { id: crypto.randomUUID() });
        await putRun(run);
        await get().refreshRuns();
        set({ exportNotice: `Imported '${run.name}' (curves and evaluation, no weights).` });
      } catch (e) {
        set({ exportError: (e as Error).message });
      }
    },
    clearExportMessages: () => set({ exportError: null, exportNotice: null }),
  };
};
