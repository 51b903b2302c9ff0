/** The training part of the studio store: the run setup, the live run, and the stored runs. */
import type { StateCreator } from 'zustand';
import { deleteLesson, deleteRun, listLessons, listRuns, putLesson, type RunRecord } from '../../data/catalog';
import { DEFAULT_RUN } from '../../core/runConfig';
import { addReport, emptyEta, emptyRateWindow, updateEta, type Eta, type RateWindow } from '../../core/eta';
import { NUM_CLASSES } from '../../core/labels';
import { classHistogram, gradientLossOf, gradientShare } from '../../core/lesson/gradientShare';
import { lessonRunMetrics } from '../../core/lesson/runMetrics';
import type { LessonRecord, LessonRun } from '../../core/lesson/types';
import { DEFAULT_LESSON_SETTINGS, lessonBaseConfig, lessonVariant, planLesson, type LessonSettings } from '../../core/lesson/variants';
import type {
  BackendChoice,
  BatchProgress,
  EpochLogs,
  FromTrainingWorker,
  RunConfig,
  RunEndStatus,
  RunInfo,
  TrainingBackend,
  TrainRequest,
} from '../../worker/protocol';
import { UNDER_ONE_PERCENT } from '../evaluation/rarity';
import { nextRunNumber, uniqueRunName } from '../runs/runName';
import { lessonToShow } from '../lesson/lessonToShow';
import { adapterKey, findRemembered } from '../../core/backendChoice';
import { readAutoChoices, saveAutoOutcome } from '../autoBackendChoices';
import { announce, claimDataset, describeHold, holdsElsewhere, type DatasetClaim } from '../../data/tabCoordination';
import type { StudioState } from '.';

const SETUP_KEY = 'hpa-studio.run-setup';
const LESSON_SETTINGS_KEY = 'hpa-studio.lesson-settings';
const MAX_POINTS = 4000;

export interface LiveRun {
  runId: string;
  name: string;
  group: string | null;
  phase: 'starting' | 'loading' | 'training' | 'ended';
  paused: boolean;
  /** Pause was pressed and the batch in flight has not finished yet */
  pausing: boolean;
  info: RunInfo | null;
  loading: { done: number; total: number; note: string } | null;
  /** per-batch loss points (step = global batch index) */
  points: { step: number; loss: number }[];
  epochs: EpochLogs[];
  progress: BatchProgress | null;
  /** the run's ETA over a window of recent batch reports (src/core/eta.ts); it restarts after a pause */
  eta: Eta;
  /** images trained against training seconds (validation left out), for a windowed img/s */
  speed: RateWindow;
  /** training seconds of the epochs before `epoch`: the clock `speed` is measured on */
  trainClock: { epoch: number; before: number; seconds: number };
  valProbs: Float32Array | null;
  valTruth: Uint8Array | null;
  lrReductions: { epoch: number; lr: number }[];
  status: RunEndStatus | null;
  message: string | null;
  /** the backends the ended run can resume on from its last checkpoint (its GPU device was lost), or null */
  resumeOn: TrainingBackend[] | null;
  startedAt: number;
}

