// Polling for state that changes outside a PeerSession (the in-process
// target client's events), bounded in time.

import { performance } from 'node:perf_hooks';

/** Resolve true once `pred()` holds (checked every 5 ms), false after `ms`. */
export async function waitUntil(pred, ms) {
  const end = performance.now() + ms;
  while (!pred()) {
    if (performance.now() > end) return false;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return true;
}
