// Pub/sub (issue 6): exact recipient counts, except-self, MQTT wildcards,
// unsubscribe, cleanup on close, one encoding shared by every subscriber,
// and 10 000 subscribers receiving one publish.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { constants as zlibConstants, createInflateRaw, inflateRawSync } from 'node:zlib';
import { WebSocket, WebSocketServer } from '../../dist/index.js';
import { PubSub } from '../../dist/server/pubsub.js';
import { nextEvent, withTimeout } from '../helpers/peers.js';
import { openRawPeer, OP } from '../helpers/raw-ws-peer.js';

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

const delay = (ms) => new Promise((r) => setTimeout(r, ms));

/** Opens `n` raw peers; resolves with [{ peer, ws }] pairing each with its server-side connection. */
async function openPeers(wss, port, n) {
  const pairs = [];
  for (let i = 0; i < n; i++) {
    const accepted = nextEvent(wss, 'connection');
    const peer = await openRawPeer(port);
    const [ws] = await accepted;
    pairs.push({ peer, ws });
  }
  return pairs;
}

/** Messages (not control frames) a raw peer has received so far, as [opcode, text]. */
function messages(peer) {
  return peer.frames.filter((f) => f.opcode === OP.TEXT || f.opcode === OP.BINARY).map((f) => [f.opcode, f.payload.toString()]);
}

test('wss.publish returns the exact recipients and only subscribers receive; ws.publish skips the sender', async () => {
  const { wss, port } = await startServer();
  const pairs = await openPeers(wss, port, 5);
  for (const { ws } of pairs.slice(0, 3)) assert.equal(ws.subscribe('news'), true);
  assert.equal(pairs[0].ws.subscribe('news'), false, 'already subscribed');
  assert.equal(wss.subscriberCount('news'), 3);
  assert.equal(wss.subscriberCount('other'), 0);
  assert.equal(wss.publish('news', 'one'), 3);
  assert.equal(wss.publish('nobody-here', 'x'), 0);
  assert.equal(pairs[1].ws.publish('news', 'two'), 2, 'everyone but the publisher');
  assert.equal(pairs[4].ws.publish('news', 'three'), 3, 'a non-subscriber may publish to all subscribers');
  await delay(100);
  assert.deepEqual(messages(pairs[0].peer), [[OP.TEXT, 'one'], [OP.TEXT, 'two'], [OP.TEXT, 'three']]);
  assert.deepEqual(messages(pairs[1].peer), [[OP.TEXT, 'one'], [OP.TEXT, 'three']]);
  assert.deepEqual(messages(pairs[2].peer), [[OP.TEXT, 'one'], [OP.TEXT, 'two'], [OP.TEXT, 'three']]);
  assert.deepEqual(messages(pairs[3].peer), []);
  assert.deepEqual(messages(pairs[4].peer), []);
  for (const { peer } of pairs) peer.destroy();
});

test('publish options: binary is decided by the data type unless { binary } says otherwise', async () => {
  const { wss, port } = await startServer();
  const [{ ws, peer }] = await openPeers(wss, port, 1);
  ws.subscribe('t');
  wss.publish('t', 'text');
  wss.publish('t', Buffer.from('bytes'));
  wss.publish('t', 'as binary', { binary: true });
  wss.publish('t', Buffer.from('as text'), { binary: false });
  wss.publish('t', new Uint8Array([104, 105]));
  await delay(100);
  assert.deepEqual(messages(peer), [
    [OP.TEXT, 'text'],
    [OP.BINARY, 'bytes'],
    [OP.BINARY, 'as binary'],
    [OP.TEXT, 'as text'],
    [OP.BINARY, 'hi'],
  ]);
  peer.destroy();
});

