import { describe, expect, it } from 'vitest';
import { BufferPool } from './bufferPool';

describe('BufferPool', () => {
  it('hands a given-back buffer out again for the same size only, with its old bytes', () => {
    const pool = new BufferPool();
    const a = pool.take(16);
    a.fill(7);
    pool.give(a);
    expect(pool.size).toBe(1);
    const other = pool.take(32); // another size: a new buffer
    expect(other.buffer).not.toBe(a.buffer);
    expect(pool.size).toBe(1);
    const again = pool.take(16);
    expect(again.buffer).toBe(a.buffer);
    expect(Array.from(again)).toEqual(new Array(16).fill(7)); // the taker fills it: nothing is cleared
    expect(pool.size).toBe(0);
    expect(pool.take(16).buffer).not.toBe(a.buffer); // handed out once: a second take gets a new one
  });

  it('keeps a buffer once, at most `max` of them (the newest), and ignores views that are not their whole buffer', () => {
    const pool = new BufferPool(2);
    const a = new Uint8Array(8);
    pool.give(a);
    pool.give(a); // given twice: kept once, so it can never be handed to two takers
    expect(pool.size).toBe(1);
    pool.give(new Uint8Array(new ArrayBuffer(16), 8)); // part of a buffer someone else holds
    pool.give(new Uint8Array(0));
    expect(pool.size).toBe(1);
    const odd = new Uint8Array(3); // a short last batch's buffer
    pool.give(odd);
    expect(pool.size).toBe(2);
    const b = new Uint8Array(8);
    pool.give(b); // full: the oldest (a) goes
    expect(pool.size).toBe(2);
    expect(pool.take(8).buffer).toBe(b.buffer);
    expect(pool.take(8).buffer).not.toBe(a.buffer);
    expect(pool.take(3).buffer).toBe(odd.buffer);
    const detached = new Uint8Array(8);
    structuredClone(detached.buffer, { transfer: [detached.buffer] });
    pool.clear();
    pool.give(detached); // its buffer went to another thread
    expect(pool.size).toBe(0);
  });
});
