/**
 * group.json, the file that makes a folder a K-fold run group for `predict`: where each fold's model
 * is, the thresholds each method applies (fitted out of fold; vote: each fold model's own per-class
 * thresholds) and the method with the best honest out-of-fold score (docs/kfold.md).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ComparisonRow, GroupMethod, GroupThresholds } from '../core/foldGroup';
import { GROUP_METHODS } from '../core/foldGroup';

export const FOLD_GROUP_KIND = 'hpa-studio fold group';

export interface FoldGroupFile {
  kind: typeof FOLD_GROUP_KIND;
  folds: { fold: number; dir: string; model: string }[];
  /** the method with the best cross-fitted out-of-fold macro F1 */
  best: GroupMethod;
  thresholds: GroupThresholds;
  comparison: ComparisonRow[];
}

/** The group file of a folder, or null when `path` is not a folder; an error names what is wrong with a folder that is not a group. */
export function readFoldGroup(path: string): FoldGroupFile | null {
  if (!existsSync(path) || !statSync(path).isDirectory()) return null;
  const file = join(path, 'group.json');
  if (!existsSync(file)) throw new Error(`${path} is a folder without group.json: give a model zip, or the folder 'hpa-studio train --all-folds' wrote`);
  let g: FoldGroupFile;
  try {
    g = JSON.parse(readFileSync(file, 'utf8')) as FoldGroupFile;
  } catch (e) {
    throw new Error(`${file} is not valid JSON (${(e as Error).message})`, { cause: e });
  }
  if (g.kind !== FOLD_GROUP_KIND) throw new Error(`${file}: kind is '${String(g.kind)}', expected '${FOLD_GROUP_KIND}'`);
  if (!Array.isArray(g.folds) || g.folds.length < 2) throw new Error(`${file}: a group needs at least 2 folds`);
  if (!GROUP_METHODS.includes(g.best)) throw new Error(`${file}: best method '${String(g.best)}' is not one of ${GROUP_METHODS.join(', ')}`);
  if (!Array.isArray(g.thresholds?.vote) || g.thresholds.vote.length !== g.folds.length)
    throw new Error(`${file}: thresholds.vote must hold one threshold list per fold (${g.folds.length})`);
  for (const f of g.folds) if (!existsSync(join(path, f.model))) throw new Error(`${file}: fold ${f.fold}'s model ${join(path, f.model)} is missing`);
  return g;
}
