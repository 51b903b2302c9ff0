/** The training part of the studio store: the run setup, the live run, and the stored runs. */
import type { StateCreator } from 'zustand';
import { deleteRun, listRuns, type RunRecord } from '../../data/catalog';
import { DEFAULT_RUN } from '../../core/runConfig';
import type { BatchProgress, EpochLogs, FromTrainingWorker, RunConfig, RunEndStatus, RunInfo, TrainRequest } from '../../worker/protocol';
import type { StudioState } from '.';

const SETUP_KEY = 'hpa-studio.run-setup';
const MAX_POINTS = 4000;

export interface LiveRun {
  runId: string;
  name: string;
  group: string | null;
  phase: 'starting' | 'loading' | 'training' | 'ended';
  paused: boolean;
  info: RunInfo | null;
  loading: { done: number; total: number; note: string } | null;
  /** per-batch loss points (step = global batch index) */
  points: { step: number; loss: number }[];
  epochs: EpochLogs[];
  progress: BatchProgress | null;
  valProbs: Float32Array | null;
  valTruth: Uint8Array | null;
  lrReductions: { epoch: number; lr: number }[];
  status: RunEndStatus | null;
  message: string | null;
  startedAt: number;
}

export interface RunsSlice {
  setup: RunConfig;
  live: LiveRun | null;
  runs: RunRecord[];
  /** requests waiting to start after the current run (the loss lesson) */
  queue: TrainRequest[];
  /** the runs of the last 'Compare losses' lesson */
  lessonGroup: string | null;
  setSetup: (patch: Partial<RunConfig>) => void;
  resetSetup: (config: RunConfig) => void;
  startRun: (datasetId: string, opts?: { name?: string; config?: RunConfig; group?: string }) => void;
  compareLosses: (datasetId: string) => void;
  pauseRun: () => void;
  resumeRun: () => void;
  stopRun: () => void;
  resumeInterrupted: (runId: string) => void;
  refreshRuns: () => Promise<void>;
  removeRun: (runId: string) => Promise<void>;
  onTrainingMessage: (msg: FromTrainingWorker) => void;
}

function readSetup(): RunConfig {
  try {
    const saved = typeof localStorage !== 'undefined' ? localStorage.getItem(SETUP_KEY) : null;
    return saved ? { ...DEFAULT_RUN, ...(JSON.parse(saved) as Partial<RunConfig>) } : DEFAULT_RUN;
  } catch {
    return DEFAULT_RUN;
  }
}

const newLive = (req: TrainRequest): LiveRun => ({
  runId: req.runId,
  name: req.name,
  group: req.group ?? null,
  phase: 'starting',
  paused: false,
  info: null,
  loading: null,
  points: [],
  epochs: [],
  progress: null,
  valProbs: null,
  valTruth: null,
  lrReductions: [],
  status: null,
  message: null,
  startedAt: Date.now(),
});

export function describeRecipe(c: RunConfig): string {
  const loss =
    c.loss === 'focal' ? `focal γ=${c.gamma}${c.alpha.mode !== 'none' ? ` α=${c.alpha.mode === 'scalar' ? c.alpha.value : c.alpha.mode}` : ''}` : c.loss;
  return `${c.model} ${c.inputSize}px · ${loss} · ${c.sampler === 'none' ? 'no sampler' : `${c.sampler} sampler`} · batch ${c.batchSize} · lr ${c.lr} · ${c.epochs} ep`;
}

