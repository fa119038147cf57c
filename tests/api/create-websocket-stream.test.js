// createWebSocketStream() (src/api/create-websocket-stream.ts): a Duplex
// over a WebSocket, over real sockets on 127.0.0.1. Backpressure is checked
// by what happens (the WebSocket is paused, write() says wait), never by time.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createWebSocketStream } from '../../dist/index.js';
import { createWebSocketStream as wsCreateWebSocketStream } from 'ws';
import {
  closeAll,
  closeOf,
  frameRecorder,
  nextEvent,
  openPair,
  startRawServer,
  startServer,
  track,
  within,
  wsLib,
  wsxLib,
} from './api-harness.js';
import { frame } from '../helpers/frame-builder.js';

after(closeAll);

const MiB = 1024 * 1024;
const LIBS = [
  { ...wsxLib, createWebSocketStream },
  { ...wsLib, createWebSocketStream: wsCreateWebSocketStream },
];

/** `total` bytes of a deterministic pattern in `chunk`-sized pieces, and their SHA-256. */
function patternSource(total, chunk) {
  const hash = createHash('sha256');
  const pieces = [];
  for (let offset = 0; offset < total; offset += chunk) {
    const piece = Buffer.alloc(Math.min(chunk, total - offset));
    for (let i = 0; i < piece.length; i++) piece[i] = (offset + i) * 31 % 251;
    hash.update(piece);
    pieces.push(piece);
  }
  return { pieces, sha: hash.digest('hex') };
}

/** A Writable that takes its time (one chunk per macrotask turn) and hashes what it gets. */
function slowSink({ highWaterMark = 16 * 1024 } = {}) {
  const hash = createHash('sha256');
  const sink = new Writable({
    highWaterMark,
    write(chunk, _encoding, callback) {
      hash.update(chunk);
      sink.bytes += chunk.length;
      setImmediate(callback);
    },
  });
  sink.bytes = 0;
  sink.sha = () => hash.digest('hex');
  return sink;
}

/** Counts calls of ws.pause() on this instance. */
function countPauses(ws) {
  const counter = { pauses: 0 };
  const pause = ws.pause.bind(ws);
  ws.pause = () => {
    counter.pauses++;
    pause();
  };
  return counter;
}

describe('round trip', () => {
  for (const lib of LIBS) {
    test(`${lib.name}: bytes written on one end are read on the other, in order`, async () => {
      const { client, server } = await openPair({ clientLib: lib, serverLib: lib });
      const a = lib.createWebSocketStream(client);
      const b = lib.createWebSocketStream(server);
      b.pipe(b); // echo
      const received = [];
      a.on('data', (chunk) => received.push(chunk));
      a.write('hello ');
      a.write(Buffer.from('world'));
      a.write(new Uint8Array([0x21]));
      await within(
        (async () => {
          while (Buffer.concat(received).length < 12) await new Promise((resolve) => setTimeout(resolve, 5));
        })(),
        5000,
        'the echo',
      );
      assert.equal(Buffer.concat(received).toString(), 'hello world!');
      assert.ok(received.every((chunk) => Buffer.isBuffer(chunk)));
    });
  }

  test('writes made while CONNECTING are sent once the WebSocket opens', async () => {
    const { server: wss, url } = await startServer(wsxLib);
    const client = track(new wsxLib.WebSocket(url));
    const duplex = createWebSocketStream(client);
    duplex.write('early');
    const [peer] = await nextEvent(wss, 'connection');
    const [data, isBinary] = await nextEvent(peer, 'message');
    assert.deepEqual([data.toString(), isBinary], ['early', true]);
  });

  for (const type of ['arraybuffer', 'fragments', 'blob']) {
    test(`the readable side carries bytes whatever binaryType says ('${type}')`, async () => {
      const { client, server } = await openPair();
      client.binaryType = type;
      const duplex = createWebSocketStream(client);
      const errors = [];
      duplex.on('error', (error) => errors.push(error));
      const chunks = [];
      duplex.on('data', (chunk) => chunks.push(chunk));
      server.send(Buffer.from('one'));
      server.send('two');
      server.send(Buffer.from('three'));
      server.close();
      await nextEvent(duplex, 'end');
      assert.deepEqual(errors, []);
      assert.equal(Buffer.concat(chunks).toString(), 'onetwothree');
      assert.ok(chunks.every((chunk) => Buffer.isBuffer(chunk)));
    });
  }
});

