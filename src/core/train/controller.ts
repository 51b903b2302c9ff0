/**
 * Pause, resume and stop a training run between batches. The worker calls the methods when the
 * user clicks; the loop awaits `gate()` before every batch.
 */
export type ControllerState = 'running' | 'paused' | 'stopping';

export class TrainingController {
  private _state: ControllerState = 'running';
  private wake: (() => void) | null = null;

  /** `onHeld`: called when a pause takes hold, i.e. the batch in flight has finished and the loop waits. */
  constructor(private readonly onHeld?: () => void) {}

  get state(): ControllerState {
    return this._state;
  }

  pause(): void {
    if (this._state === 'running') this._state = 'paused';
  }

  resume(): void {
    if (this._state === 'paused') this._state = 'running';
    this.release();
  }

  /** Ends the run after the batch in flight (also from a pause). */
  stop(): void {
    this._state = 'stopping';
    this.release();
  }

  /** Resolves true to go on, false to stop; waits while paused. */
  async gate(): Promise<boolean> {
    if (this._state === 'paused') this.onHeld?.();
    while (this._state === 'paused') await new Promise<void>((resolve) => (this.wake = resolve));
    return this._state === 'running';
  }

  private release(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }
}
