/**
 * What src/accel gives training and prediction: the fused Adam (./fusedAdam.ts) and a step runner
 * that, on webgpu, records a step's GPU commands and replays them for later batches
 * (./webgpu/stepReplay.ts; elsewhere, or with HPA_STEP_REPLAY false, each step runs through tfjs).
 * The code that sets up a run passes it to train() and predictValidation() (`...accelTraining`)
 * and its stepRunner to predict(); core's defaults are tfjs's Adam and plain steps.
 */
import type { StepRunnerFactory } from '../core/train/stepRunner';
import type { OptimizerFactory } from '../core/train/trainer';
import { createAdam } from './fusedAdam';
import { StepReplayer } from './webgpu/stepReplay';

export const accelTraining: { optimizer: OptimizerFactory; stepRunner: StepRunnerFactory } = {
  optimizer: createAdam,
  stepRunner: () => new StepReplayer(),
};
