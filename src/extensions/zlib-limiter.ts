import { DEFAULT_ZLIB_CONCURRENCY } from '../protocol/permessage-deflate-negotiation.js';

/** Something that waits for a zlib slot; it must call `release()` once done. */
export interface ZlibSlotWaiter {
  onZlibSlot(): void;
}

/**
 * Bounds the zlib jobs in flight. Node runs asynchronous zlib work on the
 * libuv thread pool and allocates for every pending job; thousands of
 * connections compressing at once fragment memory badly (the reason ws has
 * `concurrencyLimit`). Waiters get slots in FIFO order.
 */
export class ZlibLimiter {
  readonly concurrency: number;
  private active = 0;
  private readonly waiting: ZlibSlotWaiter[] = [];
  private head = 0;
  private draining = false;

  constructor(concurrency: number = DEFAULT_ZLIB_CONCURRENCY) {
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new RangeError(`zlib concurrency must be an integer >= 1, got ${String(concurrency)}`);
    }
    this.concurrency = concurrency;
  }

  /** Jobs holding a slot. */
  get activeCount(): number {
    return this.active;
  }

  /** Waiters queued for a slot. */
  get pendingCount(): number {
    return this.waiting.length - this.head;
  }

  acquire(waiter: ZlibSlotWaiter): void {
    this.waiting.push(waiter);
    this.drain();
  }

  release(): void {
    this.active--;
    this.drain();
  }

  /**
   * Hands out free slots. A loop guarded by `draining` rather than recursion, so
   * a waiter that releases synchronously inside `onZlibSlot` cannot grow the stack.
   */
  private drain(): void {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.active < this.concurrency && this.head < this.waiting.length) {
        const waiter = this.waiting[this.head]!;
        this.waiting[this.head] = undefined as unknown as ZlibSlotWaiter;
        this.head++;
        if (this.head === this.waiting.length) {
          this.waiting.length = 0;
          this.head = 0;
        } else if (this.head >= 1024 && this.head * 2 >= this.waiting.length) {
          this.waiting.splice(0, this.head);
          this.head = 0;
        }
        this.active++;
        waiter.onZlibSlot();
      }
    } finally {
      this.draining = false;
    }
  }
}

const sharedLimiters = new Map<number, ZlibLimiter>();

/**
 * The process-wide limiter for a concurrency value: every codec configured with
 * the same `concurrencyLimit` (10 unless set) shares one pool of slots.
 */
export function sharedZlibLimiter(concurrency: number = DEFAULT_ZLIB_CONCURRENCY): ZlibLimiter {
  let limiter = sharedLimiters.get(concurrency);
  if (limiter === undefined) {
    limiter = new ZlibLimiter(concurrency);
    sharedLimiters.set(concurrency, limiter);
  }
  return limiter;
}
