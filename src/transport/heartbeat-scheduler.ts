/**
 * One timer for every connection's heartbeat. 100 000 idle connections cost
 * one interval and one pass over a Set per tick, not 100 000 timers.
 *
 * A connection is pinged once it has been silent for `interval`; if nothing at
 * all (pong or data) arrives within `timeout` of that ping, it is terminated.
 */
import { advanceCoarseClock, coarseClock } from './coarse-clock.js';

export interface HeartbeatOptions {
  /** Milliseconds of silence before a ping. */
  interval: number;
  /** Milliseconds to wait for any sign of life after a ping. */
  timeout: number;
}

export interface HeartbeatMember {
  /** Coarse time of the last byte received. */
  readonly lastSeen: number;
  heartbeatPing(): void;
  heartbeatExpired(): void;
}

interface MemberState {
  pingSentAt: number;
}

export class HeartbeatScheduler {
  readonly interval: number;
  readonly timeout: number;
  private readonly members = new Map<HeartbeatMember, MemberState>();
  private timer: NodeJS.Timeout | null = null;
  /** Ticks at a quarter of the shorter period: detection is late by at most that much. */
  private readonly period: number;
  private lastTick = 0;

  constructor(options: HeartbeatOptions) {
    if (!(options.interval > 0) || !(options.timeout > 0)) {
      throw new RangeError('heartbeat interval and timeout must be positive numbers of milliseconds');
    }
    this.interval = options.interval;
    this.timeout = options.timeout;
    this.period = Math.max(10, Math.floor(Math.min(this.interval, this.timeout) / 4));
  }

  get size(): number {
    return this.members.size;
  }

  add(member: HeartbeatMember): void {
    advanceCoarseClock();
    this.members.set(member, { pingSentAt: 0 });
    if (this.timer === null) {
      this.lastTick = coarseClock.now;
      this.timer = setInterval(() => this.tick(), this.period);
      this.timer.unref();
    }
  }

  delete(member: HeartbeatMember): void {
    this.members.delete(member);
    if (this.members.size === 0) this.stop();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** One pass over all members (exposed for tests). */
  tick(now: number = advanceCoarseClock()): void {
    // After an event-loop stall this timer runs before the socket reads that
    // were held up with it: expiring now would kill peers whose pongs are
    // waiting to be read. Expiry waits for the next, punctual tick.
    const stalled = this.lastTick !== 0 && now - this.lastTick > 2 * this.period;
    this.lastTick = now;
    // Connections opened together fall due together, and a long tick makes the
    // next ones late, merging more groups: without a cap, most of 100 000
    // connections were pinged in one tick (0.2-0.5 s of writes). Twice the
    // even share lets a backlog catch up; the rest stay due for the next tick.
    let pingBudget = Math.ceil((2 * this.members.size * this.period) / this.interval);
    for (const [member, state] of this.members) {
      const seen = member.lastSeen;
      if (state.pingSentAt !== 0) {
        if (seen >= state.pingSentAt) state.pingSentAt = 0;
        else if (!stalled && now - state.pingSentAt >= this.timeout) {
          this.members.delete(member);
          member.heartbeatExpired();
          continue;
        } else continue;
      }
      if (pingBudget > 0 && now - seen >= this.interval) {
        pingBudget--;
        state.pingSentAt = now;
        member.heartbeatPing();
      }
    }
    if (this.members.size === 0) this.stop();
  }
}
