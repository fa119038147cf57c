// Heartbeats (issue 6): a peer that never answers pings is terminated with
// 1006 and a reason that says so; a live peer is kept; one timer serves
// every connection of a server.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import net from 'node:net';
import { WebSocket, WebSocketServer, HeartbeatScheduler } from '../../dist/index.js';
import { nextEvent, withTimeout } from '../helpers/peers.js';
import { openRawPeer, OP } from '../helpers/raw-ws-peer.js';

const servers = [];
after(async () => {
  for (const s of servers) await s.close({ timeout: 200 }).catch(() => {});
});

async function startServer(options) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, ...options });
  servers.push(wss);
  await nextEvent(wss, 'listening');
  return { wss, port: wss.address().port };
}

test('a peer that never answers pings is pinged, then terminated with 1006 and a reason', async () => {
  const { wss, port } = await startServer({ heartbeat: { interval: 100, timeout: 150 } });
  const accepted = nextEvent(wss, 'connection');
  const peer = await openRawPeer(port); // completes the handshake, never answers anything
  const [ws] = await accepted;
  const errors = [];
  ws.on('error', (e) => errors.push(e));
  const ping = await peer.nextFrame((f) => f.opcode === OP.PING, 3000);
  assert.equal(ping.payload.length, 0);
  const [code, reason] = await withTimeout(nextEvent(ws, 'close', 3000), 3000, 'heartbeat close');
  assert.equal(code, 1006);
  assert.match(reason.toString(), /stopped answering/);
  assert.equal(errors.length, 1);
  assert.equal(errors[0].code, 'WSX_ERR_HEARTBEAT_TIMEOUT');
  await peer.whenClosed(2000);
  // Terminated, not closed: no close frame was sent.
  assert.equal(peer.frames.filter((f) => f.opcode === OP.CLOSE).length, 0);
  assert.equal(ws.readyState, WebSocket.CLOSED);
});

test('a live peer that answers pings is kept past many intervals', async () => {
  const { wss, port } = await startServer({ heartbeat: { interval: 50, timeout: 100 } });
  const accepted = nextEvent(wss, 'connection');
  const client = new WebSocket(`ws://127.0.0.1:${port}`);
  await nextEvent(client, 'open');
  const [ws] = await accepted;
  let pongs = 0;
  ws.on('pong', () => pongs++);
  let pings = 0;
  client.on('ping', () => pings++);
  await new Promise((r) => setTimeout(r, 600));
  assert.equal(ws.readyState, WebSocket.OPEN);
  assert.equal(client.readyState, WebSocket.OPEN);
  assert.ok(pings >= 2, `the silent client was pinged (${pings})`);
  assert.ok(pongs >= 2, `the server saw pongs (${pongs})`);
  client.close();
  await nextEvent(ws, 'close');
});

test('a peer that never answers pings but keeps sending data is kept: any data counts', async () => {
  const { wss, port } = await startServer({ heartbeat: { interval: 100, timeout: 200 } });
  const accepted = nextEvent(wss, 'connection');
  const peer = await openRawPeer(port); // never answers a ping
  const [ws] = await accepted;
  const timer = setInterval(() => peer.text('x'), 20);
  await new Promise((r) => setTimeout(r, 1000));
  clearInterval(timer);
  assert.equal(ws.readyState, WebSocket.OPEN, 'alive after five times interval + timeout');
  // Once it falls silent, it is pinged and terminated.
  const [code] = await withTimeout(nextEvent(ws, 'close', 3000), 3000, 'terminated once silent');
  assert.equal(code, 1006);
  assert.ok(peer.frames.some((f) => f.opcode === OP.PING));
  peer.destroy();
});

