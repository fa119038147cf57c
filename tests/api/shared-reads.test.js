// Plain TCP sockets read into one process-wide buffer (src/transport/shared-read-buffer.ts).
// These tests check that the switch happens on this Node for both roles, that
// messages kept by the application survive the reads after them, that pause()
// still stops reading, and that TLS sockets keep 'data' events.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import net from 'node:net';
import { Duplex } from 'node:stream';
import { readIntoSharedBuffer, readsIntoSharedBuffer, useSharedReads } from '../../dist/transport/shared-read-buffer.js';
import { WebSocket, WebSocketServer } from '../../dist/index.js';
import { SECURITY_TEST_CERT, SECURITY_TEST_KEY } from '../helpers/security-tls-fixture.js';
import { closeAll, collectEvents, nextEvent, openPair, startServer, track, within } from './api-harness.js';

after(async () => {
  useSharedReads(true);
  await closeAll();
});

/** Payloads of every size class: empty, small, 1 KiB text, one read, several reads, many reads. */
function payloads() {
  const list = [];
  const bytes = (length, seed) => Buffer.from(Array.from({ length }, (_, i) => (i * 13 + seed) & 0xff));
  for (let i = 0; i < 50; i++) list.push(bytes(16, i));
  for (let i = 0; i < 30; i++) list.push(Buffer.from(`text ${i} `.repeat(100)));
  list.push(Buffer.alloc(0), bytes(40_000, 1), bytes(100_000, 2), bytes(1_500_000, 3), bytes(70_000, 4));
  for (let i = 0; i < 20; i++) list.push(bytes(1000 + i, i));
  return list;
}

for (const shared of [true, false]) {
  describe(`reads ${shared ? 'into the shared buffer' : 'through data events (WSX_NO_SHARED_READS)'}`, () => {
    test(`both ends ${shared ? 'use' : 'do not use'} the shared buffer, and kept messages stay intact both ways`, async () => {
      useSharedReads(shared);
      const { client, server } = await openPair();
      assert.equal(readsIntoSharedBuffer(server._socket), shared, 'server side');
      assert.equal(readsIntoSharedBuffer(client._socket), shared, 'client side');
      const sent = payloads();
      // Everything is sent at once, so reads carry many messages and split large ones.
      const atServer = collectEvents(server, 'message', sent.length, 20_000);
      sent.forEach((payload, i) => client.send(payload, { binary: i < 50 || i >= 80 }));
      const received = (await atServer).map(([data]) => data);
      // The server echoes what it kept only after all of it arrived: nothing was overwritten meanwhile.
      assert.equal(received.length, sent.length);
      received.forEach((data, i) => assert.ok(data.equals(sent[i]), `message ${i} (${sent[i].length} B) at the server`));
      const atClient = collectEvents(client, 'message', sent.length, 20_000);
      for (const data of received) server.send(data);
      const echoed = (await atClient).map(([data]) => data);
      echoed.forEach((data, i) => assert.ok(data.equals(sent[i]), `message ${i} (${sent[i].length} B) back at the client`));
      useSharedReads(true);
    });
  });
}

test('a client paused from its open handler stops reading from the shared buffer: the server sees backpressure, and resume() delivers everything in order', async () => {
  const { server: wss, url } = await startServer();
  const connection = nextEvent(wss, 'connection');
  const client = track(new WebSocket(url));
  // Paused right at 'open', before the socket's stream had started flowing (its first read(0) restarts reading).
  client.on('open', () => client.pause());
  const [[server]] = await within(Promise.all([connection, nextEvent(client, 'open')]), 5000, 'opening a pair');
  assert.equal(readsIntoSharedBuffer(client._socket), true);
  // Far more than the kernel's socket buffers hold: the server's bufferedAmount must stay high.
  const count = 400;
  for (let i = 0; i < count; i++) {
    const chunk = Buffer.alloc(64 * 1024, 1);
    chunk.writeUInt32BE(i, 0);
    server.send(chunk);
  }
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.ok(server.bufferedAmount > 8 * 1024 * 1024, `the server still holds ${server.bufferedAmount} B`);
  const all = collectEvents(client, 'message', count, 20_000);
  client.resume();
  const got = await all;
  got.forEach(([data], i) => assert.equal(data.readUInt32BE(0), i));
});

test('a wss connection keeps data events (TLS sockets are not switched) and works', async () => {
  const httpsServer = https.createServer({ key: SECURITY_TEST_KEY, cert: SECURITY_TEST_CERT });
  const wss = new WebSocketServer({ server: httpsServer });
  await new Promise((resolve) => httpsServer.listen(0, '127.0.0.1', resolve));
  try {
    const connection = nextEvent(wss, 'connection');
    const client = track(new WebSocket(`wss://127.0.0.1:${httpsServer.address().port}/`, { rejectUnauthorized: false }));
    const [[server]] = await within(Promise.all([connection, nextEvent(client, 'open')]), 5000, 'opening wss');
    track(server);
    assert.equal(readsIntoSharedBuffer(server._socket), false);
    assert.equal(readsIntoSharedBuffer(client._socket), false);
    const big = Buffer.alloc(200_000, 7);
    const echoed = nextEvent(client, 'message');
    server.on('message', (data) => server.send(data));
    client.send(big);
    assert.ok((await echoed)[0].equals(big));
  } finally {
    wss.close();
    httpsServer.closeAllConnections();
    httpsServer.close();
  }
});

test('what cannot be switched is left alone: a plain duplex, a socket without a handle, a socket already reading into a buffer of its own', async () => {
  const noop = () => true;
  assert.equal(readIntoSharedBuffer(new Duplex({ read() {}, write(_c, _e, cb) { cb(); } }), noop), false);
  const unconnected = new net.Socket();
  assert.equal(readIntoSharedBuffer(unconnected, noop), false);
  assert.equal(readsIntoSharedBuffer(unconnected), false);
  // A socket made with Node's documented onread option keeps its own buffer and callback.
  const server = net.createServer((s) => s.end());
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const own = Buffer.alloc(1024);
  const socket = net.connect({ port: server.address().port, host: '127.0.0.1', onread: { buffer: own, callback: noop } });
  await nextEvent(socket, 'connect');
  assert.equal(readIntoSharedBuffer(socket, noop), false);
  assert.equal(readsIntoSharedBuffer(socket), false);
  socket.destroy();
  server.close();
});
