// Async iteration (issue 6): `for await (const { data, isBinary } of ws)`
// yields messages in order until the connection closes, and reading pauses
// while the loop is behind (TCP backpressure reaches a fast producer).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket, WebSocketServer } from '../../dist/index.js';
import { nextEvent, withTimeout } from '../helpers/peers.js';
import { openRawPeer, OP } from '../helpers/raw-ws-peer.js';

const servers = [];
after(async () => {
  for (const s of servers) await s.close({ timeout: 200 }).catch(() => {});
});

async function pair() {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  servers.push(wss);
  await nextEvent(wss, 'listening');
  const accepted = nextEvent(wss, 'connection');
  const client = new WebSocket(`ws://127.0.0.1:${wss.address().port}`);
  await nextEvent(client, 'open');
  const [server] = await accepted;
  return { wss, client, server };
}

const delay = (ms) => new Promise((r) => setTimeout(r, ms));

test('yields { data, isBinary } in order and ends when the peer closes', async () => {
  const { client, server } = await pair();
  const loop = (async () => {
    const got = [];
    for await (const message of server) got.push(message);
    return got;
  })();
  for (let i = 0; i < 100; i++) client.send(i % 2 === 0 ? `text ${i}` : Buffer.from(`bytes ${i}`));
  client.close(1000, 'done');
  const got = await withTimeout(loop, 5000, 'the loop ends');
  assert.equal(got.length, 100);
  got.forEach(({ data, isBinary }, i) => {
    assert.equal(isBinary, i % 2 === 1);
    assert.ok(Buffer.isBuffer(data));
    assert.equal(data.toString(), i % 2 === 0 ? `text ${i}` : `bytes ${i}`);
  });
});

test('the iterator follows binaryType; a closed socket yields nothing', async () => {
  const { client, server } = await pair();
  server.binaryType = 'arraybuffer';
  const it = server[Symbol.asyncIterator]();
  client.send(new Uint8Array([1, 2, 3]));
  const { value } = await it.next();
  assert.ok(value.data instanceof ArrayBuffer);
  assert.deepEqual([...new Uint8Array(value.data)], [1, 2, 3]);
  client.close();
  assert.deepEqual(await it.next(), { value: undefined, done: true });
  const again = [];
  for await (const m of server) again.push(m);
  assert.deepEqual(again, []);
});

test('reading pauses while the consumer is behind: the socket is paused and the producer is pushed back', async () => {
  const { client, server } = await pair();
  let release;
  const gate = new Promise((r) => (release = r));
  const got = [];
  const loop = (async () => {
    for await (const { data } of server) {
      got.push(data.readUInt32BE(0));
      if (got.length === 1) await gate; // the consumer falls behind after the first message
    }
  })();
  // A fast producer: 64 KiB messages until its own bufferedAmount stays above zero.
  let sent = 0;
  for (;;) {
    const b = Buffer.alloc(256 * 1024);
    b.writeUInt32BE(sent++, 0);
    client.send(b);
    await delay(2);
    if (client.bufferedAmount > 0) {
      await delay(30);
      if (client.bufferedAmount > 0) break;
    }
    assert.ok(sent < 2000, 'the producer is pushed back within 500 MiB');
  }
  assert.equal(server.isPaused, true, 'the server stopped reading');
  assert.equal(got.length, 1);
  release();
  await withTimeout(
    (async () => {
      while (got.length < sent) await delay(10);
    })(),
    20_000,
    'the loop catches up',
  );
  assert.deepEqual(got, Array.from({ length: sent }, (_, i) => i));
  assert.equal(server.isPaused, false, 'reading resumed once the loop caught up');
  client.close();
  await withTimeout(loop, 5000, 'the loop ends');
});

test('breaking out of the loop resumes reading and detaches', async () => {
  const { client, server } = await pair();
  for (let i = 0; i < 40; i++) client.send(`m${i}`);
  let first;
  for await (const { data } of server) {
    first = data.toString();
    await delay(50); // let the rest queue up and pause the socket
    break;
  }
  assert.equal(first, 'm0');
  assert.equal(server.isPaused, false);
  const later = nextEvent(server, 'message');
  client.send('after the loop');
  const [data] = await later;
  assert.equal(data.toString(), 'after the loop');
  client.close();
});

test('a protocol error ends the loop by throwing the error', async () => {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  servers.push(wss);
  await nextEvent(wss, 'listening');
  const accepted = nextEvent(wss, 'connection');
  const peer = await openRawPeer(wss.address().port);
  const [server] = await accepted;
  const got = [];
  const loop = (async () => {
    for await (const { data } of server) got.push(data.toString());
  })();
  peer.text('fine');
  peer.send({ opcode: 3, payload: 'reserved opcode' });
  await assert.rejects(withTimeout(loop, 5000, 'the loop fails'), (e) => e.code === 'WSX_ERR_INVALID_OPCODE');
  assert.deepEqual(got, ['fine']);
  const close = await peer.nextFrame((f) => f.opcode === OP.CLOSE);
  assert.equal(close.payload.readUInt16BE(0), 1002);
  peer.destroy();
});