test("MQTT wildcards: 'room/+/chat' matches one level, 'room/#' the rest; overlapping filters deliver once", async () => {
  const { wss, port } = await startServer();
  const [plus, hash, both, exact] = await openPeers(wss, port, 4);
  plus.ws.subscribe('room/+/chat');
  hash.ws.subscribe('room/#');
  both.ws.subscribe('room/+/chat');
  both.ws.subscribe('room/#');
  exact.ws.subscribe('room/1/chat');
  const cases = [
    ['room/1/chat', 4],
    ['room/2/chat', 3],
    ['room/1/chat/x', 2],
    ['room/1', 2],
    ['room', 2],
    ['rooms/1/chat', 0],
    ['lobby/1/chat', 0],
  ];
  for (const [topic, expected] of cases) {
    assert.equal(wss.subscriberCount(topic), expected, `subscriberCount(${topic})`);
    assert.equal(wss.publish(topic, topic), expected, `publish(${topic})`);
  }
  await delay(100);
  assert.deepEqual(messages(plus.peer).map(([, t]) => t), ['room/1/chat', 'room/2/chat']);
  assert.deepEqual(messages(hash.peer).map(([, t]) => t), ['room/1/chat', 'room/2/chat', 'room/1/chat/x', 'room/1', 'room']);
  assert.deepEqual(messages(both.peer).map(([, t]) => t), ['room/1/chat', 'room/2/chat', 'room/1/chat/x', 'room/1', 'room']);
  assert.deepEqual(messages(exact.peer).map(([, t]) => t), ['room/1/chat']);
  // Invalid filters and wildcard publishes are refused.
  for (const bad of ['', 'room/#/x', 'ro+om', 'room/a#']) assert.throws(() => plus.ws.subscribe(bad), TypeError, bad);
  assert.throws(() => wss.publish('room/+/chat', 'x'), TypeError);
  assert.throws(() => wss.publish('room/#', 'x'), TypeError);
  for (const p of [plus, hash, both, exact]) p.peer.destroy();
});

test('unsubscribe, isSubscribed and topics', async () => {
  const { wss, port } = await startServer();
  const [{ ws, peer }] = await openPeers(wss, port, 1);
  ws.subscribe('a');
  ws.subscribe('b/+');
  assert.deepEqual(ws.topics.sort(), ['a', 'b/+']);
  assert.equal(ws.isSubscribed('a'), true);
  assert.equal(ws.isSubscribed('b/+'), true);
  assert.equal(ws.isSubscribed('b/x'), false, 'isSubscribed is about filters, not matches');
  assert.equal(ws.unsubscribe('a'), true);
  assert.equal(ws.unsubscribe('a'), false);
  assert.equal(ws.unsubscribe('never'), false);
  assert.equal(ws.isSubscribed('a'), false);
  assert.deepEqual(ws.topics, ['b/+']);
  assert.equal(wss.publish('a', 'gone'), 0);
  assert.equal(wss.publish('b/x', 'kept'), 1);
  await delay(50);
  assert.deepEqual(messages(peer), [[OP.TEXT, 'kept']]);
  peer.destroy();
});

test('subscriptions go away when a connection closes; closed connections cannot subscribe', async () => {
  const { wss, port } = await startServer();
  const pairs = await openPeers(wss, port, 3);
  for (const { ws } of pairs) {
    ws.subscribe('x');
    ws.subscribe('y/#');
  }
  assert.equal(wss.subscriberCount('x'), 3);
  // One closes cleanly, one is destroyed, one is terminated by the server.
  const closes = pairs.map(({ ws }) => nextEvent(ws, 'close'));
  pairs[0].peer.send({ opcode: OP.CLOSE, payload: Buffer.from([0x03, 0xe8]) });
  pairs[1].peer.destroy();
  pairs[2].ws.terminate();
  await Promise.all(closes);
  assert.equal(wss.subscriberCount('x'), 0);
  assert.equal(wss.subscriberCount('y/z'), 0);
  for (const { ws } of pairs) {
    assert.deepEqual(ws.topics, []);
    assert.equal(ws.isSubscribed('x'), false);
    assert.equal(ws.subscribe('x'), false);
  }
  assert.equal(wss.publish('x', 'nobody'), 0);
  for (const { peer } of pairs) peer.destroy();
});

