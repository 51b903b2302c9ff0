/**
 * The dedicated training worker. Recreated per run (WebGPU frees GPU memory only when its
 * backend is disposed). Speaks only the messages of ./protocol.
 */
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from './backend';
import { measureTrainingSteps, median } from '../core/probe';
import type { FromTrainingWorker, ToTrainingWorker } from './protocol';

const post = (msg: FromTrainingWorker) => (self as unknown as { postMessage(m: FromTrainingWorker): void }).postMessage(msg);

self.onmessage = async (event: MessageEvent<ToTrainingWorker>) => {
  const msg = event.data;
  try {
    switch (msg.type) {
      case 'init': {
        post({ type: 'backend', report: await selectBackend(msg.backend) });
        break;
      }
      case 'probe': {
        const { losses, stepTimesMs } = await measureTrainingSteps(tf, msg);
        const stepMs = median(stepTimesMs.slice(1).length ? stepTimesMs.slice(1) : stepTimesMs);
        post({
          type: 'probe-result',
          result: {
            backend: tf.getBackend(),
            size: msg.size,
            batch: msg.batch,
            steps: msg.steps,
            losses,
            firstStepMs: stepTimesMs[0],
            stepMs,
            imagesPerSecond: (msg.batch * 1000) / stepMs,
          },
        });
        break;
      }
    }
  } catch (e) {
    post({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  }
};
