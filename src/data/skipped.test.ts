import { describe, expect, it } from 'vitest';
import { firstSkipped, mergeSkipped, skippedCsv } from './skipped';

const truncated = { subject: 'train/a_red.png', reason: 'truncated PNG: the file ends before its image data is complete (60 bytes)', sample: 'a' };
const missing = { subject: 'b', reason: 'missing channel files: b_green.png', sample: 'b' };
const odd = { subject: 'test/c_blue.png', reason: 'image is 20×20 while the others are 16×16', sample: 'c' };

describe('a dataset skip list across imports', () => {
  it('keeps the records of earlier imports next to the new ones', () => {
    expect(mergeSkipped([truncated, missing], [odd], new Set())).toEqual([truncated, missing, odd]);
  });

  it('replaces the record of a sample skipped again and drops the one of a sample stored now', () => {
    const again = { ...truncated, subject: 'train/a_blue.png', reason: 'corrupt PNG: its compressed image data does not decompress' };
    expect(mergeSkipped([truncated, missing, odd], [again], new Set(['b']))).toEqual([odd, again]);
  });
});

describe('the skip list on screen and as CSV', () => {
  it('shows the first few as "file — reason" and counts the rest', () => {
    const many = Array.from({ length: 8 }, (_, i) => ({ subject: `train/s${i}_red.png`, reason: 'corrupt PNG: x' }));
    const shown = firstSkipped(many, 5);
    expect(shown.lines).toHaveLength(5);
    expect(shown.lines[0]).toBe('train/s0_red.png — corrupt PNG: x');
    expect(shown.more).toBe(3);
    expect(firstSkipped([missing]).more).toBe(0);
  });

  it('quotes CSV fields with commas', () => {
    expect(skippedCsv([missing, truncated])).toBe(
      'subject,reason\nb,missing channel files: b_green.png\ntrain/a_red.png,truncated PNG: the file ends before its image data is complete (60 bytes)\n',
    );
    expect(skippedCsv([{ subject: 'x', reason: 'a, b' }])).toBe('subject,reason\nx,"a, b"\n');
  });
});
