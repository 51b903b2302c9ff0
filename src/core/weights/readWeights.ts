/**
 * One entry for whatever the user drops or names as weights: a Keras .h5 file, a TF.js layers
 * model folder (model.json + shards) or a zip of one. The page's drop, the download and the CLI all
 * come through here.
 */
import { isHdf5, readKerasH5, WeightsFileError } from './kerasH5';
import type { NamedWeight } from './namedWeight';
import { readTfjsLayersWeights, type DroppedFile } from './tfjsWeights';

export interface ReadWeights {
  weights: NamedWeight[];
  source: 'h5' | 'tfjs';
  /** the .h5 or .zip, or model.json for a folder */
  fileName: string;
  /** bytes of everything read */
  fileBytes: number;
  kerasVersion?: string;
}

export async function readWeightsFiles(files: DroppedFile[]): Promise<ReadWeights> {
  if (!files.length) throw new WeightsFileError('no weights file given');
  const fileBytes = files.reduce((s, f) => s + f.bytes.byteLength, 0);
  const h5 = files.filter((f) => isHdf5(f.bytes) || /\.(h5|hdf5|keras)$/i.test(f.name));
  if (h5.length) {
    if (files.length > 1) throw new WeightsFileError(`drop one .h5 file at a time (got ${files.map((f) => f.name).join(', ')})`);
    const r = await readKerasH5(h5[0].bytes, h5[0].name);
    return { weights: r.weights, source: 'h5', fileName: h5[0].name, fileBytes, kerasVersion: r.kerasVersion };
  }
  const weights = await readTfjsLayersWeights(files);
  const main = files.find((f) => /\.zip$/i.test(f.name)) ?? files.find((f) => /\.json$/i.test(f.name)) ?? files[0];
  return { weights, source: 'tfjs', fileName: main.name.replace(/^.*[\\/]/, ''), fileBytes };
}
