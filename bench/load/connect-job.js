// Connection rate: N handshakes with P pending at a time, all kept open; then the runner
// samples the server's RSS with every connection idle, and the load closes them.

import { LoadConnection, openConnections } from './load-connection.js';
import { mark, sleep } from './control.js';
import { closeWindow, openWindow } from './measure-window.js';

const noMessages = () => {};

export async function runConnect(job) {
  // Warm the server's handshake path (JIT) with a few connections, closed before measuring.
  const warm = await openConnections(job.warmupConnections, job.parallel, () => new LoadConnection(job.port, '/', noMessages));
  for (const c of warm) c.destroy();
  await sleep(job.settleMs); // let the server drop them before its baseline
  await mark('baseline', { gc: true, wait: true });

  const w = openWindow(job.serverPid);
  const conns = await openConnections(job.connections, job.parallel, () => new LoadConnection(job.port, '/', noMessages));
  const window = closeWindow(w, job.serverPid);
  // Let the server settle, then measure it with every connection idle.
  await sleep(job.settleMs);
  await mark('idle', { gc: true, wait: true });
  let failed = 0;
  for (const c of conns) {
    if (c.error !== null || c.closed) failed++;
    c.destroy();
  }
  return {
    handshakes: job.connections,
    handshakesPerSec: job.connections / window.seconds,
    ...window,
    unexpected: 0,
    closes: 0,
    failedConnections: failed,
  };
}
