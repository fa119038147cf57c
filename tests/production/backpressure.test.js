// Backpressure (issue 6): bufferedAmount is exact, send() reports the
// high-water mark and 'drain' follows, maxBufferedAmount policies keep a slow
// consumer from growing the server's memory, pause()/resume() push back on TCP.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import vm from 'node:vm';
import { WebSocket, WebSocketServer } from '../../dist/index.js';
import { nextEvent, setTimeBudget, withTimeout } from '../helpers/peers.js';
import { openRawPeer, OP } from '../helpers/raw-ws-peer.js';

setTimeBudget(60_000);

const servers = [];
after(async () => {
  for (const s of servers) await s.close({ timeout: 200 }).catch(() => {});
});

async function startServer(options = {}) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, ...options });
  servers.push(wss);
  await nextEvent(wss, 'listening');
  return { wss, port: wss.address().port };
}

/** A server connection and a raw peer that stops reading right after the handshake. */
async function stalledPair(options, peerOptions) {
  const { wss, port } = await startServer(options);
  const accepted = nextEvent(wss, 'connection');
  const peer = await openRawPeer(port, peerOptions);
  peer.socket.pause();
  const [ws] = await accepted;
  return { wss, port, ws, peer };
}

// A full collection before each memory sample, so that only retained bytes count.
v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc');

const delay = (ms) => new Promise((r) => setTimeout(r, ms));

/** Frame size of an unmasked frame with this payload length (RFC 6455 5.2). */
const frameSize = (n) => n + (n < 126 ? 2 : n < 65536 ? 4 : 10);

/**
 * Sends 256 KiB messages until the kernel's buffers toward the stalled peer
 * are full (something stays in bufferedAmount); returns the bytes accepted.
 */
async function saturate(ws, limit = 64 * 1024 * 1024) {
  const chunk = Buffer.alloc(256 * 1024, 0x61);
  let total = 0;
  while (total < limit) {
    ws.send(chunk, { compress: false });
    total += frameSize(chunk.length);
    await delay(3);
    if (ws.bufferedAmount > 0) {
      await delay(30);
      if (ws.bufferedAmount > 0) return total;
    }
  }
  throw new Error(`the kernel still takes bytes after ${total} bytes: cannot stall this peer`);
}

