import { describe, expect, it } from 'vitest';
import { lessonToShow } from './lessonToShow';

describe('the lesson on show after a reload', () => {
  const lessons = [
    { id: 'a1', datasetId: 'a', createdAt: 1 },
    { id: 'b1', datasetId: 'b', createdAt: 2 },
    { id: 'a2', datasetId: 'a', createdAt: 3 },
    { id: 'b2', datasetId: 'b', createdAt: 4 },
  ];
  it("is the dataset's newest lesson", () => {
    expect(lessonToShow(lessons, 'a')?.id).toBe('a2');
    expect(lessonToShow(lessons, 'b')?.id).toBe('b2');
  });
  it('is the newest of any dataset when this one has none, or no dataset is selected', () => {
    expect(lessonToShow(lessons, 'c')?.id).toBe('b2');
    expect(lessonToShow(lessons, null)?.id).toBe('b2');
    expect(lessonToShow([], 'a')).toBeNull();
  });
});