test('client connections have no topics', async () => {
  const { port } = await startServer();
  const client = new WebSocket(`ws://127.0.0.1:${port}`);
  await nextEvent(client, 'open');
  assert.throws(() => client.subscribe('x'), /WebSocketServer/);
  assert.throws(() => client.publish('x', 'y'), /WebSocketServer/);
  assert.equal(client.isSubscribed('x'), false);
  assert.deepEqual(client.topics, []);
  client.close();
});

test('encode once: every subscriber is handed the same Buffer objects, the payload is not copied', async () => {
  const { wss, port } = await startServer();
  const pairs = await openPeers(wss, port, 4);
  const handed = [];
  for (const { ws } of pairs) {
    ws.subscribe('big');
    const original = ws.sendEncoded;
    ws.sendEncoded = function (frames, bytes) {
      handed.push({ ws, frames, bytes });
      return original.call(this, frames, bytes);
    };
  }
  // A large payload: the frame is a header buffer plus the caller's payload, by reference.
  const payload = Buffer.alloc(100_000, 0x42);
  assert.equal(wss.publish('big', payload), 4);
  assert.equal(handed.length, 4);
  assert.deepEqual(new Set(handed.map((h) => h.ws)), new Set(pairs.map((p) => p.ws)));
  for (const h of handed) {
    assert.equal(h.frames.length, handed[0].frames.length);
    h.frames.forEach((buf, i) => assert.equal(buf, handed[0].frames[i], 'the very same Buffer object'));
    assert.equal(h.bytes, 100_000 + 10);
  }
  assert.equal(handed[0].frames.at(-1), payload, 'the payload itself, not a copy');
  // A small payload: one buffer holding header and payload, shared too.
  handed.length = 0;
  pairs[0].ws.publish('big', 'small');
  assert.equal(handed.length, 3);
  assert.equal(handed[0].frames.length, 1);
  for (const h of handed) assert.equal(h.frames[0], handed[0].frames[0]);
  assert.deepEqual([...handed[0].frames[0]], [0x81, 5, ...Buffer.from('small')]);
  // And what arrives is right.
  await delay(200);
  for (const { peer } of pairs) {
    const big = peer.frames.find((f) => f.opcode === OP.BINARY);
    assert.ok(big.payload.equals(payload));
  }
  for (const { peer } of pairs) peer.destroy();
});

test('publish({ compress: false }) reaches permessage-deflate subscribers as uncompressed frames', async () => {
  const { wss, port } = await startServer({ perMessageDeflate: { threshold: 0 } });
  const accepted = nextEvent(wss, 'connection');
  const peer = await openRawPeer(port, { headers: ['Sec-WebSocket-Extensions: permessage-deflate'] });
  const [ws] = await accepted;
  assert.equal(ws.extensions, 'permessage-deflate');
  ws.subscribe('z');
  assert.equal(wss.publish('z', 'x'.repeat(5000), { compress: false }), 1);
  const frame = await peer.nextFrame((f) => f.opcode === OP.TEXT);
  assert.equal(frame.rsv, 0);
  assert.equal(frame.payload.toString(), 'x'.repeat(5000));
  peer.destroy();
});

test(
  'a publish is not lost while the subscriber is compressing a message of its own',
  async () => {
    const { wss, port } = await startServer({ perMessageDeflate: { threshold: 0 } });
    const accepted = nextEvent(wss, 'connection');
    const client = new WebSocket(`ws://127.0.0.1:${port}`);
    const got = [];
    client.on('message', (data) => got.push(String(data).slice(0, 9)));
    await nextEvent(client, 'open');
    const [ws] = await accepted;
    ws.subscribe('t');
    ws.send('a'.repeat(100_000));
    const recipients = wss.publish('t', 'published');
    await delay(300);
    client.close();
    assert.equal(recipients, 1);
    assert.deepEqual(got, ['aaaaaaaaa', 'published']);
  },
);

