import { describe, expect, it } from 'vitest';
import { isLessonRun, runsToList } from './lessonRuns';

describe('lesson runs in the Runs table', () => {
  const runs = [
    { id: 'a', group: null },
    { id: 'l1', group: 'lesson-1' },
    { id: 'b', group: null },
    { id: 'l2', group: 'lesson-1' },
  ];
  it('are left out by default and counted', () => {
    expect(runsToList(runs, false)).toEqual({ shown: [runs[0], runs[2]], lessonRuns: 2 });
  });
  it('are shown, in their place, when asked for', () => {
    expect(runsToList(runs, true).shown.map((r) => r.id)).toEqual(['a', 'l1', 'b', 'l2']);
  });
  it('are the runs with a group', () => {
    expect(runs.map(isLessonRun)).toEqual([false, true, false, true]);
  });
  it('are not the folds of a K-fold group, which the Runs table lists under their group', () => {
    const withFolds = [...runs, { id: 'f0', group: 'kfold:g1' }];
    expect(withFolds.map(isLessonRun)).toEqual([false, true, false, true, false]);
    expect(runsToList(withFolds, false).shown.map((r) => r.id)).toEqual(['a', 'b', 'f0']);
  });
});
