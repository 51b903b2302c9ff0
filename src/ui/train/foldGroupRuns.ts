/**
 * A K-fold run group's ids and the words for its folds: a group's id starts with 'kfold:', so a
 * fold run (RunRecord.group = that id) is told from a loss-lesson run (group = the lesson's id) by
 * its group alone, and a route's `run` can name a group.
 */
import type { RunRecord } from '../../data/catalog';

const PREFIX = 'kfold:';

export const newFoldGroupId = (): string => `${PREFIX}${crypto.randomUUID()}`;

export const isFoldGroupId = (id: string | null | undefined): id is string => typeof id === 'string' && id.startsWith(PREFIX);

export const isFoldRun = (r: Pick<RunRecord, 'group'>): boolean => isFoldGroupId(r.group);

/** "fold 2 (of 0–4)": a fold as the run setup's Fold field numbers it (from 0), with its split's K. */
export const foldWords = (fold: number, folds: number): string => `fold ${fold} (of 0–${folds - 1})`;
