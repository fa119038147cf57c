import type { ZlibLimiter, ZlibSlotWaiter } from './zlib-limiter.js';

export type ZlibJobCallback<E extends Error> = (error: E | null, result?: Buffer) => void;

/**
 * An ordered queue of zlib jobs over one zlib stream (one direction of one
 * connection). Jobs run one at a time, each inside a slot of the shared
 * limiter, and complete in the order they were queued, so a connection's
 * messages keep their order although zlib is asynchronous. Jobs are kept in
 * parallel arrays: no object or closure per job beyond the caller's callback.
 */
export abstract class ZlibJobLane<E extends Error> implements ZlibSlotWaiter {
  private readonly limiter: ZlibLimiter;
  private readonly jobData: Array<Buffer | undefined> = [];
  private readonly jobFin: boolean[] = [];
  private readonly jobCallback: Array<ZlibJobCallback<E> | undefined> = [];
  private head = 0;
  /** Queued in the limiter or holding a slot. */
  private inLimiter = false;
  /** A job is running in zlib (holding a slot). */
  protected running = false;
  protected closed = false;

  constructor(limiter: ZlibLimiter) {
    this.limiter = limiter;
  }

  /** Starts the job; must end with exactly one `finishJob` call, never synchronously. */
  protected abstract startJob(data: Buffer, fin: boolean): void;

  /** Drops the zlib stream (so that its late events are ignored) and frees it. */
  protected abstract dropStream(): void;

  get pendingJobs(): number {
    return this.jobData.length - this.head;
  }

  /** Queues a job; returns false (and does nothing) once the lane is closed. */
  enqueue(data: Buffer, fin: boolean, callback: ZlibJobCallback<E>): boolean {
    if (this.closed) return false;
    this.jobData.push(data);
    this.jobFin.push(fin);
    this.jobCallback.push(callback);
    if (!this.inLimiter) {
      this.inLimiter = true;
      this.limiter.acquire(this);
    }
    return true;
  }

  onZlibSlot(): void {
    if (this.closed || this.head === this.jobData.length) {
      this.inLimiter = false;
      this.limiter.release();
      return;
    }
    this.running = true;
    this.startJob(this.jobData[this.head]!, this.jobFin[this.head]!);
  }

  /** Completes the running job: frees the slot, queues for the next job, calls back. */
  protected finishJob(error: E | null, result?: Buffer): void {
    if (!this.running) return;
    const callback = this.shiftJob();
    this.running = false;
    this.inLimiter = false;
    this.limiter.release();
    if (this.head < this.jobData.length) {
      this.inLimiter = true;
      this.limiter.acquire(this);
    }
    callback(error, result);
  }

  /** Fails the running job on the next tick (for errors found synchronously in `startJob`). */
  protected finishJobSoon(error: E): void {
    process.nextTick(ZlibJobLane.finishDeferred, this, error);
  }

  private static finishDeferred(lane: ZlibJobLane<Error>, error: Error): void {
    lane.finishJob(error);
  }

  private shiftJob(): ZlibJobCallback<E> {
    const callback = this.jobCallback[this.head]!;
    this.jobData[this.head] = undefined;
    this.jobCallback[this.head] = undefined;
    this.head++;
    if (this.head === this.jobData.length) {
      this.jobData.length = 0;
      this.jobFin.length = 0;
      this.jobCallback.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.jobData.length) {
      // A lane that never drains completely must not keep growing its arrays.
      this.jobData.splice(0, this.head);
      this.jobFin.splice(0, this.head);
      this.jobCallback.splice(0, this.head);
      this.head = 0;
    }
    return callback;
  }

  /**
   * Frees the zlib stream and fails every job not yet completed, in order, with
   * `error`. A lane still queued in the limiter gives its slot back when it
   * gets one.
   */
  close(error: E): void {
    if (this.closed) return;
    this.closed = true;
    this.dropStream();
    if (this.running) {
      this.running = false;
      this.inLimiter = false;
      this.limiter.release();
    }
    while (this.head < this.jobData.length) {
      this.shiftJob()(error);
    }
  }
}
