import type { Command } from '../command';
import { backendInfo } from './backend-info';
import { makeDataset } from './make-dataset';

/** Every `hpa-studio` command, in the order `--help` lists them. Add new commands here. */
export const commands: Command[] = [backendInfo, makeDataset];
