import type { LessonRecord } from '../../core/lesson/types';

/** The lesson the view shows: the newest of this dataset, else the newest of any (its dataset is named then). */
export function lessonToShow<L extends Pick<LessonRecord, 'datasetId' | 'createdAt'>>(lessons: readonly L[], datasetId: string | null): L | null {
  const newest = (list: readonly L[]) => list.reduce<L | null>((best, l) => (!best || l.createdAt >= best.createdAt ? l : best), null);
  return (datasetId !== null && newest(lessons.filter((l) => l.datasetId === datasetId))) || newest(lessons);
}