export interface RunsSlice {
  setup: RunConfig;
  live: LiveRun | null;
  runs: RunRecord[];
  /** the loss lesson on show: the one training, or the newest stored */
  lesson: LessonRecord | null;
  lessonSettings: LessonSettings;
  setSetup: (patch: Partial<RunConfig>) => void;
  resetSetup: (config: RunConfig) => void;
  /** `runId`: the id the run takes (a K-fold group fixes its folds' ids when it starts); default a fresh one */
  startRun: (datasetId: string, opts?: { name?: string; config?: RunConfig; group?: string; runId?: string }) => void;
  setLessonSettings: (patch: Partial<LessonSettings>) => void;
  /** trains the loss lesson's runs one after another (src/core/lesson/variants.ts) on this dataset */
  startLesson: (dataset: { id: string; name: string }) => void;
  /** trains the runs a stopped or interrupted lesson has left */
  continueLesson: () => void;
  /** stops the lesson's run in flight; the finished runs' results stay */
  stopLesson: () => void;
  /** shows the newest stored lesson of this dataset, else the newest of any (after a reload, or when the dataset changes) */
  loadLesson: (datasetId?: string | null) => Promise<void>;
  /** deletes the lesson on show (and, if asked, its runs) */
  removeLesson: (withRuns: boolean) => Promise<void>;
  pauseRun: () => void;
  resumeRun: () => void;
  stopRun: () => void;
  resumeInterrupted: (runId: string) => void;
  /** resumes a run from its last checkpoint on this backend (after its GPU device was lost) */
  resumeRunOn: (runId: string, backend: TrainingBackend) => void;
  refreshRuns: () => Promise<void>;
  removeRun: (runId: string) => Promise<void>;
  onTrainingMessage: (msg: FromTrainingWorker) => void;
}

function readLessonSettings(): LessonSettings {
  try {
    const saved = typeof localStorage !== 'undefined' ? localStorage.getItem(LESSON_SETTINGS_KEY) : null;
    return saved ? { ...DEFAULT_LESSON_SETTINGS, ...(JSON.parse(saved) as Partial<LessonSettings>) } : DEFAULT_LESSON_SETTINGS;
  } catch {
    return DEFAULT_LESSON_SETTINGS;
  }
}

/** A run of the lesson still to train (a fresh run id each time it is trained). */
const pendingRun = (r: Pick<LessonRun, 'variant' | 'seed' | 'totalEpochs'>): LessonRun => ({
  runId: crypto.randomUUID(),
  variant: r.variant,
  seed: r.seed,
  status: 'pending',
  startedAt: null,
  seconds: null,
  epochsDone: 0,
  totalEpochs: r.totalEpochs,
  backend: null,
  trainImages: null,
  trainAfterSampling: null,
  trainClassCounts: null,
  gradient: [],
  liveHistograms: null,
  metrics: null,
  message: null,
});

/** The run's own recipe: the lesson's shared one, its variant's loss and sampler, its seed. */
const lessonRunConfig = (l: LessonRecord, r: LessonRun): RunConfig => ({ ...lessonVariant(r.variant).apply(l.base), seed: r.seed });

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
  pausing: false,
  info: null,
  loading: null,
  points: [],
  epochs: [],
  progress: null,
  eta: emptyEta,
  speed: emptyRateWindow,
  trainClock: { epoch: 0, before: 0, seconds: 0 },
  valProbs: null,
  valTruth: null,
  lrReductions: [],
  status: null,
  message: null,
  resumeOn: null,
  startedAt: Date.now(),
});

export function describeRecipe(c: RunConfig): string {
  const loss =
    c.loss === 'focal' ? `focal γ=${c.gamma}${c.alpha.mode !== 'none' ? ` α=${c.alpha.mode === 'scalar' ? c.alpha.value : c.alpha.mode}` : ''}` : c.loss;
  const t = c.transfer;
  const start = t ? ` · ${t.weights ? 'pretrained' : 'random init'}${t.warmupEpochs > 0 ? ` · ${t.warmupEpochs} warm-up +` : ' ·'}` : ' ·';
  return `${c.model} ${c.inputSize}px${start} ${loss} · ${c.sampler === 'none' ? 'no sampler' : `${c.sampler} sampler`} · batch ${c.batchSize} · lr ${c.lr} · ${c.epochs} ep`;
}

/** A transfer recipe's settings in words (the run's tooltip and the runs table), or '' for GAPNet. */
export function describeTransfer(c: RunConfig): string {
  const t = c.transfer;
  if (!t) return '';
  return [
    t.channels === 'widen' ? 'first conv widened to RGBY' : t.channels === 'rgb' ? 'RGB only (yellow dropped)' : 'learned 1×1 adapter RGBY→RGB',
    t.head === 'seed' ? "the seed's head" : 'GAP head',
    t.weights ? 'from pretrained weights' : 'from random weights',
    t.warmupEpochs > 0 ? `warm-up ${t.warmupEpochs} ep at lr ${t.warmupLr} with the backbone frozen` : 'no warm-up',
    `then ${t.unfreeze === 'all' ? 'every layer' : `the last ${t.unfreeze.lastBlocks} blocks`} at lr ${c.lr}`,
  ].join(' · ');
}

