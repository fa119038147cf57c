// Echo load: C connections, each keeping K messages in flight; every reply is answered
// with one new message, written as a view of a pre-encoded run of frames. With
// job.transport 'h2' the C WebSockets are HTTP/2 streams spread over job.sessions sessions.

import { LoadConnection, openConnections } from './load-connection.js';
import { H2SessionPool } from './h2-load-session.js';
import { OncePerTurn } from './once-per-turn.js';
import { binaryPayload, encodeMaskedFrame, repeatFrame, textPayload } from './client-frames.js';
import { sleep } from './control.js';
import { closeWindow, openWindow } from './measure-window.js';

export async function runEcho(job) {
  const opcode = job.text ? 1 : 2;
  const payload = job.text ? textPayload(job.size) : binaryPayload(job.size);
  const frame = encodeMaskedFrame(opcode, payload);
  const frameLen = frame.length;
  const batch = repeatFrame(frame, job.inFlight);
  const views = [batch.subarray(0, 0)];
  for (let n = 1; n <= job.inFlight; n++) views.push(batch.subarray(0, n * frameLen));

  // Each read is answered at once with one write of as many frames as it completed.
  // (Deferring the writes to once per event-loop turn was measured: it made the load slower
  // against the fastest servers, where the ceiling matters.) Over HTTP/2 it is the other way
  // round, so there each stream is answered once per turn (see once-per-turn.js).
  let received = 0;
  let sending = true;
  const reply = (conn, n) => {
    if (!sending) return;
    while (n > job.inFlight) {
      conn.write(batch);
      n -= job.inFlight;
    }
    conn.write(views[n]);
  };
  const perTurn = job.transport === 'h2' ? new OncePerTurn(reply) : null;
  const onMessages = perTurn
    ? (conn, n) => {
        received += n;
        if (sending) perTurn.add(conn, n);
      }
    : (conn, n) => {
        received += n;
        reply(conn, n);
      };

  const h2 = job.transport === 'h2' ? await H2SessionPool.open(job.port, job.sessions) : null;
  const conns = await openConnections(job.connections, 64, (i) => {
    const c = h2 ? h2.stream(i, '/', onMessages) : new LoadConnection(job.port, '/', onMessages);
    c.counter.expectedOpcode = opcode;
    c.counter.expectedLength = job.size;
    return c;
  });
  for (const c of conns) c.write(batch);

  await sleep(job.warmupMs);
  const r0 = received;
  const w = openWindow(job.serverPid);
  await sleep(job.durationMs);
  const r1 = received;
  const window = closeWindow(w, job.serverPid);
  sending = false;

  const seconds = window.seconds;
  const messages = r1 - r0;
  let unexpected = 0;
  let closes = 0;
  let failed = 0;
  for (const c of conns) {
    unexpected += c.counter.unexpected;
    closes += c.counter.closeFrames;
    if (c.error !== null || c.closed) failed++;
    c.destroy();
  }
  h2?.destroy();
  return {
    messages,
    seconds,
    messagesPerSec: messages / seconds,
    payloadBytesPerSec: (messages * job.size) / seconds,
    ...window,
    unexpected,
    closes,
    failedConnections: failed,
  };
}
