import { describe, expect, it } from 'vitest';
import { nextRunNumber, uniqueRunName } from './runName';

describe('uniqueRunName', () => {
  it('keeps a free name and numbers a taken one with the first free suffix', () => {
    expect(uniqueRunName('lesson · BCE · seed 1', [])).toBe('lesson · BCE · seed 1');
    expect(uniqueRunName('lesson · BCE · seed 1', ['lesson · BCE · seed 1'])).toBe('lesson · BCE · seed 1 #2');
    expect(uniqueRunName('lesson · BCE · seed 1', ['lesson · BCE · seed 1', 'lesson · BCE · seed 1 #2'])).toBe('lesson · BCE · seed 1 #3');
    expect(uniqueRunName('a', ['a', 'a #3'])).toBe('a #2');
  });

  it('gives two lessons of the same plan different run names', () => {
    const names: string[] = [];
    for (let lesson = 0; lesson < 3; lesson++) for (const v of ['BCE', 'Focal γ=2']) names.push(uniqueRunName(`lesson · ${v} · seed 1`, names));
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('nextRunNumber', () => {
  it('counts past the highest run number, so a deleted run does not free its number for a duplicate', () => {
    expect(nextRunNumber([])).toBe(1);
    expect(nextRunNumber(['run 1 · x', 'lesson · BCE · seed 1'])).toBe(2);
    // run 1 was deleted: runs.length + 1 would give 'run 2' a second time
    expect(nextRunNumber(['run 2 · x'])).toBe(3);
  });
});
