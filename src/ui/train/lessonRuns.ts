/**
 * The loss lesson's runs (many short runs, tagged with their lesson's id in RunRecord.group) stay
 * out of the Runs table and the runs comparison unless asked for; the lesson view lists its own.
 */
import type { RunRecord } from '../../data/catalog';
import { isFoldRun } from './foldGroupRuns';

/** A run in a group that is not a K-fold group is the loss lesson's (runsSlice startLesson: group = the lesson's id). */
export const isLessonRun = (r: Pick<RunRecord, 'group'>) => r.group !== null && !isFoldRun(r);

/** The runs the Runs table and the comparison show, and how many lesson runs they leave out. */
export function runsToList<R extends Pick<RunRecord, 'group'>>(runs: readonly R[], showLessonRuns: boolean): { shown: R[]; lessonRuns: number } {
  const lessonRuns = runs.filter(isLessonRun).length;
  return { shown: showLessonRuns ? [...runs] : runs.filter((r) => !isLessonRun(r)), lessonRuns };
}