describe('backpressure', () => {
  for (const lib of LIBS) {
    test(`${lib.name}: 8 MiB piped into a slow consumer pauses the receiving WebSocket, and arrives intact`, async () => {
      const { client, server } = await openPair({
        clientLib: lib,
        serverLib: lib,
        clientOptions: { perMessageDeflate: false },
      });
      const { pieces, sha } = patternSource(8 * MiB, 64 * 1024);
      const pauses = countPauses(server);
      const sending = lib.createWebSocketStream(client);
      const receiving = lib.createWebSocketStream(server, { highWaterMark: 16 * 1024 });
      const sink = slowSink();
      let writeSaidWait = false;
      const write = sending.write.bind(sending);
      sending.write = (...args) => {
        const ok = write(...args);
        if (!ok) writeSaidWait = true;
        return ok;
      };
      const source = Readable.from(pieces, { objectMode: false });
      const drained = pipeline(receiving, sink);
      await within(pipeline(source, sending), 20_000, 'writing 8 MiB');
      await within(drained, 20_000, 'reading 8 MiB');
      assert.equal(sink.bytes, 8 * MiB);
      assert.equal(sink.sha(), sha);
      assert.ok(pauses.pauses > 0, 'the receiving WebSocket was paused');
      assert.ok(writeSaidWait, 'the sending stream asked its writer to wait');
    });
  }

  test('write() reports a full buffer while the peer does not read, and drains when it does', async () => {
    const { client, server } = await openPair({ clientOptions: { perMessageDeflate: false } });
    server.pause();
    const duplex = createWebSocketStream(client, { highWaterMark: 64 * 1024 });
    const chunk = Buffer.alloc(256 * 1024, 1);
    let writes = 0;
    while (duplex.write(chunk)) {
      writes++;
      assert.ok(writes < 400, 'write() never said wait'); // 100 MiB: no kernel buffers that much
    }
    let received = 0;
    server.on('message', (data) => {
      received += data.length;
    });
    server.resume();
    await nextEvent(duplex, 'drain', 10_000);
    await within(
      (async () => {
        while (received < (writes + 1) * chunk.length) await new Promise((resolve) => setTimeout(resolve, 5));
      })(),
      10_000,
      'every written byte',
    );
    assert.equal(received, (writes + 1) * chunk.length);
  });
});

describe('ending, destroying and errors', () => {
  for (const lib of LIBS) {
    test(`${lib.name}: end() closes the WebSocket (the peer sees 1005); the stream finishes, ends and closes`, async () => {
      const { client, server } = await openPair({ clientLib: lib, serverLib: lib });
      const a = lib.createWebSocketStream(client);
      const b = lib.createWebSocketStream(server);
      b.resume();
      a.resume();
      const events = [];
      for (const [name, stream] of [['a', a], ['b', b]]) {
        for (const event of ['finish', 'end', 'close']) stream.on(event, () => events.push(`${name}:${event}`));
      }
      const serverClose = closeOf(server);
      a.end('last words');
      const [data] = await nextEvent(server, 'message');
      assert.equal(data.toString(), 'last words');
      assert.deepEqual(await serverClose, [1005, '']);
      await nextEvent(a, 'close');
      assert.equal(client.readyState, 3);
      if (!b.readableEnded) await nextEvent(b, 'end');
      assert.deepEqual(events.filter((e) => e.startsWith('a:')).sort(), ['a:close', 'a:end', 'a:finish']);
      assert.ok(events.includes('b:end'));
    });

    test(`${lib.name}: destroy() terminates the WebSocket (1006 at the peer) and the stream closes`, async () => {
      const { client, server } = await openPair({ clientLib: lib, serverLib: lib });
      const duplex = lib.createWebSocketStream(client);
      const serverClose = closeOf(server);
      const closed = nextEvent(duplex, 'close');
      duplex.destroy();
      assert.deepEqual(await serverClose, [1006, '']);
      await closed;
      assert.equal(client.readyState, 3);
    });

    test(`${lib.name}: destroy(error) emits that error on the stream`, async () => {
      const { client } = await openPair({ clientLib: lib, serverLib: lib });
      const duplex = lib.createWebSocketStream(client);
      const failure = new Error('application failure');
      const errored = nextEvent(duplex, 'error');
      const closed = nextEvent(client, 'close');
      duplex.destroy(failure);
      assert.equal((await errored)[0], failure);
      assert.equal((await closed)[0], 1006);
      assert.equal(client.readyState, 3);
    });

    test(`${lib.name}: a protocol error on the WebSocket is emitted on the stream`, async () => {
      const { url } = await startRawServer((socket, rest) => {
        const recorder = frameRecorder(socket, rest);
        socket.write(frame({ opcode: 0xb }));
        // Answer the client's close frame and hang up, as a conforming server would.
        recorder.waitFor(1).then(([closeFrame]) => socket.end(frame({ opcode: 0x8, payload: closeFrame.payload })), () => {});
      });
      const client = track(new lib.WebSocket(url));
      const duplex = lib.createWebSocketStream(client);
      const events = [];
      duplex.on('error', (error) => events.push(`error:${error.code}`));
      const closed = nextEvent(duplex, 'close');
      await closed;
      const prefix = lib.name === 'ws' ? 'WS' : 'WSX';
      assert.deepEqual(events, [`error:${prefix}_ERR_INVALID_OPCODE`]);
    });
  }

  test('a failed handshake is an error on the stream, which then closes', async () => {
    const client = track(new wsxLib.WebSocket('ws://127.0.0.1:1/'));
    const duplex = createWebSocketStream(client);
    duplex.write('never sent');
    const closed = nextEvent(duplex, 'close');
    const [error] = await nextEvent(duplex, 'error');
    assert.match(error.message, /ECONNREFUSED/);
    await closed;
    assert.equal(client.readyState, 3);
  });

  test('the peer closing ends the readable side after the data already received', async () => {
    const { client, server } = await openPair();
    const duplex = createWebSocketStream(client);
    const chunks = [];
    duplex.on('data', (chunk) => chunks.push(chunk.toString()));
    server.send('a');
    server.send('b');
    server.close(1000);
    await nextEvent(duplex, 'end');
    assert.deepEqual(chunks, ['a', 'b']);
  });
});
