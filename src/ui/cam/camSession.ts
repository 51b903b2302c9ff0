/**
 * The page's handle on the predict worker a sample viewer keeps for its class activation maps:
 * started with the first request, kept for the next (the worker keeps the run's model loaded),
 * ended by a cancel, by the viewer closing, or after a minute without a request.
 */
import type { CamRequest, FromPredictWorker } from '../../worker/protocol';
import { predictWorker } from '../workerClient';

export const CAM_IDLE_MS = 60_000;

export type CamWant = Omit<CamRequest, 'type' | 'checks' | 'jobId'>;

export class CamSession {
  private readonly client = predictWorker();
  private idle: ReturnType<typeof setTimeout> | null = null;
  /** the request whose answer is awaited (null: none; the idle clock runs) */
  private pending: string | null = null;
  private listener: (msg: FromPredictWorker) => void = () => {};

  constructor(private readonly idleMs = CAM_IDLE_MS) {}

  /** Asks for a map; every answer of the worker goes to `onMessage`. Returns the request's job id. */
  request(want: CamWant, onMessage: (msg: FromPredictWorker) => void): string {
    const jobId = crypto.randomUUID();
    this.listener = onMessage;
    this.pending = jobId;
    this.clearIdle();
    if (!this.client.busy)
      this.client.start(
        (msg) => {
          if ((msg.type === 'cam-result' || msg.type === 'failed' || msg.type === 'cancelled') && msg.jobId === this.pending) {
            this.pending = null;
            this.armIdle();
          }
          this.listener(msg);
        },
        (message) => {
          const job = this.pending;
          this.stop();
          if (job) this.listener({ type: 'failed', jobId: job, message });
        },
      );
    this.client.post({ type: 'cam', ...want, jobId, checks: this.client.passes() });
    return jobId;
  }

  /** Ends the worker and what it computes; the next request starts a fresh one (and loads the model again). */
  stop(): void {
    this.clearIdle();
    this.pending = null;
    this.client.stop();
  }

  get running(): boolean {
    return this.client.busy;
  }

  private armIdle(): void {
    this.clearIdle();
    this.idle = setTimeout(() => this.stop(), this.idleMs);
  }

  private clearIdle(): void {
    if (this.idle !== null) clearTimeout(this.idle);
    this.idle = null;
  }
}
