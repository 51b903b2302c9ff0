/**
 * The PyTorch export part of the studio store: the job in the PyTorch export worker (stage,
 * cancel), its zip offered as a download, and its error. The worker reads the run's checkpoint and
 * writes the files; the page only passes the run, the choice and the thresholds.
 */
import type { StateCreator } from 'zustand';
import type { FromTorchExportWorker, TorchExportProgress } from '../../worker/protocol';
import type { StudioState } from '.';
import { torchExportWorker } from '../workerClient';
import { downloadUrl } from './exportSlice';

export interface TorchExportJob {
  jobId: string;
  runId: string;
  runName: string;
  project: boolean;
  stage: TorchExportProgress['stage'] | null;
}

export interface TorchExportSlice {
  torchExportJob: TorchExportJob | null;
  torchExportError: string | null;
  /** the last exported zip, offered as a link (and downloaded at once) */
  torchExportDownload: { runId: string; fileName: string; url: string; bytes: number } | null;
  exportTorch: (runId: string, project: boolean, thresholds: number[] | null, thresholdsFrom: string) => void;
  cancelTorchExport: () => void;
}

const client = torchExportWorker();

export const createTorchExportSlice: StateCreator<StudioState, [], [], TorchExportSlice> = (set, get) => {
  const handle = (msg: FromTorchExportWorker) => {
    const job = get().torchExportJob;
    switch (msg.type) {
      case 'progress':
        if (job && job.jobId === msg.progress.jobId) set({ torchExportJob: { ...job, stage: msg.progress.stage } });
        return;
      case 'torch-zip': {
        client.stop();
        const old = get().torchExportDownload;
        if (old) URL.revokeObjectURL(old.url);
        const url = URL.createObjectURL(new Blob([msg.bytes as Uint8Array<ArrayBuffer>], { type: 'application/zip' }));
        set({ torchExportJob: null, torchExportDownload: { runId: msg.runId, fileName: msg.fileName, url, bytes: msg.bytes.byteLength } });
        downloadUrl(url, msg.fileName);
        return;
      }
      case 'failed':
        client.stop();
        set({ torchExportJob: null, torchExportError: msg.message });
        return;
    }
  };
  return {
    torchExportJob: null,
    torchExportError: null,
    torchExportDownload: null,
    exportTorch: (runId, project, thresholds, thresholdsFrom) => {
      if (get().torchExportJob) return;
      const jobId = crypto.randomUUID();
      const runName = get().runs.find((r) => r.id === runId)?.name ?? runId;
      set({ torchExportJob: { jobId, runId, runName, project, stage: null }, torchExportError: null });
      client.start(handle, (message) => handle({ type: 'failed', jobId, message }));
      client.post({ type: 'export-torch', request: { jobId, runId, project, thresholds, thresholdsFrom } });
    },
    // the job only reads storage: ending its worker cancels it
    cancelTorchExport: () => {
      client.stop();
      set({ torchExportJob: null });
    },
  };
};