async function until(predicate, ms, what) {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms: ${what}`);
    await delay(5);
  }
}

test('bufferedAmount counts exactly the frame bytes accepted and not yet handed to the kernel', async () => {
  const { ws, peer } = await stalledPair();
  assert.equal(ws.bufferedAmount, 0);
  // Synchronously, each send adds exactly its frame (payload + minimal header).
  let expected = 0;
  for (const n of [0, 1, 125, 126, 65535, 65536, 100_000]) {
    ws.send(Buffer.alloc(n));
    expected += frameSize(n);
    assert.equal(ws.bufferedAmount, expected, `after a ${n}-byte send`);
  }
  ws.send('héllo'); // 6 UTF-8 bytes
  expected += frameSize(6);
  assert.equal(ws.bufferedAmount, expected);
  // Fill the kernel's buffers; then what remains is exactly what the socket still holds.
  const total = expected + (await saturate(ws));
  assert.equal(ws.bufferedAmount, ws._socket.writableLength);
  const stuck = ws.bufferedAmount;
  assert.ok(stuck > 0 && stuck < total);
  await delay(50);
  assert.equal(ws.bufferedAmount, stuck, 'stable while the peer does not read');
  // The peer reads everything: every accepted byte arrives, bufferedAmount returns to 0 exactly.
  peer.socket.resume();
  await until(() => peer.bytesRead >= total, 20_000, 'the peer reads everything');
  await until(() => ws.bufferedAmount === 0, 5000, 'bufferedAmount back to 0');
  assert.equal(peer.bytesRead, total);
  peer.destroy();
});

test('bufferedAmount is exact for compressed messages too', async () => {
  const { ws, peer } = await stalledPair(
    { perMessageDeflate: { threshold: 0 } },
    { headers: ['Sec-WebSocket-Extensions: permessage-deflate'] },
  );
  assert.equal(ws.extensions, 'permessage-deflate');
  // While a message waits for zlib it counts as its payload size; later sends queue behind it.
  const big = Buffer.alloc(512 * 1024);
  for (let i = 0; i < big.length; i += 4) big.writeUInt32LE((i * 2654435761) >>> 0, i); // not compressible much
  ws.send(big);
  assert.equal(ws.bufferedAmount, big.length);
  ws.send('a'.repeat(10_000));
  assert.equal(ws.bufferedAmount, big.length + 10_000);
  const sent = new Promise((resolve) => ws.send(Buffer.alloc(20_000), { compress: false }, resolve));
  assert.equal(ws.bufferedAmount, big.length + 30_000);
  peer.socket.resume();
  await withTimeout(sent, 10_000, 'the last send completes');
  await until(() => ws.bufferedAmount === 0, 5000, 'bufferedAmount back to 0');
  // The peer got exactly those three messages: two compressed (RSV1), one not.
  await until(() => peer.frames.length >= 3, 5000, 'three frames');
  assert.deepEqual(peer.frames.map((f) => [f.opcode, f.rsv]), [[OP.BINARY, 4], [OP.TEXT, 4], [OP.BINARY, 0]]);
  assert.equal(peer.frames[2].payload.length, 20_000);
  // With the kernel full, the leftover is again exactly what the socket holds.
  peer.socket.pause();
  const bytesBefore = peer.bytesRead;
  let total = await saturate(ws);
  const stuck = ws.bufferedAmount;
  assert.equal(stuck, ws._socket.writableLength);
  // A compressible message behind the full kernel: counted at its size until deflated,
  // then at its compressed frame size.
  ws.send('a'.repeat(1024 * 1024));
  assert.equal(ws.bufferedAmount, stuck + 1024 * 1024);
  await until(() => ws.bufferedAmount < stuck + 1024 * 1024, 5000, 'deflate done');
  await delay(20);
  const compressedFrame = ws.bufferedAmount - stuck;
  assert.ok(compressedFrame > 0 && compressedFrame < 16 * 1024, `compressed frame of ${compressedFrame} bytes`);
  assert.equal(ws.bufferedAmount, ws._socket.writableLength);
  total += compressedFrame;
  peer.socket.resume();
  await until(() => peer.bytesRead - bytesBefore >= total, 20_000, 'the peer reads everything');
  await until(() => ws.bufferedAmount === 0, 5000, 'bufferedAmount back to 0');
  assert.equal(peer.bytesRead - bytesBefore, total, 'every counted byte reached the peer, no more');
  peer.destroy();
});

test("send() returns false at highWaterMark; 'drain' fires once the peer reads", async () => {
  const highWaterMark = 64 * 1024;
  const { ws, peer } = await stalledPair({ highWaterMark });
  // Synchronous sends: the return value says whether bufferedAmount is still under the mark.
  const results = [];
  for (let i = 0; i < 12; i++) {
    const ok = ws.send(Buffer.alloc(8 * 1024));
    results.push([ok, ws.bufferedAmount < highWaterMark]);
  }
  for (const [ok, under] of results) assert.equal(ok, under);
  assert.deepEqual(results.map(([ok]) => ok), [true, true, true, true, true, true, true, false, false, false, false, false]);
  await saturate(ws);
  assert.ok(ws.bufferedAmount >= highWaterMark);
  assert.equal(ws.send('x'), false);
  let drains = 0;
  ws.on('drain', () => {
    drains++;
    assert.ok(ws.bufferedAmount < highWaterMark);
  });
  await delay(100);
  assert.equal(drains, 0, 'no drain while the peer does not read');
  peer.socket.resume();
  await withTimeout(nextEvent(ws, 'drain'), 10_000, 'drain');
  assert.equal(ws.send('x'), true);
  await delay(50);
  assert.equal(drains, 1);
  peer.destroy();
});

test(
  "'drain' also fires when a highWaterMark below the socket's own is crossed within one tick",
  async () => {
    const { wss, port } = await startServer({ highWaterMark: 1024 });
    const accepted = nextEvent(wss, 'connection');
    const peer = await openRawPeer(port); // reads everything
    const [ws] = await accepted;
    const results = [];
    for (let i = 0; i < 10; i++) results.push(ws.send(Buffer.alloc(300)));
    assert.deepEqual(results, [true, true, true, false, false, false, false, false, false, false]);
    await withTimeout(nextEvent(ws, 'drain', 2000), 2000, 'drain');
    peer.destroy();
  },
);

/** Sends numbered messages to a stalled peer until `stop()`; returns per-send outcomes. */
async function flood(ws, { count, size = 64 * 1024, stop = () => false }) {
  const outcomes = [];
  let maxSeen = 0;
  for (let i = 0; i < count && !stop(); i++) {
    const payload = Buffer.alloc(size);
    payload.writeUInt32BE(i, 0);
    const outcome = { i, returned: undefined, error: undefined, queued: false };
    const before = ws.bufferedAmount;
    outcome.done = new Promise((resolve) => {
      outcome.returned = ws.send(payload, (error) => {
        outcome.error = error ?? null;
        resolve();
      });
    });
    // Queued messages complete only once written; those refused complete at once.
    outcome.queued = ws.bufferedAmount > before;
    outcomes.push(outcome);
    maxSeen = Math.max(maxSeen, ws.bufferedAmount);
    if (i % 8 === 7) await delay(2);
  }
  return { outcomes, maxSeen };
}

test("maxBufferedAmount 'close' (default): the slow consumer is terminated, close reports 1008", async () => {
  const max = 1024 * 1024;
  const { ws, peer } = await stalledPair({ maxBufferedAmount: max });
  const errors = [];
  ws.on('error', (e) => errors.push(e));
  const closed = nextEvent(ws, 'close', 20_000);
  const { outcomes, maxSeen } = await flood(ws, { count: 2000, stop: () => ws.readyState !== WebSocket.OPEN });
  const [code, reason] = await closed;
  assert.ok(maxSeen <= max, `bufferedAmount stayed under the cap (${maxSeen})`);
  assert.equal(code, 1008);
  assert.match(reason.toString(), /maxBufferedAmount/);
  assert.equal(errors.length, 1);
  assert.equal(errors[0].code, 'WSX_ERR_BUFFER_OVERFLOW');
  assert.equal(errors[0].closeCode, 1008);
  // The send that did not fit returned false and its callback got the overflow error.
  const last = outcomes.at(-1);
  await last.done;
  assert.equal(last.returned, false);
  assert.equal(last.error.code, 'WSX_ERR_BUFFER_OVERFLOW');
  peer.socket.resume(); // a paused socket would not notice the reset
  await peer.whenClosed(5000);
});

test("maxBufferedAmount 'drop': messages that do not fit are discarded, the connection stays open", async () => {
  const max = 1024 * 1024;
  const { ws, peer } = await stalledPair({ maxBufferedAmount: max, onBufferOverflow: 'drop' });
  await saturate(ws, 64 * 1024 * 1024).catch(() => {}); // with 'drop' this may stop at the cap: fine
  const before = ws.bufferedAmount;
  const { outcomes, maxSeen } = await flood(ws, { count: 64 });
  const dropped = outcomes.filter((o) => !o.queued);
  const kept = outcomes.filter((o) => o.queued);
  await Promise.all(dropped.map((o) => o.done));
  assert.ok(maxSeen <= max, `bufferedAmount stayed under the cap (${maxSeen})`);
  assert.equal(ws.readyState, WebSocket.OPEN);
  assert.ok(dropped.length > 0, 'some messages were dropped');
  for (const o of dropped) {
    assert.equal(o.returned, false);
    assert.equal(o.error.code, 'WSX_ERR_BUFFER_OVERFLOW');
  }
  assert.ok(before + kept.length * frameSize(64 * 1024) <= max);
  // The peer reads: it receives exactly the kept messages, in order.
  const keptIds = kept.map((o) => o.i);
  peer.socket.resume();
  await until(() => peer.frames.filter((f) => f.payload.length === 64 * 1024).length >= keptIds.length, 20_000, 'kept messages');
  await delay(50);
  const got = peer.frames.filter((f) => f.payload.length === 64 * 1024).map((f) => f.payload.readUInt32BE(0));
  assert.deepEqual(got, keptIds);
  assert.equal(ws.send('still open'), true);
  peer.destroy();
});

test('maxBufferedAmount with a function: it is called with the socket and the frame size; the message is not queued', async () => {
  const max = 512 * 1024;
  const calls = [];
  const { ws, peer } = await stalledPair({
    maxBufferedAmount: max,
    onBufferOverflow: (socket, bytes) => calls.push([socket, bytes, socket.bufferedAmount]),
  });
  await saturate(ws);
  calls.length = 0;
  const { outcomes, maxSeen } = await flood(ws, { count: 200, size: 10_000 });
  const dropped = outcomes.filter((o) => !o.queued);
  await Promise.all(dropped.map((o) => o.done));
  assert.ok(maxSeen <= max);
  for (const o of dropped) assert.equal(o.error.code, 'WSX_ERR_BUFFER_OVERFLOW');
  assert.ok(calls.length > 0);
  assert.equal(calls.length, dropped.length);
  for (const [socket, bytes, buffered] of calls) {
    assert.equal(socket, ws);
    assert.equal(bytes, frameSize(10_000));
    assert.ok(buffered + bytes > max);
  }
  assert.equal(ws.readyState, WebSocket.OPEN, 'the function decides; this one kept the connection');
  // A function that closes the connection with 1013 (Try Again Later) is obeyed.
  ws.removeAllListeners('error');
  const { wss: _w, ws: ws2, peer: peer2 } = await stalledPair({
    maxBufferedAmount: max,
    closeTimeout: 200,
    onBufferOverflow: (socket) => socket.close(1013, 'slow consumer'),
  });
  const closed = nextEvent(ws2, 'close', 10_000);
  await flood(ws2, { count: 1000, size: 10_000, stop: () => ws2.readyState !== WebSocket.OPEN });
  const [code] = await closed;
  assert.equal(code, 1006, 'the close frame is stuck behind the backlog, so the close timeout ends it');
  peer.destroy();
  peer2.destroy();
});

test('a peer that stops reading while the server publishes: memory stays bounded and the policy applies', async () => {
  const max = 256 * 1024;
  const { wss, port } = await startServer({ maxBufferedAmount: max, onBufferOverflow: 'close' });
  wss.on('connection', (ws) => ws.subscribe('feed'));
  // Two fast subscribers (wsx clients counting messages) and one that stops reading.
  const fast = [];
  for (let i = 0; i < 2; i++) {
    const c = new WebSocket(`ws://127.0.0.1:${port}`);
    c.received = 0;
    c.on('message', () => c.received++);
    fast.push(c);
  }
  await Promise.all(fast.map((c) => nextEvent(c, 'open')));
  const accepted = nextEvent(wss, 'connection');
  const slow = await openRawPeer(port);
  slow.socket.pause();
  const [slowWs] = await accepted;
  await until(() => wss.subscriberCount('feed') === 3, 2000, 'three subscribers');
  const closed = nextEvent(slowWs, 'close', 30_000);
  slowWs.on('error', () => {});
  const N = 3000;
  const size = 16 * 1024;
  let maxSlow = 0;
  let maxTotal = 0;
  const recipients = [];
  collectGarbage();
  const baseline = process.memoryUsage().arrayBuffers;
  let peakMemory = 0;
  for (let i = 0; i < N; i++) {
    recipients.push(wss.publish('feed', Buffer.alloc(size, i & 0xff)));
    maxSlow = Math.max(maxSlow, slowWs.bufferedAmount);
    let total = 0;
    for (const ws of wss.clients) total += ws.bufferedAmount;
    maxTotal = Math.max(maxTotal, total);
    // Bursts of 64 KiB per tick: bytes queued in one tick count too, so bursts must fit under the cap.
    if (i % 4 === 3) await new Promise((r) => setImmediate(r));
    if (i % 250 === 249) {
      collectGarbage();
      collectGarbage();
      peakMemory = Math.max(peakMemory, process.memoryUsage().arrayBuffers - baseline);
    }
  }
  const [code] = await closed;
  assert.equal(code, 1008);
  assert.ok(maxSlow <= max, `the slow subscriber never held more than maxBufferedAmount (${maxSlow})`);
  assert.ok(maxTotal <= 3 * max, `all connections together stayed bounded (${maxTotal})`);
  // 3000 × 16 KiB = 48 MiB published; without the cap the slow reader pins over 40 MiB of it.
  assert.ok(peakMemory < 4 * 1024 * 1024, `retained arrayBuffers grew by ${peakMemory} bytes`);
  const firstShort = recipients.indexOf(2);
  assert.ok(firstShort > 0, 'the slow one received until it overflowed');
  assert.ok(recipients.slice(0, firstShort).every((n) => n === 3));
  assert.ok(recipients.slice(firstShort).every((n) => n === 2));
  assert.equal(wss.subscriberCount('feed'), 2, 'the closed subscriber is gone');
  await until(() => fast.every((c) => c.received === N), 20_000, 'fast subscribers get everything');
  for (const c of fast) c.close();
  slow.destroy();
});

