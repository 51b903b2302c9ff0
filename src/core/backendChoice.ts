/**
 * The *Auto* backend choice as data: which backends a probe of a run's model measures and in what
 * order, when a backend is clearly slower and its measurement stops, and the choices a page
 * remembers (per adapter × model × input size × batch × wasm threads) so that the next run of the
 * same shape trains at once. tfjs-free: the training worker times the steps (src/worker/autoBackend.ts),
 * the page keeps the choices (src/ui/autoBackendChoices.ts).
 *
 * Measured on a 2-core EPYC with SwiftShader (gapnet-pl, 32 px, batch 8): webgpu's first step takes
 * ~15 s (its WGSL compiled on the CPU) and then 2.7 s a step, webgl's ~6 s (3.4 s of it compiling
 * in the worker's own thread) and then ~0.8 s, wasm's 0.2 s and then 0.07 s. Measuring all three in
 * full took 30–55 s; measuring wasm first and stopping the others once they fall behind, a few.
 */

/** The backends the probe measures (cpu is never faster than wasm). */
export type ProbeBackend = 'webgpu' | 'webgl' | 'wasm';

/** One backend's figure in the probe. */
export interface ProbeFigure {
  backend: ProbeBackend;
  /** training images per second over its timed steps, or null when it did not run or was stopped before one */
  imagesPerSecond: number | null;
  /** why it has no figure, or how it was cut short ('' when measured in full) */
  note: string;
  /** seconds this backend took in the probe (its start, checks and steps) */
  seconds?: number;
}

/** What a choice depends on. */
export interface ChoiceScope {
  /** adapterKey(...) of the WebGPU adapter ('none' without one) */
  adapter: string;
  model: string;
  inputSize: number;
  batchSize: number;
  /** the wasm thread setting (0: tfjs's choice) */
  wasmThreads: number;
}

/** A measured choice, as the page remembers it. */
export interface AutoChoice extends ChoiceScope {
  backend: ProbeBackend;
  figures: ProbeFigure[];
  /** when it was measured (ms since the epoch) */
  measuredAt: number;
  /** seconds the probe took */
  seconds: number;
  /** the adapter was a software one (SwiftShader) */
  softwareAdapter: boolean;
}

/** The most choices a page keeps (newest first). */
export const MAX_REMEMBERED_CHOICES = 40;

/** Timed steps per backend after its warm-up step. */
export const TIMED_STEPS = 2;

/**
 * A GPU backend's first step compiles its programs, which a run pays once: a first step shorter than
 * this is never taken as a sign that the backend is slower (it would be, on a real GPU, against
 * wasm's few hundred milliseconds).
 */
export const WARMUP_GRACE_MS = 2000;

/** A timed step this many times the best backend's step ends that backend's measurement. */
export const CLEARLY_SLOWER = 2;

interface AdapterLike {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  fallback: boolean;
}

export function adapterKey(a: AdapterLike | null | undefined): string {
  if (!a) return 'none';
  return [a.vendor, a.architecture, a.device, a.description, a.fallback ? 'fallback' : 'hardware'].join('/');
}

export function choiceKey(s: ChoiceScope): string {
  return `${s.adapter} | ${s.model} | ${s.inputSize} px | batch ${s.batchSize} | wasm threads ${s.wasmThreads || 'auto'}`;
}

/** The remembered choice for exactly this scope, or null. */
export function findRemembered(choices: readonly AutoChoice[], scope: ChoiceScope): AutoChoice | null {
  const key = choiceKey(scope);
  return choices.find((c) => choiceKey(c) === key) ?? null;
}

/** The list with `choice` in front, replacing one of the same scope, at most MAX_REMEMBERED_CHOICES long. */
export function rememberChoice(choices: readonly AutoChoice[], choice: AutoChoice): AutoChoice[] {
  const key = choiceKey(choice);
  return [choice, ...choices.filter((c) => choiceKey(c) !== key)].slice(0, MAX_REMEMBERED_CHOICES);
}

