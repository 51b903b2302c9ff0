import { describe, expect, it } from 'vitest';
import { TrainingController } from './controller';

describe('TrainingController', () => {
  it('reports a pause as held only when the loop reaches its gate, not when Pause is pressed', async () => {
    let held = 0;
    const c = new TrainingController(() => held++);
    c.pause();
    expect(held).toBe(0); // the batch in flight is still running
    const gate = c.gate();
    expect(held).toBe(1);
    c.resume();
    await expect(gate).resolves.toBe(true);
    expect(held).toBe(1);
  });

  it('a stop during a pause ends the run', async () => {
    const c = new TrainingController();
    c.pause();
    const gate = c.gate();
    c.stop();
    await expect(gate).resolves.toBe(false);
  });
});
