// Broadcast: N subscribers on /sub, one publisher on /pub. The publisher keeps at most
// W messages' worth of deliveries outstanding (published * N - delivered), so a slow
// server cannot make buffers grow without bound.

import { LoadConnection, openConnections } from './load-connection.js';
import { binaryPayload, encodeMaskedFrame, repeatFrame } from './client-frames.js';
import { sleep } from './control.js';
import { closeWindow, openWindow } from './measure-window.js';

export async function runBroadcast(job) {
  const n = job.subscribers;
  const frame = encodeMaskedFrame(2, binaryPayload(job.size));
  const batch = repeatFrame(frame, job.window);
  const views = [batch.subarray(0, 0)];
  for (let k = 1; k <= job.window; k++) views.push(batch.subarray(0, k * frame.length));

  let delivered = 0;
  let published = 0;
  let sending = false;
  let publisher = null;
  const maybePublish = () => {
    if (!sending) return;
    const outstanding = published * n - delivered;
    let room = Math.floor((job.window * n - outstanding) / n);
    // Publish in batches of at least half the window so writes stay few.
    if (room >= Math.max(1, job.window >> 1)) {
      if (room > job.window) room = job.window; // only if a server delivered more than was sent
      published += room;
      publisher.write(views[room]);
    }
  };
  const onDelivery = (_conn, k) => {
    delivered += k;
    maybePublish();
  };

  const subs = await openConnections(n, 64, () => {
    const c = new LoadConnection(job.port, '/sub', onDelivery);
    c.counter.expectedOpcode = 2;
    c.counter.expectedLength = job.size;
    return c;
  });
  [publisher] = await openConnections(1, 1, () => new LoadConnection(job.port, '/pub', () => {}));
  sending = true;
  maybePublish();

  await sleep(job.warmupMs);
  const d0 = delivered;
  const w = openWindow(job.serverPid);
  await sleep(job.durationMs);
  const d1 = delivered;
  const window = closeWindow(w, job.serverPid);
  sending = false;

  let unexpected = 0;
  let closes = 0;
  let failed = 0;
  for (const c of subs) {
    unexpected += c.counter.unexpected;
    closes += c.counter.closeFrames;
    if (c.error !== null || c.closed) failed++;
    c.destroy();
  }
  if (publisher.error !== null || publisher.closed) failed++;
  publisher.destroy();
  return {
    deliveries: d1 - d0,
    deliveriesPerSec: (d1 - d0) / window.seconds,
    ...window,
    unexpected,
    closes,
    failedConnections: failed,
  };
}
