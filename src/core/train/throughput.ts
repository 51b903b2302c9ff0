/**
 * Images per second for the live view, from the trainer's batch reports.
 *
 * Reports are throttled (one every 200 ms or so), and each gives the rate over the images since the
 * previous one. The epoch's last batch is always reported, and since the trainer reads each loss one
 * step late, that report comes right after the one before it: its own window can be a millisecond
 * long and its rate absurd (3,922 img/s for a run that trained at about 85). So the last report of an
 * epoch gives the epoch's average instead, which is also what the epoch's logs say. A window never
 * spans the validation between epochs: it restarts with each epoch.
 */
export class Throughput {
  private windowStart: number;
  private windowImages = 0;
  private epochStart: number;
  private epochImages = 0;

  constructor(now: number) {
    this.windowStart = now;
    this.epochStart = now;
  }

  startEpoch(now: number): void {
    this.epochStart = this.windowStart = now;
    this.epochImages = this.windowImages = 0;
  }

  /** A batch of `images` has trained. */
  add(images: number): void {
    this.windowImages += images;
    this.epochImages += images;
  }

  /** The rate to show now (the epoch's average for its last batch); a new window starts. */
  take(now: number, lastOfEpoch: boolean): number {
    const [images, since] = lastOfEpoch ? [this.epochImages, this.epochStart] : [this.windowImages, this.windowStart];
    this.windowStart = now;
    this.windowImages = 0;
    return (images * 1000) / Math.max(1, now - since);
  }
}
