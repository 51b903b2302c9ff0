/**
 * The PyTorch export of a run: its weights as NumPy's .npz under their studio names, config.json
 * (the RunConfig, the network, the class names, the thresholds), thresholds.csv, and the generated
 * model.py and predict.py; "as a PyTorch project" adds train.py and folds.csv (every labelled id with
 * its fold). Pure: from the run's config, its checkpoint's weights and what the caller read about
 * the dataset to file bytes, in the page's worker and in the CLI alike (docs/torch-export.md).
 */
import { formatFoldsCsv, formatThresholdsCsv } from '../csv';
import { writeZipFiles } from '../zipFiles';
import type { RunConfig } from '../runConfig';
import { writeNpz, type NpyArray } from './npz';
import { modelPy } from './modelPy';
import { predictPy } from './predictPy';
import { readmeMd } from './readme';
import { networkSpec, recipeSpec, TorchExportError, type NetworkSpec } from './spec';
import { trainPy } from './trainPy';

export { TorchExportError };

export const TORCH_EXPORT_FORMAT = 'hpa-studio-torch-export';
export const TORCH_EXPORT_VERSION = 1;

export interface TorchExportInput {
  config: RunConfig;
  /** the checkpoint's weights by their studio names (conv1/kernel, bn1/moving_mean, …) */
  weights: readonly ({ name: string } & NpyArray)[];
  /** the side the run's images were stored at (the dataset's resolution) */
  storedSize: number;
  classNames: readonly string[];
  /** one per class; null: 0.5 for every class */
  thresholds: ArrayLike<number> | null;
  /** how the thresholds were chosen, in words (config.json keeps it) */
  thresholdsFrom: string;
  run: { id: string; name: string; datasetId: string; datasetName: string; checkpoint: 'best' | 'last'; epoch: number };
  /** the fold of every labelled id (hold-out: 0 = validation, 1 = training); needed for the project */
  folds: { ids: readonly string[]; folds: ArrayLike<number> } | null;
  created?: Date;
}

export interface TorchExportJson {
  format: typeof TORCH_EXPORT_FORMAT;
  formatVersion: number;
  run: TorchExportInput['run'];
  config: RunConfig;
  network: NetworkSpec;
  classNames: string[];
  thresholds: { values: number[]; from: string };
  files: string[];
  created: string;
}

/** A file name made of the run's name: letters, digits, dot, dash and underscore. */
export function torchExportName(runName: string): string {
  return (
    runName
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 80) || 'run'
  );
}

/** The export's files in order (name → bytes); `project` adds train.py and folds.csv. */
export async function torchExportFiles(input: TorchExportInput, o: { project: boolean }): Promise<[string, Uint8Array][]> {
  const classes = input.classNames.length;
  const network = networkSpec(input.config, input.storedSize, classes);
  const thresholds = input.thresholds ? Array.from(input.thresholds) : new Array<number>(classes).fill(0.5);
  if (thresholds.length !== classes) throw new TorchExportError(`${thresholds.length} thresholds for ${classes} classes`);
  if (!input.weights.length) throw new TorchExportError(`run '${input.run.name}' has no weights in its checkpoint`);
  if (o.project && !input.folds) throw new TorchExportError(`run '${input.run.name}': the project needs the run's split (the fold of every labelled id)`);
  const created = input.created ?? new Date();
  const about = `Written by HPA Studio on ${created.toISOString().slice(0, 10)} from run '${input.run.name}' (dataset '${input.run.datasetName}', ${input.run.checkpoint} checkpoint, epoch ${input.run.epoch}).`;
  const text = (s: string) => new TextEncoder().encode(s);
  const names = ['README.md', 'config.json', 'weights.npz', 'thresholds.csv', 'model.py', 'predict.py', ...(o.project ? ['train.py', 'folds.csv'] : [])];
  const json: TorchExportJson = {
    format: TORCH_EXPORT_FORMAT,
    formatVersion: TORCH_EXPORT_VERSION,
    run: input.run,
    config: input.config,
    network,
    classNames: [...input.classNames],
    thresholds: { values: thresholds, from: input.thresholdsFrom },
    files: names,
    created: created.toISOString(),
  };
  const files: [string, Uint8Array][] = [
    ['README.md', text(readmeMd(input.run.name, network, o.project))],
    ['config.json', text(JSON.stringify(json, null, 2) + '\n')],
    ['weights.npz', await writeNpz(input.weights.map((w) => [w.name, w]))],
    ['thresholds.csv', text(formatThresholdsCsv(thresholds))],
    ['model.py', text(modelPy(network, about))],
    ['predict.py', text(predictPy(about))],
  ];
  if (o.project) {
    files.push(['train.py', text(trainPy(recipeSpec(input.config), about))]);
    files.push(['folds.csv', text(formatFoldsCsv(input.folds!.ids, input.folds!.folds))]);
  }
  return files;
}

/** The export as one zip whose files sit in a folder named after the run. */
export async function writeTorchExportZip(input: TorchExportInput, o: { project: boolean }): Promise<{ fileName: string; bytes: Uint8Array }> {
  const folder = `${torchExportName(input.run.name)}-pytorch`;
  const files = await torchExportFiles(input, o);
  const bytes = await writeZipFiles(
    files.map(([name, b]): [string, Uint8Array] => [`${folder}/${name}`, b]),
    { lastModDate: input.created, level: (name) => (name.endsWith('.npz') ? 0 : undefined) },
  );
  return { fileName: `${folder}.zip`, bytes };
}
