// Round-trip latency: one connection, one message in flight; each reply's delay is
// stored in a preallocated array, percentiles computed at the end.

import { LoadConnection, openConnections } from './load-connection.js';
import { binaryPayload, encodeMaskedFrame } from './client-frames.js';
import { sleep } from './control.js';
import { closeWindow, openWindow } from './measure-window.js';

const MAX_SAMPLES = 1 << 21;

export async function runLatency(job) {
  const frame = encodeMaskedFrame(2, binaryPayload(job.size));
  const samples = new Float64Array(MAX_SAMPLES);
  let count = 0;
  let recording = false;
  let sending = true;
  let sentAt = 0;
  const onMessages = (conn) => {
    const now = performance.now();
    if (recording && count < MAX_SAMPLES) samples[count++] = now - sentAt;
    if (!sending) return;
    sentAt = performance.now();
    conn.write(frame);
  };
  const [conn] = await openConnections(1, 1, () => {
    const c = new LoadConnection(job.port, '/', onMessages);
    c.counter.expectedOpcode = 2;
    c.counter.expectedLength = job.size;
    return c;
  });
  sentAt = performance.now();
  conn.write(frame);

  await sleep(job.warmupMs);
  const w = openWindow(job.serverPid);
  recording = true;
  await sleep(job.durationMs);
  recording = false;
  const window = closeWindow(w, job.serverPid);
  sending = false;
  const failed = conn.error !== null || conn.closed ? 1 : 0;
  const unexpected = conn.counter.unexpected;
  conn.destroy();

  const sorted = samples.subarray(0, count).sort();
  const at = (q) => (count === 0 ? NaN : sorted[Math.min(count - 1, Math.floor(q * count))] * 1000);
  return {
    messages: count,
    messagesPerSec: count / window.seconds,
    p50Micros: at(0.5),
    p99Micros: at(0.99),
    ...window,
    unexpected,
    closes: 0,
    failedConnections: failed,
  };
}