export const createRunsSlice: StateCreator<StudioState, [], [], RunsSlice> = (set, get) => {
  const launch = (req: TrainRequest) => {
    req = { ...req, autoBackend: get().backendChoice === 'auto' };
    set({ live: newLive(req) });
    get().startTrainingWorker({ type: 'train', request: req });
  };
  const patchLive = (runId: string, patch: (l: LiveRun) => Partial<LiveRun>) =>
    set((s) => (s.live && s.live.runId === runId ? { live: { ...s.live, ...patch(s.live) } } : {}));
  return {
    setup: readSetup(),
    live: null,
    runs: [],
    queue: [],
    lessonGroup: null,
    setSetup: (patch) => {
      const setup = { ...get().setup, ...patch };
      localStorage.setItem(SETUP_KEY, JSON.stringify(setup));
      set({ setup });
    },
    resetSetup: (config) => {
      localStorage.setItem(SETUP_KEY, JSON.stringify(config));
      set({ setup: config });
    },
    startRun: (datasetId, opts = {}) => {
      const config = opts.config ?? get().setup;
      const n = get().runs.length + 1;
      launch({ runId: crypto.randomUUID(), name: opts.name ?? `run ${n} · ${describeRecipe(config)}`, datasetId, config, group: opts.group ?? null });
    },
    compareLosses: (datasetId) => {
      const base = get().setup;
      const group = crypto.randomUUID();
      const bce: RunConfig = { ...base, loss: 'bce', alpha: { mode: 'none' } };
      const focal: RunConfig = { ...base, loss: 'focal', gamma: 2, alpha: { mode: 'none' } };
      set({ lessonGroup: group, queue: [{ runId: crypto.randomUUID(), name: 'lesson · focal γ=2', datasetId, config: focal, group }] });
      launch({ runId: crypto.randomUUID(), name: 'lesson · BCE', datasetId, config: bce, group });
    },
    pauseRun: () => get().sendToTrainingWorker({ type: 'pause' }),
    resumeRun: () => get().sendToTrainingWorker({ type: 'resume' }),
    stopRun: () => {
      set({ queue: [] });
      get().sendToTrainingWorker({ type: 'stop' });
    },
    resumeInterrupted: (runId) => {
      const run = get().runs.find((r) => r.id === runId);
      if (!run) return;
      launch({ runId, name: run.name, datasetId: run.datasetId, config: run.config as unknown as RunConfig, resume: true, group: run.group });
    },
    refreshRuns: async () => {
      const runs = await listRuns();
      const liveId = get().live?.phase !== 'ended' ? get().live?.runId : null;
      // A run still marked running or paused but not training in this page was interrupted (reload, closed tab).
      for (const r of runs) if ((r.status === 'running' || r.status === 'paused') && r.id !== liveId) r.status = 'interrupted';
      set({ runs });
    },
    removeRun: async (runId) => {
      await deleteRun(runId);
      await get().refreshRuns();
    },
    onTrainingMessage: (msg) => {
      switch (msg.type) {
        case 'run-started':
          patchLive(msg.info.runId, () => ({ info: msg.info, phase: 'training', loading: null, epochs: msg.info.history }));
          void get().refreshRuns();
          break;
        case 'loading':
          patchLive(msg.runId, () => ({ phase: 'loading', loading: { done: msg.done, total: msg.total, note: msg.note } }));
          break;
        case 'batch':
          patchLive(msg.progress.runId, (l) => {
            const step = (msg.progress.epoch - 1) * msg.progress.batchesPerEpoch + msg.progress.batch;
            let points = [...l.points, { step, loss: msg.progress.loss }];
            if (points.length > MAX_POINTS) points = points.filter((_, i) => i % 2 === 0);
            return { progress: msg.progress, points };
          });
          break;
        case 'epoch':
          patchLive(msg.runId, (l) => ({
            epochs: [...l.epochs.filter((e) => e.epoch !== msg.logs.epoch), msg.logs],
            valProbs: msg.valProbs,
            valTruth: msg.valTruth,
            lrReductions: msg.lrReductions,
          }));
          break;
        case 'paused':
          patchLive(msg.runId, () => ({ paused: msg.paused }));
          break;
        case 'run-ended': {
          patchLive(msg.runId, () => ({ phase: 'ended', status: msg.status, message: msg.message, paused: false }));
          void get().refreshRuns();
          const [next, ...rest] = get().queue;
          if (next && msg.status === 'done') {
            set({ queue: rest });
            launch(next);
          } else set({ queue: [] });
          break;
        }
      }
    },
  };
};