/** A raw peer offering permessage-deflate with `params` (e.g. '; server_max_window_bits=10'). */
async function openDeflatePeer(wss, port, params = '') {
  const accepted = nextEvent(wss, 'connection');
  const peer = await openRawPeer(port, { headers: [`Sec-WebSocket-Extensions: permessage-deflate${params}`] });
  const [ws] = await accepted;
  return { peer, ws };
}

/** Inflates one message's payload as RFC 7692 7.2.2 says (tail appended). */
function inflateMessage(payload, windowBits = 15) {
  return inflateRawSync(Buffer.concat([payload, Buffer.from([0, 0, 0xff, 0xff])]), { windowBits, finishFlush: zlibConstants.Z_SYNC_FLUSH }).toString();
}

test('publish({ compress }) compresses once per compressor setting among subscribers without context takeover', async () => {
  const { wss, port } = await startServer({ perMessageDeflate: { threshold: 0, serverNoContextTakeover: true } });
  const a = await openDeflatePeer(wss, port);
  const b = await openDeflatePeer(wss, port);
  const small = await openDeflatePeer(wss, port, '; server_max_window_bits=10');
  const plain = (await openPeers(wss, port, 1))[0];
  for (const { ws } of [a, b, small, plain]) ws.subscribe('z');
  assert.match(a.ws.extensions, /server_no_context_takeover/);
  assert.match(small.ws.extensions, /server_max_window_bits=10/);
  const text = 'compress me once '.repeat(300);
  assert.equal(wss.publish('z', text, { compress: true }), 4);
  const [fa, fb, fs, fp] = await Promise.all([a, b, small, plain].map(({ peer }) => peer.nextFrame((f) => f.opcode === OP.TEXT)));
  for (const f of [fa, fb, fs]) assert.equal(f.rsv, 4, 'RSV1: compressed');
  assert.ok(fa.payload.length < text.length / 10, 'really compressed');
  assert.deepEqual(fa.payload, fb.payload, 'same settings, same bytes');
  assert.equal(inflateMessage(fa.payload), text);
  assert.equal(inflateMessage(fs.payload, 10), text, 'the 10-bit window peer can inflate its copy');
  assert.equal(fp.rsv, 0, 'a peer without permessage-deflate gets it uncompressed');
  assert.equal(fp.payload.toString(), text);
  for (const { peer } of [a, b, small, plain]) peer.destroy();
});

test('publish() compression: the compress option, the threshold and compressors with context takeover', async () => {
  const { wss, port } = await startServer({ perMessageDeflate: { threshold: 100 } });
  const takeover = await openDeflatePeer(wss, port);
  assert.doesNotMatch(takeover.ws.extensions, /server_no_context_takeover/);
  takeover.ws.subscribe('t');
  // Not too repetitive on its own, so only the kept window makes the repeat tiny.
  const text = Array.from({ length: 300 }, (_, i) => `item ${(i * 7919) % 1009};`).join('');
  assert.equal(wss.publish('t', text), 1, 'compress defaults to true, as in send()');
  assert.equal(wss.publish('t', text), 1);
  assert.equal(wss.publish('t', text, { compress: false }), 1);
  // Queued behind the compressions: each waits its turn, in order (this once looped forever).
  assert.equal(wss.publish('t', 'tiny'), 1, 'under the threshold');
  await withTimeout(
    (async () => {
      while (messages(takeover.peer).length < 4) await delay(10);
    })(),
    3000,
    'four messages',
  );
  const frames = takeover.peer.frames.filter((f) => f.opcode === OP.TEXT);
  assert.deepEqual(frames.map((f) => f.rsv), [4, 4, 0, 0]);
  // The connection's own compressor kept its window: the repeat costs a few bytes.
  assert.ok(frames[1].payload.length < frames[0].payload.length / 2, `${frames[1].payload.length} vs ${frames[0].payload.length}`);
  const inflater = createInflateRaw();
  const inflated = [];
  for (const f of frames.slice(0, 2)) {
    inflater.write(Buffer.concat([f.payload, Buffer.from([0, 0, 0xff, 0xff])]));
    inflated.push(await new Promise((resolve) => inflater.flush(() => resolve(inflater.read()?.toString()))));
  }
  assert.deepEqual(inflated, [text, text]);
  assert.equal(frames[2].payload.toString(), text);
  assert.equal(frames[3].payload.toString(), 'tiny');
  takeover.peer.destroy();
});

