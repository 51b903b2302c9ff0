import type { Command } from '../command';
import { backendInfo } from './backend-info';
import { makeDataset } from './make-dataset';
import { score } from './score';
import { split } from './split';
import { thresholds } from './thresholds';
import { modelSummary } from './model-summary';
import { trainCommand } from './train';
import { predictCommand } from './predict';
import { submitCommand } from './submit';
import { benchCommand } from './bench';

/** Every `hpa-studio` command, in the order `--help` lists them. Add new commands here. */
export const commands: Command[] = [
  backendInfo,
  makeDataset,
  split,
  score,
  thresholds,
  modelSummary,
  trainCommand,
  predictCommand,
  submitCommand,
  benchCommand,
];
