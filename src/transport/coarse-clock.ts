/**
 * A clock read on every incoming chunk must cost nothing: `now` is a plain
 * field refreshed by whoever needs time resolution (the heartbeat scheduler
 * advances it on each tick), not a Date.now() call per read.
 */
export const coarseClock = { now: Date.now() };

export function advanceCoarseClock(): number {
  coarseClock.now = Date.now();
  return coarseClock.now;
}
