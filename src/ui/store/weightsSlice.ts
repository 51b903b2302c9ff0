/**
 * The pretrained-weights part of the studio store: the weights stored in this browser (listed from
 * storage, deletable), and one job at a time in the weights worker — reading a dropped file, or
 * downloading a backbone's official file after the user pressed its button — with progress and
 * cancel. The worker checks the weights against the backbone and stores them; the page never
 * parses HDF5 or runs tfjs.
 */
import type { StateCreator } from 'zustand';
import { deleteWeights, listWeights } from '../../data/weightsStore';
import type { FromWeightsWorker, StoredWeightsRecord, ToWeightsWorker, WeightsProgress } from '../../worker/protocol';
import { weightsWorker } from '../workerClient';
import type { StudioState } from '.';

export interface WeightsJob {
  jobId: string;
  kind: 'import' | 'download';
  /** what the job works on, for the progress line: a file name or a download address */
  label: string;
  startedAt: number;
  progress: WeightsProgress | null;
  cancelling: boolean;
}

export interface WeightsSlice {
  weights: StoredWeightsRecord[];
  weightsJob: WeightsJob | null;
  /** the last stored weights (their report stays on show until the next job) */
  weightsStored: StoredWeightsRecord | null;
  weightsError: string | null;
  refreshWeights: () => Promise<void>;
  /** a dropped or chosen .h5 file, TF.js model folder (model.json + shards) or zip; backbone null = from the file's layer names */
  importWeights: (files: { path: string; file: File }[], backbone: string | null) => Promise<void>;
  downloadWeights: (backbone: string, address: string) => void;
  cancelWeightsJob: () => void;
  removeWeights: (id: string) => Promise<void>;
}

const client = weightsWorker();

export const createWeightsSlice: StateCreator<StudioState, [], [], WeightsSlice> = (set, get) => {
  const handle = (msg: FromWeightsWorker) => {
    const job = get().weightsJob;
    switch (msg.type) {
      case 'progress':
        if (job && job.jobId === msg.progress.jobId) set({ weightsJob: { ...job, progress: msg.progress } });
        return;
      case 'weights-stored':
        client.stop();
        set({ weightsJob: null, weightsStored: msg.info });
        void get().refreshWeights();
        return;
      case 'cancelled':
        client.stop();
        set({ weightsJob: null, weightsError: 'Cancelled: nothing was stored.' });
        return;
      case 'failed':
        client.stop();
        set({ weightsJob: null, weightsError: msg.message });
        return;
    }
  };
  const run = (job: Exclude<ToWeightsWorker, { type: 'cancel' }>, kind: WeightsJob['kind'], label: string) => {
    set({
      weightsJob: { jobId: job.jobId, kind, label, startedAt: performance.now(), progress: null, cancelling: false },
      weightsError: null,
      weightsStored: null,
    });
    client.start(handle, (message) => handle({ type: 'failed', jobId: job.jobId, message }));
    client.post(job, job.type === 'import-weights' ? job.files.map((f) => f.bytes.buffer as ArrayBuffer) : []);
  };
  return {
    weights: [],
    weightsJob: null,
    weightsStored: null,
    weightsError: null,
    refreshWeights: async () => {
      try {
        set({ weights: await listWeights() });
      } catch (e) {
        set({ weightsError: `Could not list the stored weights: ${e instanceof Error ? e.message : String(e)}` });
      }
    },
    importWeights: async (files, backbone) => {
      if (get().weightsJob) return;
      if (!files.length) return;
      const jobId = crypto.randomUUID();
      // a folder's files keep their path inside it (model.json names its shards relative to it)
      const read = await Promise.all(files.map(async (f) => ({ name: f.path, bytes: new Uint8Array(await f.file.arrayBuffer()) })));
      const label = files.length === 1 ? files[0].path : `${files.length} files (${files.map((f) => f.path).join(', ')})`;
      run({ type: 'import-weights', jobId, backbone, files: read }, 'import', label);
    },
    downloadWeights: (backbone, address) => {
      if (get().weightsJob) return;
      run({ type: 'download-weights', jobId: crypto.randomUUID(), backbone }, 'download', address);
    },
    cancelWeightsJob: () => {
      const job = get().weightsJob;
      if (!job) return;
      set({ weightsJob: { ...job, cancelling: true } });
      client.postIfRunning({ type: 'cancel' });
    },
    removeWeights: async (id) => {
      await deleteWeights(id);
      const stored = get().weightsStored;
      if (stored?.id === id) set({ weightsStored: null });
      // a run setup that started from these weights starts from random ones now, and says so
      const setup = get().setup;
      if (setup.transfer?.weights === id) get().setSetup({ transfer: { ...setup.transfer, weights: null } });
      await get().refreshWeights();
    },
  };
};
