/**
 * The studio's one store (zustand). Components select the slice they show; actions are named.
 */
import { create, type StateCreator } from 'zustand';
import { createDatasetsSlice, type DatasetsSlice } from './datasetsSlice';
import type { BackendChoice, BackendReport, FromTrainingWorker, ProbeResult } from '../worker/protocol';
import { TrainingClient } from './trainingClient';

const BACKEND_SETTING_KEY = 'hpa-studio.backend';

function readBackendSetting(): BackendChoice {
  const v = typeof localStorage !== 'undefined' ? localStorage.getItem(BACKEND_SETTING_KEY) : null;
  return v === 'webgpu' || v === 'webgl' || v === 'cpu' ? v : 'auto';
}

export interface BackendSlice {
  backendChoice: BackendChoice;
  backend: BackendReport | null;
  probe: ProbeResult | null;
  workerError: string | null;
  /** start the training worker with the chosen backend and run a one-batch training check */
  connect: () => void;
  setBackendChoice: (choice: BackendChoice) => void;
}

let client: TrainingClient | null = null;

const createBackendSlice: StateCreator<StudioState, [], [], BackendSlice> = (set, get) => {
  const handle = (msg: FromTrainingWorker) => {
    switch (msg.type) {
      case 'backend':
        set({ backend: msg.report });
        if (msg.report.active) client?.send({ type: 'probe', size: 16, batch: 4, steps: 3 });
        break;
      case 'probe-result':
        set({ probe: msg.result });
        break;
      case 'error':
        set({ workerError: msg.message });
        break;
    }
  };
  return {
    backendChoice: readBackendSetting(),
    backend: null,
    probe: null,
    workerError: null,
    connect: () => {
      client ??= new TrainingClient(handle);
      set({ backend: null, probe: null, workerError: null });
      client.start(get().backendChoice);
    },
    setBackendChoice: (choice) => {
      localStorage.setItem(BACKEND_SETTING_KEY, choice);
      set({ backendChoice: choice });
      get().connect();
    },
  };
};

export type StudioState = BackendSlice & DatasetsSlice;

export const useStudio = create<StudioState>()((...a) => ({
  ...createBackendSlice(...a),
  ...createDatasetsSlice(...a),
}));
