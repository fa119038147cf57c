// createWebSocketStream (issue 6): a Duplex over a WebSocket that carries a
// large payload both ways, with backpressure (a slow reader pauses the
// socket; a write completes only once handed to the kernel).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { WebSocket, WebSocketServer, createWebSocketStream } from '../../dist/index.js';
import { nextEvent, withTimeout } from '../helpers/peers.js';

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
  return { client, server };
}

const TOTAL = 24 * 1024 * 1024;
const CHUNK = 64 * 1024;

/** TOTAL pseudo-random bytes in CHUNK pieces, and their SHA-256. */
function source() {
  let produced = 0;
  let seed = 1;
  const hash = createHash('sha256');
  const readable = new Readable({
    read() {
      if (produced >= TOTAL) {
        this.push(null);
        return;
      }
      const b = Buffer.allocUnsafe(CHUNK);
      for (let i = 0; i < CHUNK; i += 4) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        b.writeUInt32LE(seed, i);
      }
      hash.update(b);
      produced += CHUNK;
      this.push(b);
    },
  });
  return { readable, digest: () => hash.digest('hex') };
}

/** A sink that waits a little after every 256 KiB: slower than the loopback network. */
function slowSink() {
  const hash = createHash('sha256');
  let bytes = 0;
  let sinceWait = 0;
  const writable = new Writable({
    highWaterMark: 64 * 1024,
    write(chunk, _enc, cb) {
      hash.update(chunk);
      bytes += chunk.length;
      sinceWait += chunk.length;
      if (sinceWait >= 256 * 1024) {
        sinceWait = 0;
        setTimeout(cb, 2);
      } else cb();
    },
  });
  return { writable, bytes: () => bytes, result: () => ({ bytes, digest: hash.digest('hex') }) };
}

async function until(predicate, ms, what) {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('client → server: 24 MiB through a slow reader arrive intact; the reader pauses the socket', async () => {
  const { client, server } = await pair();
  const up = createWebSocketStream(client);
  const down = createWebSocketStream(server);
  let sawPaused = false;
  const sampler = setInterval(() => {
    if (server.isPaused) sawPaused = true;
  }, 1);
  const src = source();
  const sink = slowSink();
  const receiving = pipeline(down, sink.writable);
  try {
    await withTimeout(pipeline(src.readable, up), 60_000, 'sending');
    await withTimeout(receiving, 60_000, 'receiving');
  } finally {
    clearInterval(sampler);
  }
  const { bytes, digest } = sink.result();
  assert.equal(bytes, TOTAL);
  assert.equal(digest, src.digest());
  assert.ok(sawPaused, 'the server WebSocket was paused while the sink was behind');
});

test('server → client: 24 MiB arrive intact; the sender never buffers more than one chunk', async () => {
  const { client, server } = await pair();
  const down = createWebSocketStream(server);
  const up = createWebSocketStream(client);
  let maxBuffered = 0;
  const src = source();
  const sink = slowSink();
  const receiving = pipeline(up, sink.writable);
  const sampler = setInterval(() => {
    maxBuffered = Math.max(maxBuffered, server.bufferedAmount);
  }, 1);
  try {
    await withTimeout(pipeline(src.readable, down), 60_000, 'sending');
  } finally {
    clearInterval(sampler);
  }
  await withTimeout(receiving, 60_000, 'receiving');
  const { bytes, digest } = sink.result();
  assert.equal(bytes, TOTAL);
  assert.equal(digest, src.digest());
  // Each write waits for the kernel: at most one chunk (and its header) is ever buffered.
  assert.ok(maxBuffered <= CHUNK + 14, `server bufferedAmount peaked at ${maxBuffered}`);
});

test('both directions at once; ending one writable side then closes the WebSocket (no half-close)', async () => {
  const { client, server } = await pair();
  const a = createWebSocketStream(client);
  const b = createWebSocketStream(server);
  const ab = { src: source(), sink: slowSink() };
  const ba = { src: source(), sink: slowSink() };
  const closed = Promise.all([nextEvent(client, 'close', 60_000), nextEvent(server, 'close', 60_000)]);
  const streamsClosed = Promise.all([nextEvent(a, 'close', 60_000), nextEvent(b, 'close', 60_000)]);
  // A WebSocket cannot half-close: keep both writable sides open until both directions are through.
  ab.src.readable.pipe(a, { end: false });
  ba.src.readable.pipe(b, { end: false });
  const sinks = Promise.all([pipeline(b, ab.sink.writable), pipeline(a, ba.sink.writable)]);
  await until(() => ab.sink.bytes() === TOTAL && ba.sink.bytes() === TOTAL, 60_000, 'both directions');
  a.end();
  const [[clientCode], [serverCode]] = await closed;
  assert.equal(clientCode, 1005);
  assert.equal(serverCode, 1005);
  await withTimeout(sinks, 10_000, 'both readable sides end');
  assert.deepEqual(ab.sink.result(), { bytes: TOTAL, digest: ab.src.digest() });
  assert.deepEqual(ba.sink.result(), { bytes: TOTAL, digest: ba.src.digest() });
  await withTimeout(streamsClosed, 10_000, "both streams emit 'close'");
});

test('a WebSocket error destroys the stream with that error', async () => {
  const { client, server } = await pair();
  const duplex = createWebSocketStream(server);
  const failed = nextEvent(duplex, 'error');
  const duplexClosed = nextEvent(duplex, 'close');
  // An invalid close code from the client is a protocol error on the server.
  client._socket.write(Buffer.from([0x88, 0x82, 0, 0, 0, 0, 0x03, 0xed])); // close 1005: not allowed on the wire
  const [error] = await failed;
  assert.equal(error.code, 'WSX_ERR_INVALID_CLOSE_CODE');
  await duplexClosed;
  assert.equal(duplex.destroyed, true);
  assert.equal(server.readyState, WebSocket.CLOSED);
});