test('PubSub encodes a compressed publish once per settings key and hands every member the same frames', () => {
  const pubsub = new PubSub();
  const settings = (windowBits) => ({ key: `${windowBits}/-/-/-`, zlibOptions: { windowBits } });
  const member = (how) => ({ topicVisit: 0, got: [], own: 0, publishCompression: () => how, sendEncoded(frames) { this.got.push(frames); return true; }, sendPublished() { this.own++; return true; } });
  const s15 = settings(15);
  const members = [member(s15), member(settings(15)), member(settings(9)), member(null), member(null), member('own')];
  for (const m of members) pubsub.subscribe(m, 'k');
  assert.equal(pubsub.publish('k', Buffer.from('x'.repeat(1000)), true, null, true), 6);
  const [m15a, m15b, m9, p1, p2, own] = members;
  assert.equal(m15a.got[0], m15b.got[0], 'one compression for one key');
  assert.notEqual(m15a.got[0], m9.got[0]);
  assert.equal(p1.got[0], p2.got[0], 'one plain frame');
  assert.equal(own.own, 1);
  assert.equal(m15a.got[0][0][0], 0xc2, 'FIN + RSV1 + binary');
  assert.equal(p1.got[0][0][0], 0x82);
});

/** The soft limit on open files, read from a shell (null if unknown). */
function openFileLimit() {
  const result = spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' });
  const n = Number(result.stdout.trim());
  return result.stdout.trim() === 'unlimited' ? Infinity : Number.isFinite(n) && n > 0 ? n : null;
}

test('10 000 connections subscribed to one topic all receive one publish, within 30 s', { timeout: 60_000 }, async (t) => {
  let n = 10_000;
  const limit = openFileLimit();
  // Each process holds n sockets (the clients run in a child process); keep 500 descriptors spare.
  if (limit !== null && limit < n + 500) {
    n = Math.max(100, limit - 500);
    t.diagnostic(`ulimit -n is ${limit}: scaled down to ${n} connections (raise it to ${10_500}+ for the full test)`);
  }
  const started = Date.now();
  const { wss, port } = await startServer({ clientTracking: false });
  wss.on('connection', (ws) => ws.subscribe('broadcast/all'));
  const child = spawn(process.execPath, [fileURLToPath(new URL('../helpers/many-subscribers.js', import.meta.url)), String(port), String(n), 'hello subscribers', '40000'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const first = await withTimeout(lines.next(), 40_000, 'all connections');
    assert.deepEqual(JSON.parse(first.value), { connected: n });
    // The server may still be finishing the last upgrades.
    const deadline = Date.now() + 10_000;
    while (wss.subscriberCount('broadcast/all') < n && Date.now() < deadline) await delay(20);
    assert.equal(wss.subscriberCount('broadcast/all'), n);
    const publishedAt = Date.now();
    assert.equal(wss.publish('broadcast/all', 'hello subscribers'), n);
    const second = await withTimeout(lines.next(), 30_000, 'all messages');
    assert.deepEqual(JSON.parse(second.value), { received: n });
    const delivery = Date.now() - publishedAt;
    t.diagnostic(`${n} connections opened in ${publishedAt - started} ms; the publish reached all in ${delivery} ms`);
    assert.ok(delivery < 30_000, `delivery took ${delivery} ms`);
  } finally {
    child.kill();
    await exited;
  }
  // The connections closed by the child leave no subscriptions behind.
  const deadline = Date.now() + 15_000;
  while (wss.subscriberCount('broadcast/all') > 0 && Date.now() < deadline) await delay(50);
  assert.equal(wss.subscriberCount('broadcast/all'), 0);
});