/** the dataset the run in flight trains on, held for this tab (src/data/tabCoordination.ts) */
let runClaim: DatasetClaim | null = null;

export const createRunsSlice: StateCreator<StudioState, [], [], RunsSlice> = (set, get) => {
  /** `backend`: pinned for this run (no 'auto' measurement); else the backend setting */
  const launch = (req: TrainRequest, backend?: BackendChoice) => {
    const auto = !backend && get().backendChoice === 'auto';
    const autoChoices = auto ? readAutoChoices() : [];
    req = { ...req, autoBackend: auto, ...(auto ? { autoChoices } : {}) };
    // a choice remembered for the adapter the last worker reported: the run's worker starts on it at once
    const report = get().backend;
    const scope = { model: req.config.model, inputSize: req.config.inputSize, batchSize: req.config.batchSize, wasmThreads: get().wasmThreads };
    const known = auto && report ? findRemembered(autoChoices, { ...scope, adapter: adapterKey(report.adapter) }) : null;
    set({ live: newLive(req) });
    // one tab at a time trains on a dataset: another tab's hold ends this run before it starts, saying whose it is
    void claimDataset({ datasetId: req.datasetId, kind: 'training', runId: req.runId, runName: req.name }).then(async (claim) => {
      if (!claim) {
        const hold = (await holdsElsewhere())[req.datasetId];
        void get().refreshHolds();
        const why = `${hold ? describeHold(hold) : 'Another tab of this studio holds this dataset'}: one tab at a time trains on a dataset. Train again once that ends.`;
        get().onTrainingMessage({ type: 'run-ended', runId: req.runId, status: 'failed', message: why });
        return;
      }
      void runClaim?.release();
      runClaim = claim;
      // nothing remembered: the worker starts on wasm, which starts at once, and the probe starts the
      // others itself (starting webgpu first cost 22 s of start checks on a software adapter)
      get().startTrainingWorker({ type: 'train', request: req }, known ? known.backend : auto ? 'wasm' : backend);
    });
  };
  const releaseRun = () => {
    void runClaim?.release().then(() => announce({ type: 'runs' }));
    runClaim = null;
  };
  /** names of the stored runs and the one in flight (a new run's name must differ from all of them) */
  const takenNames = () => [...get().runs.map((r) => r.name), ...(get().live ? [get().live!.name] : [])];
  const patchLive = (runId: string, patch: (l: LiveRun) => Partial<LiveRun>) =>
    set((s) => (s.live && s.live.runId === runId ? { live: { ...s.live, ...patch(s.live) } } : {}));

  // ── the loss lesson: its runs one after another, each reported into the lesson's record ──
  const saveLesson = () => {
    const l = get().lesson;
    if (l) void putLesson(l).catch(() => undefined); // storage full: the page still shows the lesson
  };
  const patchLesson = (patch: (l: LessonRecord) => Partial<LessonRecord>) => set((s) => (s.lesson ? { lesson: { ...s.lesson, ...patch(s.lesson) } } : {}));
  const lessonRunOf = (runId: string): LessonRun | undefined => {
    const l = get().lesson;
    return l && l.status === 'running' ? l.runs.find((r) => r.runId === runId) : undefined;
  };
  const patchLessonRun = (runId: string, patch: (r: LessonRun) => Partial<LessonRun>) =>
    patchLesson((l) => ({ runs: l.runs.map((r) => (r.runId === runId ? { ...r, ...patch(r) } : r)) }));
  const launchNextLessonRun = () => {
    const l = get().lesson;
    if (!l || l.status !== 'running') return;
    const next = l.runs.find((r) => r.status === 'pending');
    if (!next) {
      patchLesson(() => ({ status: 'done', message: null }));
      saveLesson();
      return;
    }
    patchLessonRun(next.runId, () => ({ status: 'running', startedAt: Date.now() }));
    saveLesson();
    const v = lessonVariant(next.variant);
    launch(
      {
        runId: next.runId,
        name: uniqueRunName(`lesson · ${v.label} · seed ${next.seed}`, takenNames()),
        datasetId: l.datasetId,
        config: lessonRunConfig(l, next),
        group: l.id,
        splitSeed: l.settings.splitSeed,
        checkpoints: false,
      },
      l.backend === 'auto' ? undefined : (l.backend as BackendChoice),
    );
  };
  const endLessonRun = (runId: string, status: RunEndStatus, message: string | null) => {
    const run = lessonRunOf(runId);
    if (!run) return;
    const live = get().live;
    const seconds = run.startedAt ? (Date.now() - run.startedAt) / 1000 : null;
    const probs = live?.runId === runId ? live.valProbs : null;
    const truth = live?.runId === runId ? live.valTruth : null;
    const ok = status === 'done' && probs && truth;
    patchLessonRun(runId, () => ({
      status: ok ? 'done' : status === 'done' ? 'failed' : status,
      seconds,
      startedAt: null,
      metrics: ok ? lessonRunMetrics(probs, truth, NUM_CLASSES, UNDER_ONE_PERCENT) : null,
      liveHistograms: null,
      message: ok || status !== 'done' ? message : 'the run reported no validation predictions',
    }));
    patchLesson((l) => ({ elapsedMs: l.elapsedMs + (seconds ?? 0) * 1000 }));
    if (ok) return launchNextLessonRun();
    const l = get().lesson!;
    const ended = l.runs.filter((r) => r.status === 'done').length;
    patchLesson(() => ({
      status: status === 'stopped' ? 'stopped' : 'failed',
      message:
        status === 'stopped'
          ? `Stopped after ${ended} of ${l.runs.length} runs; the results below use the runs that finished.`
          : `Run '${lessonVariant(run.variant).label}, seed ${run.seed}' failed: ${message ?? 'no reason given'}`,
    }));
    saveLesson();
  };
  return {
    setup: readSetup(),
    live: null,
    runs: [],
    lesson: null,
    lessonSettings: readLessonSettings(),
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
      const taken = takenNames();
      const name = uniqueRunName(opts.name ?? `run ${nextRunNumber(taken)} · ${describeRecipe(config)}`, taken);
      launch({ runId: opts.runId ?? crypto.randomUUID(), name, datasetId, config, group: opts.group ?? null });
    },
    setLessonSettings: (patch) => {
      const lessonSettings = { ...get().lessonSettings, ...patch };
      localStorage.setItem(LESSON_SETTINGS_KEY, JSON.stringify(lessonSettings));
      set({ lessonSettings });
    },
    startLesson: (dataset) => {
      const settings = get().lessonSettings;
      const setup = get().setup;
      const choice = get().backendChoice;
      const plan = planLesson(setup, settings);
      const lesson: LessonRecord = {
        id: crypto.randomUUID(),
        createdAt: Date.now(),
        datasetId: dataset.id,
        datasetName: dataset.name,
        settings,
        base: lessonBaseConfig(setup, settings),
        // 'auto': the first run measures (or finds a remembered choice), the rest reuse its choice (src/ui/autoBackendChoices.ts)
        backend: choice,
        status: 'running',
        message: null,
        elapsedMs: 0,
        runs: plan.map((p) => pendingRun({ variant: p.variant, seed: p.seed, totalEpochs: p.config.epochs })),
      };
      set({ lesson });
      launchNextLessonRun();
    },
    continueLesson: () => {
      const l = get().lesson;
      if (!l || l.status === 'running' || l.status === 'done') return;
      set({ lesson: { ...l, status: 'running', message: null, runs: l.runs.map((r) => (r.status === 'done' ? r : pendingRun(r))) } });
      launchNextLessonRun();
    },
    stopLesson: () => {
      const l = get().lesson;
      if (!l || l.status !== 'running') return;
      const running = l.runs.find((r) => r.status === 'running');
      if (running && get().live?.phase !== 'ended' && !get().workerError) return get().stopRun(); // the run ends 'stopped'; endLessonRun stops the lesson
      // no run in flight, or its worker failed and cannot answer
      patchLesson((x) => ({
        status: 'stopped',
        message: `Stopped after ${x.runs.filter((r) => r.status === 'done').length} of ${x.runs.length} runs; the results below use the runs that finished.`,
        runs: x.runs.map((r) => (r.status === 'running' ? { ...r, status: 'stopped', startedAt: null, message: get().workerError } : r)),
      }));
      saveLesson();
    },
    loadLesson: async (datasetId = null) => {
      if (get().lesson?.status === 'running') return;
      const lessons = await listLessons();
      if (get().lesson?.status === 'running') return; // started while the list was read
      for (const stored of lessons)
        if (stored.status === 'running') {
          // it was training when the page went away: its unfinished runs are lost, the finished ones stay
          const done = stored.runs.filter((r) => r.status === 'done').length;
          stored.status = 'interrupted';
          stored.message = `Interrupted (the page was reloaded or closed) after ${done} of ${stored.runs.length} runs; the results below use the runs that finished.`;
          stored.runs = stored.runs.map((r) => (r.status === 'running' ? { ...r, status: 'stopped', startedAt: null, message: 'interrupted' } : r));
          void putLesson(stored).catch(() => undefined);
        }
      set({ lesson: lessonToShow(lessons, datasetId) });
    },
    removeLesson: async (withRuns) => {
      const l = get().lesson;
      if (!l || l.status === 'running') return;
      await deleteLesson(l.id);
      if (withRuns) for (const r of get().runs.filter((x) => x.group === l.id)) await deleteRun(r.id);
      set({ lesson: null });
      await get().refreshRuns();
      await get().loadLesson();
    },
    pauseRun: () => {
      set((s) => (s.live && s.live.phase !== 'ended' ? { live: { ...s.live, pausing: true } } : {}));
      get().sendToTrainingWorker({ type: 'pause' });
    },
    resumeRun: () => get().sendToTrainingWorker({ type: 'resume' }),
    stopRun: () => get().sendToTrainingWorker({ type: 'stop' }),
    resumeInterrupted: (runId) => {
      const run = get().runs.find((r) => r.id === runId);
      if (!run) return;
      launch({ runId, name: run.name, datasetId: run.datasetId, config: run.config as unknown as RunConfig, resume: true, group: run.group });
    },
    resumeRunOn: (runId, backend) => {
      const run = get().runs.find((r) => r.id === runId);
      if (!run) return;
      launch({ runId, name: run.name, datasetId: run.datasetId, config: run.config as unknown as RunConfig, resume: true, group: run.group }, backend);
    },
    refreshRuns: async () => {
      const [runs, elsewhere] = await Promise.all([listRuns(), holdsElsewhere()]);
      const liveId = get().live?.phase !== 'ended' ? get().live?.runId : null;
      const trainingElsewhere = new Set(Object.values(elsewhere).map((h) => h.runId));
      // A run still marked running or paused but training neither in this page nor in another tab was interrupted (reload, closed tab).
      for (const r of runs) if ((r.status === 'running' || r.status === 'paused') && r.id !== liveId && !trainingElsewhere.has(r.id)) r.status = 'interrupted';
      set({ runs });
      await get().loadFoldGroups();
    },
    removeRun: async (runId) => {
      await deleteRun(runId);
      announce({ type: 'runs' });
      await get().refreshRuns();
    },
    onTrainingMessage: (msg) => {
      switch (msg.type) {
        case 'run-started':
          saveAutoOutcome(msg.info.autoBackend);
          patchLive(msg.info.runId, () => ({ info: msg.info, phase: 'training', loading: null, epochs: msg.info.history }));
          if (lessonRunOf(msg.info.runId))
            patchLessonRun(msg.info.runId, () => ({
              backend: msg.info.backend,
              trainImages: msg.info.trainImages,
              trainAfterSampling: msg.info.trainAfterSampling,
              trainClassCounts: msg.info.trainClassCounts,
              totalEpochs: msg.info.totalEpochs,
            }));
          void get().refreshRuns();
          announce({ type: 'runs' });
          break;
        case 'loading':
          patchLive(msg.runId, () => ({ phase: 'loading', loading: { done: msg.done, total: msg.total, note: msg.note } }));
          break;
        case 'batch':
          patchLive(msg.progress.runId, (l) => {
            const step = (msg.progress.epoch - 1) * msg.progress.batchesPerEpoch + msg.progress.batch;
            let points = [...l.points, { step, loss: msg.progress.loss }];
            if (points.length > MAX_POINTS) points = points.filter((_, i) => i % 2 === 0);
            const p = msg.progress;
            const total = (l.info?.totalEpochs ?? p.epoch) * p.batchesPerEpoch;
            const c = l.trainClock;
            const trainClock = p.epoch === c.epoch ? { ...c, seconds: p.seconds } : { epoch: p.epoch, before: c.before + c.seconds, seconds: p.seconds };
            const images = step * ((l.info?.trainAfterSampling ?? p.batchesPerEpoch) / p.batchesPerEpoch);
            return {
              progress: p,
              points,
              eta: updateEta(l.eta, step, total, performance.now()),
              speed: addReport(l.speed, images, (trainClock.before + trainClock.seconds) * 1000),
              trainClock,
            };
          });
          break;
        case 'epoch':
          announce({ type: 'runs' }); // the run's record holds the epoch already: the other tabs' lists show it
          patchLive(msg.runId, (l) => ({
            epochs: [...l.epochs.filter((e) => e.epoch !== msg.logs.epoch), msg.logs],
            valProbs: msg.valProbs,
            valTruth: msg.valTruth,
            lrReductions: msg.lrReductions,
          }));
          {
            // the lesson's mechanism, live: where this epoch's loss gradient comes from, and the rare classes' probabilities
            const run = lessonRunOf(msg.runId);
            if (run) {
              const { loss, weight } = gradientLossOf(lessonRunConfig(get().lesson!, run), run.trainClassCounts, NUM_CLASSES);
              const share = gradientShare(msg.valProbs, msg.valTruth, NUM_CLASSES, loss, weight, UNDER_ONE_PERCENT);
              patchLessonRun(msg.runId, (r) => ({
                epochsDone: msg.logs.epoch,
                gradient: [...r.gradient.slice(0, msg.logs.epoch - 1), share],
                liveHistograms: UNDER_ONE_PERCENT.map((c) => classHistogram(msg.valProbs, msg.valTruth, NUM_CLASSES, c)),
              }));
            }
          }
          break;
        case 'paused':
          // the pause is no evidence of speed: the estimates start again
          patchLive(msg.runId, () => ({ paused: msg.paused, pausing: false, eta: emptyEta, speed: emptyRateWindow }));
          break;
        case 'run-ended':
          if (get().live?.runId === msg.runId) releaseRun();
          patchLive(msg.runId, () => ({ phase: 'ended', status: msg.status, message: msg.message, paused: false, resumeOn: msg.resumeOn ?? null }));
          void get().refreshRuns();
          // a GPU fault leaves the worker's device lost or its memory in doubt: the status bar's worker starts afresh
          if (msg.restartWorker) get().connect();
          endLessonRun(msg.runId, msg.status, msg.message);
          get().onFoldRunEnded(msg.runId, msg.status, msg.message);
          break;
      }
    },
  };
};
