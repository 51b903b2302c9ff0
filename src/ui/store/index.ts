/**
 * The studio's one store (zustand), built from slices: the backend and its worker (here), the
 * datasets (datasetsSlice), the training runs (runsSlice) and K-fold run groups (foldGroupsSlice), prediction and export (exportSlice),
 * the pretrained weights (weightsSlice), the PyTorch export (torchExportSlice) and the thresholds in
 * force per run (thresholdsSlice), and what the studio's other tabs hold (tabsSlice). Components select what they show; actions are named.
 */
import { create, type StateCreator } from 'zustand';
import {
  WASM_MAX_THREADS,
  type AdapterInfo,
  type BackendChoice,
  type BackendReport,
  type FromTrainingWorker,
  type ProbeResult,
  type ToTrainingWorker,
} from '../../worker/protocol';
import { createDatasetsSlice, type DatasetsSlice } from './datasetsSlice';
import { createRunsSlice, type RunsSlice } from './runsSlice';
import { createExportSlice, type ExportSlice } from './exportSlice';
import { createWeightsSlice, type WeightsSlice } from './weightsSlice';
import { createTorchExportSlice, type TorchExportSlice } from './torchExportSlice';
import { createThresholdsSlice, type ThresholdsSlice } from './thresholdsSlice';
import { createFoldGroupsSlice, type FoldGroupsSlice } from './foldGroupsSlice';
import { createTabsSlice, type TabsSlice } from './tabsSlice';
import { trainingWorker, type WorkerClient } from '../workerClient';

const BACKEND_SETTING_KEY = 'hpa-studio.backend';
const WASM_THREADS_KEY = 'hpa-studio.wasmThreads';

function readBackendSetting(): BackendChoice {
  const v = typeof localStorage !== 'undefined' ? localStorage.getItem(BACKEND_SETTING_KEY) : null;
  return v === 'webgpu' || v === 'webgl' || v === 'cpu' || v === 'wasm' ? (v as BackendChoice) : 'auto';
}

/** The saved wasm thread count: 0 = tfjs's choice. */
function readWasmThreads(): number {
  const v = Number(typeof localStorage !== 'undefined' ? localStorage.getItem(WASM_THREADS_KEY) : null);
  return Number.isInteger(v) && v > 0 && v <= WASM_MAX_THREADS ? v : 0;
}

export interface BackendSlice {
  backendChoice: BackendChoice;
  /** threads for the wasm backend; 0 = tfjs's choice (half the logical cores, at most 8) */
  wasmThreads: number;
  backend: BackendReport | null;
  /** the WebGPU adapter the page's workers reported (null: none); undefined until the first report */
  adapter: AdapterInfo | null | undefined;
  /** the page's newest training check */
  probe: ProbeResult | null;
  /** the newest training check of each backend this page checked (the status bar shows the one of the backend in use) */
  probes: Partial<Record<string, ProbeResult>>;
  /** a training check is running in the worker */
  checking: boolean;
  workerError: string | null;
  /** start a fresh training worker with the chosen backend and run a one-batch training check */
  connect: () => void;
  /** start a fresh training worker (freeing the last one's GPU memory) and send it `first`; `backend`: another than the setting (the loss lesson pins one) */
  startTrainingWorker: (first: ToTrainingWorker, backend?: BackendChoice) => void;
  sendToTrainingWorker: (msg: ToTrainingWorker) => void;
  setBackendChoice: (choice: BackendChoice) => void;
  /** restarts the worker with this many wasm threads (0 = tfjs's choice) */
  setWasmThreads: (n: number) => void;
}

let client: WorkerClient<ToTrainingWorker, FromTrainingWorker> | null = null;

const createBackendSlice: StateCreator<StudioState, [], [], BackendSlice> = (set, get) => {
  let checkAfterInit = true;
  const handle = (msg: FromTrainingWorker) => {
    switch (msg.type) {
      case 'backend': {
        const check = Boolean(msg.report.active && checkAfterInit);
        set({ backend: msg.report, adapter: msg.report.adapter, ...(check ? { checking: true } : {}) });
        if (check) client?.post({ type: 'probe', size: 16, batch: 4, steps: 3 });
        break;
      }
      case 'probe-result':
        set((s) => ({ probe: msg.result, probes: { ...s.probes, [msg.result.backend]: msg.result }, checking: false }));
        break;
      case 'error':
        set({ workerError: msg.message });
        break;
      default:
        get().onTrainingMessage(msg);
    }
  };
  const start = (first?: ToTrainingWorker, backend?: BackendChoice) => {
    client ??= trainingWorker();
    checkAfterInit = !first;
    set({ backend: null, workerError: null, checking: false, ...(first ? {} : { probe: null, probes: {} }) });
    client.start(handle, (message) => handle({ type: 'error', message }));
    const wasmThreads = get().wasmThreads;
    client.post({ type: 'init', backend: backend ?? get().backendChoice, checks: client.passes(), ...(wasmThreads ? { wasmThreads } : {}) });
    if (first) client.post(first);
  };
  return {
    backendChoice: readBackendSetting(),
    wasmThreads: readWasmThreads(),
    backend: null,
    adapter: undefined,
    probe: null,
    probes: {},
    checking: false,
    workerError: null,
    connect: () => start(),
    startTrainingWorker: (first, backend) => start(first, backend),
    sendToTrainingWorker: (msg) => client?.post(msg),
    setBackendChoice: (choice) => {
      localStorage.setItem(BACKEND_SETTING_KEY, choice);
      set({ backendChoice: choice });
      get().connect();
    },
    setWasmThreads: (n) => {
      localStorage.setItem(WASM_THREADS_KEY, String(n));
      set({ wasmThreads: n });
      get().connect();
    },
  };
};

export type StudioState = BackendSlice &
  DatasetsSlice &
  RunsSlice &
  ExportSlice &
  WeightsSlice &
  TorchExportSlice &
  ThresholdsSlice &
  FoldGroupsSlice &
  TabsSlice;

export const useStudio = create<StudioState>()((...a) => ({
  ...createBackendSlice(...a),
  ...createDatasetsSlice(...a),
  ...createRunsSlice(...a),
  ...createExportSlice(...a),
  ...createWeightsSlice(...a),
  ...createTorchExportSlice(...a),
  ...createThresholdsSlice(...a),
  ...createFoldGroupsSlice(...a),
  ...createTabsSlice(...a),
}));
