import type { Command } from '../command';
import { backendInfo } from './backend-info';
import { makeDataset } from './make-dataset';
import { score } from './score';
import { split } from './split';
import { thresholds } from './thresholds';
import { modelSummary } from './model-summary';
import { trainCommand } from './train';
import { predictCommand } from './predict';
import { camCommand } from './cam';
import { submitCommand } from './submit';
import { weightsReport } from './weights-report';

/** Every `hpa-studio` command of the CLI, in the order `--help` lists them (the entry point adds `bench`). Add new commands here. */
export const commands: Command[] = [
  backendInfo,
  makeDataset,
  split,
  score,
  thresholds,
  modelSummary,
  weightsReport,
  trainCommand,
  predictCommand,
  camCommand,
  submitCommand,
];