test('client option: a server that never answers pings is terminated with 1006', async () => {
  // A hand-made server: it completes the handshake, then ignores everything.
  const sockets = [];
  const server = net.createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
    let head = '';
    socket.on('data', (chunk) => {
      if (head === null) return;
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      const key = /sec-websocket-key: *(\S+)/i.exec(head)[1];
      const accept = createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
      head = null;
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  try {
    const client = new WebSocket(`ws://127.0.0.1:${server.address().port}`, { heartbeat: { interval: 100, timeout: 100 } });
    client.on('error', () => {});
    await nextEvent(client, 'open');
    const [code, reason] = await withTimeout(nextEvent(client, 'close', 3000), 3000, 'client heartbeat close');
    assert.equal(code, 1006);
    assert.match(reason.toString(), /stopped answering/);
  } finally {
    for (const s of sockets) s.destroy();
    server.close();
  }
});

test('HeartbeatScheduler: one scheduler, many members, pings the silent and expires the dead', () => {
  const scheduler = new HeartbeatScheduler({ interval: 1000, timeout: 500 });
  const make = () => ({ lastSeen: 0, pings: 0, expired: 0, heartbeatPing() { this.pings++; }, heartbeatExpired() { this.expired++; } });
  const members = Array.from({ length: 1000 }, make);
  for (const m of members) scheduler.add(m);
  assert.equal(scheduler.size, 1000);
  const t0 = 1_000_000;
  for (const m of members) m.lastSeen = t0;
  scheduler.tick(t0 + 999);
  assert.equal(members.reduce((n, m) => n + m.pings, 0), 0, 'nobody silent for a whole interval yet');
  // All fall due at once: pings are spread over ticks, twice the even share
  // (2 x 1000 members x 125 ms period / 1000 ms interval = 250) per tick.
  const pinged = () => members.reduce((n, m) => n + m.pings, 0);
  scheduler.tick(t0 + 1000);
  assert.equal(pinged(), 250);
  scheduler.tick(t0 + 1001);
  scheduler.tick(t0 + 1002);
  assert.equal(pinged(), 750);
  scheduler.tick(t0 + 1003);
  assert.deepEqual([...new Set(members.map((m) => m.pings))], [1], 'every member pinged once');
  // Half of them answer.
  for (let i = 0; i < 500; i++) members[i].lastSeen = t0 + 1100;
  scheduler.tick(t0 + 1499);
  assert.equal(members.reduce((n, m) => n + m.expired, 0), 0);
  scheduler.tick(t0 + 1503);
  assert.equal(members.slice(0, 500).reduce((n, m) => n + m.expired, 0), 0);
  assert.deepEqual([...new Set(members.slice(500).map((m) => m.expired))], [1]);
  assert.equal(scheduler.size, 500);
  // After an event-loop stall the tick does not expire anyone (their pongs may wait unread);
  // the next punctual tick does.
  const late = make();
  late.lastSeen = t0 + 1500;
  scheduler.add(late);
  for (let i = 0; i < 500; i++) members[i].lastSeen = t0 + 2400;
  scheduler.tick(t0 + 2500); // pinged
  assert.equal(late.pings, 1);
  scheduler.tick(t0 + 2600);
  scheduler.tick(t0 + 9000); // a 6.4 s stall
  assert.equal(late.expired, 0);
  scheduler.tick(t0 + 9001);
  assert.equal(late.expired, 1);
  for (const m of members) scheduler.delete(m);
  assert.equal(scheduler.size, 0);
  assert.throws(() => new HeartbeatScheduler({ interval: 0, timeout: 10 }), RangeError);
});

test('a shared HeartbeatScheduler serves many client connections', async () => {
  const { port } = await startServer({});
  const scheduler = new HeartbeatScheduler({ interval: 10_000, timeout: 10_000 });
  const clients = [];
  for (let i = 0; i < 20; i++) {
    const c = new WebSocket(`ws://127.0.0.1:${port}`, { heartbeat: scheduler });
    clients.push(c);
  }
  await Promise.all(clients.map((c) => nextEvent(c, 'open')));
  assert.equal(scheduler.size, 20);
  for (const c of clients) c.terminate();
  await Promise.all(clients.map((c) => (c.readyState === WebSocket.CLOSED ? null : nextEvent(c, 'close'))));
  assert.equal(scheduler.size, 0, 'closed connections leave the scheduler');
});

test('2 000 server connections with heartbeats create one timer, and every one is pinged', async () => {
  const N = 2000;
  const { wss, port } = await startServer({ heartbeat: { interval: 300, timeout: 120_000 } }); // the raw peers never answer
  // Count the timers created by wsx (dist/) while the connections open.
  const created = { setTimeout: 0, setInterval: 0 };
  const originals = { setTimeout: globalThis.setTimeout, setInterval: globalThis.setInterval };
  for (const name of ['setTimeout', 'setInterval']) {
    globalThis[name] = function (...args) {
      if (/\/dist\//.test(new Error().stack.split('\n').slice(2).join('\n'))) created[name]++;
      return originals[name].apply(this, args);
    };
  }
  const peers = [];
  try {
    let connected = 0;
    wss.on('connection', () => connected++);
    for (let i = 0; i < N; i += 100) {
      peers.push(...(await Promise.all(Array.from({ length: Math.min(100, N - i) }, () => openRawPeer(port)))));
    }
    assert.equal(connected, N);
    assert.equal(wss.clients.size, N);
  } finally {
    globalThis.setTimeout = originals.setTimeout;
    globalThis.setInterval = originals.setInterval;
  }
  assert.deepEqual(created, { setTimeout: 0, setInterval: 1 }, 'one interval timer for all connections, none per connection');
  // The single timer pings all of them.
  await withTimeout(
    Promise.all(peers.map((p) => p.nextFrame((f) => f.opcode === OP.PING, 10_000))),
    12_000,
    'pings to every connection',
  );
  const closing = [...wss.clients].map((ws) => nextEvent(ws, 'close'));
  for (const p of peers) p.destroy();
  await Promise.all(closing);
  assert.equal(wss.clients.size, 0);
});