test('pause() stops reading (TCP backpressure reaches the sender); resume() delivers everything in order', async () => {
  const { wss, port } = await startServer();
  const accepted = nextEvent(wss, 'connection');
  const client = new WebSocket(`ws://127.0.0.1:${port}`);
  await nextEvent(client, 'open');
  const [ws] = await accepted;
  const received = [];
  ws.on('message', (data) => received.push(data.readUInt32BE(0)));
  ws.pause();
  assert.equal(ws.isPaused, true);
  // The client sends until its own bufferedAmount stays above zero: the pause reached it.
  let sent = 0;
  const chunk = () => {
    const b = Buffer.alloc(256 * 1024);
    b.writeUInt32BE(sent++, 0);
    return b;
  };
  for (;;) {
    client.send(chunk());
    await delay(3);
    if (client.bufferedAmount > 0) {
      await delay(30);
      if (client.bufferedAmount > 0) break;
    }
    assert.ok(sent < 400, 'the client is pushed back within 100 MiB');
  }
  assert.equal(received.length, 0, 'nothing delivered while paused');
  ws.resume();
  assert.equal(ws.isPaused, false);
  await until(() => received.length === sent, 20_000, 'every message after resume');
  assert.deepEqual(received, Array.from({ length: sent }, (_, i) => i));
  await until(() => client.bufferedAmount === 0, 5000, 'the client drained');
  client.close();
  await nextEvent(ws, 'close');
});
