// Counts the timers alive in this process, unref'd ones included.
// process.getActiveResourcesInfo() lists only timers that keep the loop alive,
// so it cannot see the heartbeat scheduler's unref'd interval, nor any
// unref'd per-connection timer: an async_hooks init hook sees every Timeout
// when it is created, and a Timeout marks itself `_destroyed` once cleared or
// fired (a Node internal, stable since Node 10), so no destroy hook is needed.
// Import this module before anything that may create timers.

import { createHook } from 'node:async_hooks';

const timeouts = new Set();
const harness = new WeakSet();

const hook = createHook({
  init(_id, type, _trigger, resource) {
    if (type === 'Timeout') timeouts.add(resource);
  },
});
hook.enable();

/** Stops watching (its init hook costs a call per async resource: off while timing). */
export function stopTimerCensus() {
  hook.disable();
}

/** Marks a timer of the measuring harness, left out of the census. */
export function harnessTimer(timer) {
  harness.add(timer);
  return timer;
}

/** A sleep whose timer the census leaves out (and which has fired by the time the caller resumes). */
export function sleep(ms) {
  return new Promise((resolve) => harnessTimer(setTimeout(resolve, ms)));
}

/**
 * The timers alive now, apart from the harness's: each with its period, whether it
 * repeats, whether it is ref'd, and the name `nameOf(timer)` gives it (or null).
 */
export function liveTimers(nameOf = () => null) {
  const live = [];
  for (const t of timeouts) {
    if (t._destroyed) {
      timeouts.delete(t);
      continue;
    }
    if (harness.has(t)) continue;
    live.push({ ms: t._idleTimeout, repeat: t._repeat !== null && t._repeat !== undefined, ref: t.hasRef(), name: nameOf(t) });
  }
  return live;
}

/** Ref'd timers as Node's public API reports them. */
export function activeTimeoutResources() {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}
