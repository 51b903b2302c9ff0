/**
 * The check before a run trains: the model's memory at the run's batch (core/memoryEstimate.ts),
 * from its layers' output shapes and the most parameters any phase trains, against the backend's
 * limits. The worker refuses a run whose verdict is 'refuse' with the message, before any step.
 */
import type * as tf from '@tensorflow/tfjs';
import { checkMemory, estimateTrainingMemory, type MemoryLimits, type MemoryVerdict } from '../memoryEstimate';
import { describeModel } from '../models/registry';
import { modelInfo } from '../models/catalog';
import { trainableParamCount } from './freeze';
import type { TrainingPhase } from './trainer';

export function memoryCheck(
  model: tf.LayersModel,
  run: { model: string; inputSize: number; batchSize: number; phases: Pick<TrainingPhase, 'trainable'>[] },
  limits: MemoryLimits,
): MemoryVerdict {
  const layers = describeModel(model).layers;
  const trainableParams = Math.max(0, ...run.phases.map((p) => trainableParamCount(model, p.trainable)));
  let largestWeight = { name: '', elements: 0 };
  for (const w of model.weights) {
    const n = w.shape.reduce((a: number, b) => a * (b ?? 1), 1);
    if (n > largestWeight.elements) largestWeight = { name: w.originalName, elements: n };
  }
  return checkMemory(
    (batchSize) => estimateTrainingMemory(layers, { batchSize, trainableParams, largestWeight }),
    run.batchSize,
    limits,
    `${modelInfo(run.model).label.split(' (')[0]} at ${run.inputSize} px`,
  );
}
