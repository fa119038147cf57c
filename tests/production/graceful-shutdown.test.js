// Graceful shutdown (issue 6): wss.close({ code, reason, timeout }) stops
// accepting, sends a close frame to every client, waits for their answers up
// to the timeout, terminates the rest and resolves when every socket is gone.
// The ws form close(cb) keeps working.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket, WebSocketServer } from '../../dist/index.js';
import { nextEvent, withTimeout } from '../helpers/peers.js';
import { connectTcp, openRawPeer, OP } from '../helpers/raw-ws-peer.js';

async function startServer(options = {}) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, ...options });
  await nextEvent(wss, 'listening');
  return { wss, port: wss.address().port };
}

async function openClients(wss, port, n) {
  const clients = [];
  for (let i = 0; i < n; i++) {
    const accepted = nextEvent(wss, 'connection');
    const client = new WebSocket(`ws://127.0.0.1:${port}`);
    await nextEvent(client, 'open');
    await accepted;
    clients.push(client);
  }
  return clients;
}

test('close({ code: 1001, reason }) sends the close frame to every client and resolves when all answered', async () => {
  const { wss, port } = await startServer();
  const clients = await openClients(wss, port, 5);
  const serverSide = [...wss.clients];
  const clientCloses = clients.map((c) => nextEvent(c, 'close'));
  let serverClosed = false;
  wss.on('close', () => (serverClosed = true));
  const done = wss.close({ code: 1001, reason: 'server restarting', timeout: 5000 });
  assert.ok(done instanceof Promise);
  for (const [code, reason] of await Promise.all(clientCloses)) {
    assert.equal(code, 1001);
    assert.equal(reason.toString(), 'server restarting');
  }
  await withTimeout(done, 5000, 'graceful close');
  assert.equal(serverClosed, true, "'close' was emitted before the promise resolved");
  assert.equal(wss.clients.size, 0);
  for (const ws of serverSide) assert.equal(ws.readyState, WebSocket.CLOSED);
  assert.equal(wss.address(), null);
});

test('the default code is 1001 Going Away', async () => {
  const { wss, port } = await startServer();
  const [client] = await openClients(wss, port, 1);
  const closed = nextEvent(client, 'close');
  await wss.close({});
  const [code, reason] = await closed;
  assert.equal(code, 1001);
  assert.equal(reason.toString(), '');
});

test('a client that never answers is terminated after the timeout; new connections are refused meanwhile', async () => {
  const { wss, port } = await startServer();
  const [polite] = await openClients(wss, port, 1);
  const accepted = nextEvent(wss, 'connection');
  const stubborn = await openRawPeer(port); // reads, never answers the close frame
  const [stubbornWs] = await accepted;
  const politeClosed = nextEvent(polite, 'close');
  const stubbornClosed = nextEvent(stubbornWs, 'close');
  let resolved = false;
  const done = wss.close({ code: 1001, reason: 'maintenance', timeout: 400 }).then(() => (resolved = true));
  // The stubborn peer gets exactly the close frame: 1001 + reason.
  const frame = await stubborn.nextFrame((f) => f.opcode === OP.CLOSE);
  assert.deepEqual(frame.payload, Buffer.concat([Buffer.from([0x03, 0xe9]), Buffer.from('maintenance')]));
  await politeClosed;
  // While waiting for the stubborn one: no new connection gets in.
  let connections = 0;
  wss.on('connection', () => connections++);
  await assert.rejects(connectTcp(port), { code: 'ECONNREFUSED' });
  const late = new WebSocket(`ws://127.0.0.1:${port}`);
  const lateError = nextEvent(late, 'error');
  await lateError;
  assert.equal(resolved, false, 'still waiting for the stubborn client');
  assert.equal(stubbornWs.readyState, WebSocket.CLOSING);
  const [code] = await withTimeout(stubbornClosed, 5000, 'the stubborn client is terminated');
  assert.equal(code, 1006);
  await stubborn.whenClosed(2000);
  await withTimeout(done, 5000, 'graceful close resolves');
  assert.equal(connections, 0);
  assert.equal(wss.clients.size, 0);
});

test('connections that are already closing or closed do not hold the shutdown up', async () => {
  const { wss, port } = await startServer();
  const clients = await openClients(wss, port, 3);
  const [a] = [...wss.clients];
  a.terminate();
  clients[1].close(1000);
  await withTimeout(wss.close({ timeout: 2000 }), 5000, 'graceful close');
  assert.equal(wss.clients.size, 0);
});

test('an invalid code or reason is refused before anything is closed', async () => {
  const { wss, port } = await startServer();
  const [client] = await openClients(wss, port, 1);
  await assert.rejects(wss.close({ code: 1005 }), TypeError);
  await assert.rejects(wss.close({ reason: 'x'.repeat(124) }), RangeError);
  assert.equal(client.readyState, WebSocket.OPEN);
  // The server still works.
  const other = await openClients(wss, port, 1);
  assert.equal(other[0].readyState, WebSocket.OPEN);
  await wss.close({ timeout: 1000 });
  assert.equal(client.readyState, WebSocket.CLOSED);
});

test('close() on a closed server: the promise form resolves, the callback form gets an error', async () => {
  const { wss } = await startServer();
  await wss.close({});
  await withTimeout(wss.close({}), 2000, 'second graceful close');
  const [error] = await new Promise((resolve) => wss.close((...args) => resolve(args)));
  assert.ok(error instanceof Error);
});

test('the ws form close(cb) stops accepting but leaves open connections alone; cb runs when they end', async () => {
  const { wss, port } = await startServer();
  const [client] = await openClients(wss, port, 1);
  let called = false;
  wss.close(() => (called = true));
  await assert.rejects(connectTcp(port), { code: 'ECONNREFUSED' });
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(client.readyState, WebSocket.OPEN);
  assert.equal(called, false);
  client.send('still works');
  const [[data]] = await Promise.all([nextEvent([...wss.clients][0], 'message')]);
  assert.equal(data.toString(), 'still works');
  client.close();
  await withTimeout(
    (async () => {
      while (!called) await new Promise((r) => setTimeout(r, 10));
    })(),
    5000,
    'close callback',
  );
});

test('graceful close with noServer and an external HTTP server', async () => {
  const { createServer } = await import('node:http');
  const http = createServer();
  const wss = new WebSocketServer({ noServer: true });
  http.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req)));
  await new Promise((r) => http.listen(0, '127.0.0.1', r));
  const port = http.address().port;
  const clients = await openClients(wss, port, 3);
  const closes = clients.map((c) => nextEvent(c, 'close'));
  await withTimeout(wss.close({ code: 1012, reason: 'restart', timeout: 2000 }), 5000, 'graceful close');
  for (const [code, reason] of await Promise.all(closes)) {
    assert.equal(code, 1012);
    assert.equal(reason.toString(), 'restart');
  }
  assert.equal(http.listening, true, 'an external server is left to its owner');
  await new Promise((r) => http.close(r));
});
