/** The files behind a --weights path: one file (.h5, .zip, model.json + its shards beside it) or a folder of a TF.js model. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UsageError } from './command';
import { readWeightsFiles, type ReadWeights } from '../core/weights/readWeights';

export async function readWeightsPath(path: string): Promise<ReadWeights> {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new UsageError(`--weights ${path}: no such file or folder`);
  }
  const dir = st.isDirectory() ? path : /\.json$/i.test(path) ? dirname(path) : null;
  const names = dir ? readdirSync(dir).filter((n) => /\.(json|bin)$/i.test(n) || /shard/i.test(n)) : [basename(path)];
  const files = names.map((n) => ({ name: n, bytes: new Uint8Array(readFileSync(dir ? join(dir, n) : path)) }));
  return readWeightsFiles(files);
}