/**
 * The order to measure in: on a software adapter wasm first (it wins there, and its short
 * measurement lets the others stop early), then webgl before webgpu: a stopped webgpu step goes on
 * in the GPU process for seconds, and WebGL's start waits behind it (10.8 s against 0.25 s, measured);
 * on a GPU the GPU backends first.
 */
export function probeOrder(softwareAdapter: boolean): ProbeBackend[] {
  return softwareAdapter ? ['wasm', 'webgl', 'webgpu'] : ['webgpu', 'webgl', 'wasm'];
}

/**
 * On a software adapter: why webgpu and webgl need no measuring, when wasm already beat both for
 * this model on this adapter (at another input size or batch); else null.
 */
export function gpuSkipReason(choices: readonly AutoChoice[], scope: ChoiceScope, softwareAdapter: boolean): string | null {
  if (!softwareAdapter) return null;
  const won = choices.find(
    (c) =>
      c.softwareAdapter &&
      c.adapter === scope.adapter &&
      c.model === scope.model &&
      c.wasmThreads === scope.wasmThreads &&
      c.backend === 'wasm' &&
      c.figures.some((f) => f.backend === 'webgpu') &&
      c.figures.some((f) => f.backend === 'webgl'),
  );
  return won
    ? `skipped: on this software adapter wasm beat it for ${won.model} at ${won.inputSize} px, batch ${won.batchSize} (${formatWhen(won.measuredAt)})`
    : null;
}

/** The best backend measured so far. */
export interface Leader {
  backend: ProbeBackend;
  /** its warm-up and timed steps together */
  wholeMs: number;
  /** its mean timed step */
  stepMs: number;
}

/**
 * How long a step of a backend measured after `leader` may take before that backend counts as
 * clearly slower and its measurement stops (null: no limit, nothing measured yet). The warm-up step
 * may take as long as the leader's whole measurement, or WARMUP_GRACE_MS where that is longer; a
 * timed step CLEARLY_SLOWER times the leader's step.
 */
export function stepDeadlineMs(leader: Leader | null, warmUp: boolean): number | null {
  if (!leader) return null;
  return warmUp ? Math.max(WARMUP_GRACE_MS, leader.wholeMs) : CLEARLY_SLOWER * leader.stepMs;
}

/** The fastest measured figure, or null. */
export function fastest(figures: readonly ProbeFigure[]): ProbeFigure | null {
  let best: ProbeFigure | null = null;
  for (const f of figures) if (f.imagesPerSecond !== null && (!best || f.imagesPerSecond > best.imagesPerSecond!)) best = f;
  return best;
}

export function formatWhen(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

export function describeFigures(figures: readonly ProbeFigure[]): string {
  return figures
    .map((f) =>
      f.imagesPerSecond === null ? `${f.backend} n/a (${f.note})` : `${f.backend} ${f.imagesPerSecond.toFixed(1)} img/s${f.note ? ` (${f.note})` : ''}`,
    )
    .join(', ');
}

/** A figure in a few words: 'wasm 48.0 img/s', 'webgpu stopped', 'webgl skipped', 'webgpu n/a'. */
export function figureWords(f: ProbeFigure): string {
  if (f.imagesPerSecond !== null) return `${f.backend} ${f.imagesPerSecond.toFixed(1)} img/s`;
  const word = /^(stopped|skipped)\b/.exec(f.note)?.[1];
  return `${f.backend} ${word ?? 'n/a'}`;
}

/** The status line's and the run's words on an *Auto* choice. */
export function describeChoice(c: AutoChoice, remembered: boolean): string {
  const what = `fastest for ${c.model} at ${c.inputSize} px, batch ${c.batchSize}`;
  return remembered
    ? `auto: remembered from ${formatWhen(c.measuredAt)}: ${what} (${describeFigures(c.figures)})`
    : `auto: ${what}, measured in ${c.seconds.toFixed(1)} s (${describeFigures(c.figures)})`;
}
