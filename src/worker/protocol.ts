/**
 * The one contract between the page and the workers. Every message that crosses a worker
 * boundary is one of the types below; nothing else is posted. The UI imports only this file
 * from src/worker (plus the worker URLs), never tfjs.
 */

/** Training backends the studio offers, in the order 'auto' tries them. */
export const TRAINING_BACKENDS = ['webgpu', 'webgl', 'cpu'] as const;
export type TrainingBackend = (typeof TRAINING_BACKENDS)[number];
export type BackendChoice = 'auto' | TrainingBackend;

/** Why a backend was or was not used: one line a user can read. */
export interface BackendAttempt {
  backend: TrainingBackend;
  used: boolean;
  reason: string;
}

export interface AdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** true for a software adapter such as SwiftShader */
  fallback: boolean;
}

export interface BackendReport {
  requested: BackendChoice;
  /** the backend tfjs is running on, or null when none could start */
  active: TrainingBackend | null;
  attempts: BackendAttempt[];
  /** the WebGPU adapter, when one was found (even if WebGPU was not used) */
  adapter: AdapterInfo | null;
  tfjsVersion: string;
}

/** Result of a short measured training run of a small network on the active backend. */
export interface ProbeResult {
  backend: string;
  size: number;
  batch: number;
  steps: number;
  /** loss after each step */
  losses: number[];
  /** wall time of the first step (includes shader compilation) */
  firstStepMs: number;
  /** median wall time of the later steps */
  stepMs: number;
  imagesPerSecond: number;
}

export type ToTrainingWorker =
  | { type: 'init'; backend: BackendChoice }
  | { type: 'probe'; size: number; batch: number; steps: number };

export type FromTrainingWorker =
  | { type: 'backend'; report: BackendReport }
  | { type: 'probe-result'; result: ProbeResult }
  | { type: 'error'; message: string };
