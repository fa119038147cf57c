// The ws v8 EventEmitter API of src/api/websocket.ts over real sockets on
// 127.0.0.1. Where the contract is "like ws", the same scenario runs with
// ws's client too and both must give the literal expectation.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  closeAll,
  closeOf,
  collectEvents,
  frameRecorder,
  nextEvent,
  openPair,
  startRawServer,
  startServer,
  tick,
  track,
  within,
  wsLib,
  wsxLib,
} from './api-harness.js';
import { frame, closePayload, OP } from '../helpers/frame-builder.js';
import { WebSocket } from '../../dist/index.js';

after(closeAll);

const BOTH = [wsxLib, wsLib];

/** Opens `clientLib`'s client to a ws server that records what it receives. */
async function recordingPair(clientLib, clientOptions = {}) {
  const pair = await openPair({ serverLib: wsLib, clientLib, clientOptions });
  const received = [];
  pair.server.on('message', (data, isBinary) => received.push({ data: Buffer.from(data), isBinary }));
  return { ...pair, received };
}

/** Waits until `received` holds `n` entries (the client sends, the ws server records). */
async function receivedCount(pair, n) {
  await within(
    (async () => {
      while (pair.received.length < n) await new Promise((resolve) => setTimeout(resolve, 5));
    })(),
    5000,
    `${n} messages (got ${pair.received.length})`,
  );
  return pair.received.map(({ data, isBinary }) => [data.toString('hex'), isBinary]);
}

const hex = (s) => Buffer.from(s).toString('hex');

describe('readyState', () => {
  test('constants on the class and on instances are 0..3, as in ws', () => {
    for (const lib of BOTH) {
      const W = lib.WebSocket;
      assert.deepEqual([W.CONNECTING, W.OPEN, W.CLOSING, W.CLOSED], [0, 1, 2, 3], lib.name);
      assert.deepEqual([W.prototype.CONNECTING, W.prototype.OPEN, W.prototype.CLOSING, W.prototype.CLOSED], [0, 1, 2, 3], lib.name);
    }
  });

  for (const lib of BOTH) {
    test(`${lib.name} client: CONNECTING → OPEN → CLOSING → CLOSED, events open → message… → close`, async () => {
      const { server: wss, url } = await startServer(wsxLib);
      wss.once('connection', (peer) => {
        peer.send('one');
        peer.send(Buffer.from([1, 2]));
        peer.send('three');
      });
      const client = track(new lib.WebSocket(url));
      assert.equal(client.readyState, 0);
      assert.equal(client.readyState, client.CONNECTING);
      const order = [];
      client.on('open', () => order.push(`open:${client.readyState}`));
      client.on('message', (data, isBinary) => {
        order.push(`message:${isBinary ? Buffer.from(data).toString('hex') : data.toString()}:${client.readyState}`);
        if (order.length === 4) {
          client.close(1000, 'done');
          order.push(`after-close:${client.readyState}`);
        }
      });
      client.on('close', (code, reason) => order.push(`close:${code}:${reason}:${client.readyState}`));
      await nextEvent(client, 'close');
      assert.deepEqual(order, ['open:1', 'message:one:1', 'message:0102:1', 'message:three:1', 'after-close:2', 'close:1000:done:3']);
    });
  }

  test('wsx server side: OPEN at connection, CLOSING after close(), CLOSED at close', async () => {
    const { server: wss, url } = await startServer(wsxLib);
    const client = track(new wsLib.WebSocket(url));
    const [peer] = await nextEvent(wss, 'connection');
    assert.equal(peer.readyState, WebSocket.OPEN);
    await nextEvent(client, 'open');
    peer.close(4001, 'bye');
    assert.equal(peer.readyState, WebSocket.CLOSING);
    const [[code, reason]] = await Promise.all([closeOf(peer), closeOf(client)]);
    assert.deepEqual([code, reason], [4001, 'bye']);
    assert.equal(peer.readyState, WebSocket.CLOSED);
  });
});

describe('protocol, extensions, url', () => {
  test('protocol is the subprotocol the server chose, on both ends', async () => {
    for (const lib of BOTH) {
      const { client, server } = await openPair({
        clientLib: lib,
        protocols: ['chat', 'superchat'],
        serverOptions: { handleProtocols: (protocols) => (protocols.has('superchat') ? 'superchat' : false) },
      });
      assert.equal(client.protocol, 'superchat', lib.name);
      assert.equal(server.protocol, 'superchat', lib.name);
    }
  });

  test("protocol and extensions are '' when none were negotiated", async () => {
    const { client, server } = await openPair({ clientOptions: { perMessageDeflate: false } });
    assert.equal(client.protocol, '');
    assert.equal(client.extensions, '');
    assert.equal(server.extensions, '');
  });

  test('extensions is the negotiated permessage-deflate, as ws reports it', async () => {
    const results = [];
    for (const lib of BOTH) {
      const { client, server } = await openPair({ clientLib: lib, serverLib: wsLib, serverOptions: { perMessageDeflate: true } });
      results.push(client.extensions);
      assert.match(server.extensions, /^permessage-deflate/);
    }
    assert.match(results[0], /^permessage-deflate/);
    assert.equal(results[0], results[1]);
  });

  test('url is the normalized address; http: reads as ws:', async () => {
    const { url, port } = await startServer(wsxLib);
    for (const lib of BOTH) {
      const a = track(new lib.WebSocket(`${url}path?x=1`));
      const b = track(new lib.WebSocket(`http://127.0.0.1:${port}/p`));
      assert.equal(a.url, `ws://127.0.0.1:${port}/path?x=1`, lib.name);
      assert.equal(b.url, `ws://127.0.0.1:${port}/p`, lib.name);
      await Promise.all([nextEvent(a, 'open'), nextEvent(b, 'open')]);
      a.close();
      b.close();
    }
  });
});

describe('binaryType', () => {
  test("defaults to 'nodebuffer'; an unknown value is ignored", () => {
    for (const lib of BOTH) {
      const client = track(new lib.WebSocket('ws://127.0.0.1:1/'));
      client.on('error', () => {});
      assert.equal(client.binaryType, 'nodebuffer');
      client.binaryType = 'arraybuffer';
      assert.equal(client.binaryType, 'arraybuffer');
      client.binaryType = 'text';
      assert.equal(client.binaryType, 'arraybuffer', lib.name);
      client.terminate();
    }
  });

  for (const lib of BOTH) {
    test(`${lib.name}: binary follows binaryType, text is always a Buffer with isBinary false`, async () => {
      const { client, server } = await openPair({ clientLib: lib });
      const bytes = Buffer.from([0, 1, 2, 250, 255]);
      const seen = [];
      for (const type of ['nodebuffer', 'arraybuffer', 'fragments', 'blob']) {
        client.binaryType = type;
        const messages = collectEvents(client, 'message', 2);
        server.send(bytes);
        server.send('tëxt');
        const [[binary, isBinary], [text, textIsBinary]] = await messages;
        assert.equal(isBinary, true);
        assert.equal(textIsBinary, false);
        assert.ok(Buffer.isBuffer(text), `${type}: text is a Buffer`);
        assert.equal(text.toString(), 'tëxt');
        if (type === 'nodebuffer') {
          assert.ok(Buffer.isBuffer(binary));
          seen.push(binary.toString('hex'));
        } else if (type === 'arraybuffer') {
          assert.ok(binary instanceof ArrayBuffer);
          assert.equal(binary.byteLength, 5);
          seen.push(Buffer.from(binary).toString('hex'));
        } else if (type === 'fragments') {
          assert.ok(Array.isArray(binary));
          seen.push(Buffer.concat(binary).toString('hex'));
        } else {
          assert.ok(binary instanceof Blob);
          seen.push(Buffer.from(await binary.arrayBuffer()).toString('hex'));
        }
      }
      assert.deepEqual(seen, Array(4).fill('000102faff'));
    });
  }

  test("'fragments' gives the fragments of a fragmented message as sent", async () => {
    const { client, server } = await openPair();
    client.binaryType = 'fragments';
    server.send(Buffer.from('ab'), { fin: false });
    server.send(Buffer.from('cd'), { fin: true });
    const [[data, isBinary]] = await collectEvents(client, 'message', 1);
    assert.equal(isBinary, true);
    assert.ok(Array.isArray(data));
    assert.equal(Buffer.concat(data).toString(), 'abcd');
  });

  test("an 'arraybuffer' message holds exactly its own bytes", async () => {
    const { client, server } = await openPair();
    client.binaryType = 'arraybuffer';
    const messages = collectEvents(client, 'message', 3);
    server.send(Buffer.from([1]));
    server.send(Buffer.alloc(0));
    server.send(Buffer.alloc(70_000, 7));
    const got = (await messages).map(([data]) => [data.byteLength, Buffer.from(data).subarray(0, 2).toString('hex')]);
    assert.deepEqual(got, [[1, '01'], [0, ''], [70_000, '0707']]);
  });
});

describe('bufferedAmount, isPaused, pause(), resume()', () => {
  test('bufferedAmount is 0 when idle, counts unsent bytes, returns to 0, and grows after close', async () => {
    for (const lib of BOTH) {
      const { client, server } = await openPair({ clientLib: lib, clientOptions: { perMessageDeflate: false } });
      assert.equal(client.bufferedAmount, 0, lib.name);
      server.pause(); // The peer stops reading, so the bytes must stay buffered somewhere.
      const big = Buffer.alloc(4 * 1024 * 1024, 1);
      client.send(big);
      assert.ok(client.bufferedAmount > 0, `${lib.name}: ${client.bufferedAmount}`);
      const sent = new Promise((resolve, reject) => client.send('x', (error) => (error ? reject(error) : resolve())));
      server.resume();
      await within(sent, 5000, 'the send callback');
      assert.equal(client.bufferedAmount, 0, lib.name);
      client.close();
      await nextEvent(client, 'close');
      const before = client.bufferedAmount;
      client.send('12345', () => {});
      assert.equal(client.bufferedAmount, before + 5, lib.name);
    }
  });

  for (const lib of BOTH) {
    test(`${lib.name}: pause() holds messages back until resume(); isPaused follows`, async () => {
      const { client, server } = await openPair({ clientLib: lib });
      assert.equal(client.isPaused, false);
      client.pause();
      assert.equal(client.isPaused, true);
      const got = [];
      client.on('message', (data) => got.push(data.toString()));
      server.send('a');
      server.send('b');
      // The server's 'b' is on the wire by the time its pong comes back; no timing assumption.
      await new Promise((resolve) => server.send('c', resolve));
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.deepEqual(got, []);
      const all = collectEvents(client, 'message', 3);
      client.resume();
      assert.equal(client.isPaused, false);
      await all;
      assert.deepEqual(got, ['a', 'b', 'c']);
    });
  }

  test('pause()/resume() while CONNECTING or after CLOSED do nothing', async () => {
    const { url } = await startServer(wsxLib);
    for (const lib of BOTH) {
      const client = track(new lib.WebSocket(url));
      client.pause();
      assert.equal(client.isPaused, false, lib.name);
      await nextEvent(client, 'open');
      client.close();
      await nextEvent(client, 'close');
      client.pause();
      assert.equal(client.isPaused, false, lib.name);
      client.resume();
    }
  });
});

describe('send()', () => {
  for (const lib of BOTH) {
    test(`${lib.name}: strings, Buffers, ArrayBuffers, views (only their bytes), DataView, numbers`, async () => {
      const pair = await recordingPair(lib);
      const backing = new ArrayBuffer(16);
      new Uint8Array(backing).forEach((_, i, a) => (a[i] = i));
      const client = pair.client;
      client.send('héllo');
      client.send(Buffer.from([9, 8, 7]));
      client.send(backing.slice(2, 5));
      client.send(new Uint8Array(backing, 3, 4));
      client.send(new Uint16Array(backing, 4, 2));
      client.send(new DataView(backing, 10, 3));
      client.send(new Float64Array([1]));
      client.send(42);
      client.send(Buffer.alloc(0));
      client.send('');
      const got = await receivedCount(pair, 10);
      assert.deepEqual(got, [
        [hex('héllo'), false],
        ['090807', true],
        ['020304', true],
        ['03040506', true],
        ['04050607', true],
        ['0a0b0c', true],
        ['000000000000f03f', true],
        [hex('42'), false],
        ['', true],
        ['', false],
      ]);
    });

    test(`${lib.name}: { binary } overrides the type of the data`, async () => {
      const pair = await recordingPair(lib);
      pair.client.send('as binary', { binary: true });
      pair.client.send(Buffer.from('as text'), { binary: false });
      assert.deepEqual(await receivedCount(pair, 2), [
        [hex('as binary'), true],
        [hex('as text'), false],
      ]);
    });

    test(`${lib.name}: a Blob keeps its place in the message order`, async () => {
      const pair = await recordingPair(lib);
      pair.client.send('first');
      pair.client.send(new Blob(['bl', new Uint8Array([0x6f, 0x62])]));
      pair.client.send('after');
      pair.client.send(new Blob(['text blob']), { binary: false });
      pair.client.send(Buffer.from('last'));
      assert.deepEqual(await receivedCount(pair, 5), [
        [hex('first'), false],
        [hex('blob'), true],
        [hex('after'), false],
        [hex('text blob'), false],
        [hex('last'), true],
      ]);
    });
  }

  test('objects, null, booleans and arrays are a TypeError, and nothing is sent', async () => {
    const pair = await recordingPair(wsxLib);
    for (const bad of [{}, null, true, [1, 2], Symbol('s'), () => {}]) {
      assert.throws(() => pair.client.send(bad), TypeError, String(typeof bad));
    }
    assert.equal(pair.client.readyState, WebSocket.OPEN);
    pair.client.send('still open');
    assert.deepEqual(await receivedCount(pair, 1), [[hex('still open'), false]]);
  });

  test('fin: false sends fragments: text then continuation frames, one message at the peer', async () => {
    const frames = [];
    const { url } = await startRawServer((socket, rest) => frames.push(frameRecorder(socket, rest)));
    const client = track(new WebSocket(url, { perMessageDeflate: false }));
    await nextEvent(client, 'open');
    client.send('Hel', { fin: false });
    client.send('lo', { fin: false });
    client.send('!', { fin: true });
    client.send(Buffer.from([1]), { fin: false });
    client.send(Buffer.from([2]));
    const got = await frames[0].waitFor(5);
    assert.deepEqual(
      got.map((f) => [f.fin, f.opcode, f.masked, f.payload.toString('hex')]),
      [
        [false, OP.TEXT, true, hex('Hel')],
        [false, OP.CONT, true, hex('lo')],
        [true, OP.CONT, true, hex('!')],
        [false, OP.BINARY, true, '01'],
        [true, OP.CONT, true, '02'],
      ],
    );

    const pair = await recordingPair(wsxLib);
    pair.client.send('Hel', { fin: false });
    pair.client.send('lo');
    assert.deepEqual(await receivedCount(pair, 1), [[hex('Hello'), false]]);
  });

  test('compress: false sends a message uncompressed when permessage-deflate is on', async () => {
    const frames = [];
    const { url } = await startRawServer((socket, rest) => frames.push(frameRecorder(socket, rest)), {
      responseHeaders: ['Sec-WebSocket-Extensions: permessage-deflate'],
    });
    const client = track(new WebSocket(url, { perMessageDeflate: true }));
    await nextEvent(client, 'open');
    assert.equal(client.extensions, 'permessage-deflate');
    const text = 'a'.repeat(4096);
    client.send(text, { compress: false });
    client.send(text);
    const [plain, compressed] = await frames[0].waitFor(2);
    assert.deepEqual([plain.rsv, plain.payload.toString()], [0, text]);
    assert.equal(compressed.rsv, 0b100);
    assert.ok(compressed.payload.length < 100, `compressed to ${compressed.payload.length} bytes`);
  });

  test('send() while CONNECTING throws, as in ws', () => {
    for (const lib of BOTH) {
      const client = track(new lib.WebSocket('ws://127.0.0.1:1/'));
      client.on('error', () => {});
      assert.throws(() => client.send('x'), { message: 'WebSocket is not open: readyState 0 (CONNECTING)' }, lib.name);
      assert.throws(() => client.ping(), { message: 'WebSocket is not open: readyState 0 (CONNECTING)' }, lib.name);
      assert.throws(() => client.pong(), { message: 'WebSocket is not open: readyState 0 (CONNECTING)' }, lib.name);
      client.terminate();
    }
  });

  for (const lib of BOTH) {
    test(`${lib.name}: send/ping/pong after close() call back with an error and never throw`, async () => {
      const { client } = await openPair({ clientLib: lib });
      client.close();
      assert.equal(client.readyState, 2);
      const errors = [];
      const callback = (error) => errors.push(error);
      client.send('late', callback);
      client.ping('p', true, callback);
      client.pong(callback);
      await nextEvent(client, 'close');
      client.send('later', {}, callback);
      client.send(Buffer.alloc(3)); // no callback: nothing to report, nothing thrown
      await tick();
      assert.equal(errors.length, 4);
      for (const error of errors.slice(0, 3)) assert.match(error.message, /readyState 2 \(CLOSING\)/);
      assert.match(errors[3].message, /readyState 3 \(CLOSED\)/);
    });
  }

  test('the send callback is called once the frame is written, without an error', async () => {
    const { client } = await openPair();
    const results = await Promise.all([
      new Promise((resolve) => client.send('a', resolve)),
      new Promise((resolve) => client.send('b', { binary: true }, resolve)),
    ]);
    assert.deepEqual(results.map((e) => e ?? null), [null, null]);
  });
});

describe('ping() and pong()', () => {
  test('a payload over 125 bytes is a RangeError; 125 bytes is fine', async () => {
    for (const lib of BOTH) {
      const { client, server } = await openPair({ clientLib: lib });
      assert.throws(() => client.ping(Buffer.alloc(126)), RangeError, lib.name);
      assert.throws(() => client.pong('x'.repeat(126)), RangeError, lib.name);
      const pinged = nextEvent(server, 'ping');
      client.ping(Buffer.alloc(125, 0x61));
      const [payload] = await pinged;
      assert.equal(payload.length, 125);
    }
  });

  for (const lib of BOTH) {
    test(`${lib.name}: ping(data, mask, cb) argument shapes; the peer sees each payload and pongs it back`, async () => {
      const { client, server } = await openPair({ clientLib: lib });
      const calls = [];
      const shapes = [
        () => client.ping(),
        () => client.ping((error) => calls.push(['cb-only', error ?? null])),
        () => client.ping('text'),
        () => client.ping(Buffer.from([1, 2]), true, (error) => calls.push(['three-args', error ?? null])),
        () => client.ping(7, (error) => calls.push(['data-cb', error ?? null])),
        () => client.ping(new Uint8Array([5, 6, 7]).subarray(1), undefined),
      ];
      const pings = [];
      const pongs = [];
      // One at a time: a peer may answer pings read together with one pong (RFC 6455 5.5.3).
      for (const ping of shapes) {
        const both = Promise.all([nextEvent(server, 'ping'), nextEvent(client, 'pong')]);
        ping();
        const [[pinged], [ponged]] = await both;
        pings.push(pinged.toString('hex'));
        pongs.push(ponged.toString('hex'));
      }
      const expected = ['', '', hex('text'), '0102', hex('7'), '0607'];
      assert.deepEqual(pings, expected);
      assert.deepEqual(pongs, expected);
      assert.deepEqual(calls.sort(), [['cb-only', null], ['data-cb', null], ['three-args', null]]);
    });
  }

  test('pong(data) reaches the peer as a pong; objects are a TypeError', async () => {
    const { client, server } = await openPair();
    const pong = nextEvent(server, 'pong');
    client.pong('unsolicited');
    assert.equal((await pong)[0].toString(), 'unsolicited');
    assert.throws(() => client.ping({}), TypeError);
    assert.throws(() => client.pong({}), TypeError);
  });
});

describe('close()', () => {
  const INVALID = [999, 1004, 1005, 1006, 1015, 2999, 5000, 1000.5, NaN, -1, 0, Infinity, '1000'];

  test('invalid codes throw a DOMException InvalidAccessError and leave the socket open', async () => {
    const { client } = await openPair();
    for (const code of INVALID) {
      assert.throws(
        () => client.close(code),
        (error) => error instanceof DOMException && error.name === 'InvalidAccessError',
        String(code),
      );
    }
    assert.equal(client.readyState, WebSocket.OPEN);
  });

  test('a reason over 123 bytes of UTF-8 throws a DOMException SyntaxError; 123 bytes is fine', async () => {
    const { client, server } = await openPair();
    const isSyntaxError = (error) => error instanceof DOMException && error.name === 'SyntaxError';
    assert.throws(() => client.close(1000, 'x'.repeat(124)), isSyntaxError);
    assert.throws(() => client.close(1000, 'é'.repeat(62)), isSyntaxError); // 124 bytes, 62 characters
    assert.equal(client.readyState, WebSocket.OPEN);
    const reason = `${'é'.repeat(61)}z`; // 123 bytes
    client.close(3000, reason);
    assert.deepEqual(await closeOf(server), [3000, reason]);
  });

  test('close() with no code sends an empty close frame; the peer sees 1005', async () => {
    const frames = [];
    const { url } = await startRawServer((socket, rest) => frames.push({ socket, recorder: frameRecorder(socket, rest) }));
    const client = track(new WebSocket(url));
    await nextEvent(client, 'open');
    client.close();
    const [closeFrame] = await frames[0].recorder.waitFor(1);
    assert.deepEqual([closeFrame.opcode, closeFrame.fin, closeFrame.payload.length], [OP.CLOSE, true, 0]);
    frames[0].socket.end(frame({ opcode: OP.CLOSE }));
    assert.deepEqual(await closeOf(client), [1005, '']);

    for (const lib of BOTH) {
      const { client: c, server } = await openPair({ clientLib: lib });
      const serverClose = closeOf(server);
      c.close();
      assert.deepEqual(await serverClose, [1005, ''], lib.name);
      assert.deepEqual(await closeOf(c), [1005, ''], lib.name);
    }
  });

  test('close(code) on a CLOSED socket does nothing; a second close() while CLOSING is harmless', async () => {
    const { client, server } = await openPair();
    client.close(1000);
    client.close(1001, 'again');
    assert.deepEqual(await closeOf(server), [1000, '']);
    await nextEvent(client, 'close').catch(() => {});
    client.close(1000);
    client.terminate();
    assert.equal(client.readyState, WebSocket.CLOSED);
  });

  for (const lib of BOTH) {
    test(`${lib.name}: close() while CONNECTING emits error then close 1006`, async () => {
      const { url } = await startServer(wsxLib);
      const client = track(new lib.WebSocket(url));
      const order = [];
      client.on('error', (error) => order.push(`error:${error.message}`));
      client.on('close', (code, reason) => order.push(`close:${code}:${reason}:${client.readyState}`));
      client.on('open', () => order.push('open'));
      client.close();
      assert.equal(client.readyState, 2); // CLOSING until the events, on a later tick
      assert.deepEqual(order, []);
      await within(
        (async () => {
          while (!order.some((e) => e.startsWith('close'))) await new Promise((resolve) => setTimeout(resolve, 5));
        })(),
        5000,
        'close',
      );
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.deepEqual(order, ['error:WebSocket was closed before the connection was established', 'close:1006::3']);
    });
  }

  test('close() and terminate() while CONNECTING without an error listener do not crash', async () => {
    const { url } = await startServer(wsxLib);
    for (const method of ['close', 'terminate']) {
      const client = track(new WebSocket(url));
      client[method]();
      assert.deepEqual(await closeOf(client), [1006, ''], method);
      assert.equal(client.readyState, WebSocket.CLOSED);
    }
  });

  for (const lib of BOTH) {
    test(`${lib.name}: close()/terminate() again while a failed handshake reports, or in its error listener, do not throw`, async () => {
      const { url } = await startServer(wsxLib);
      const aborted = track(new lib.WebSocket(url));
      if (lib === wsLib) aborted.on('error', () => {}); // ws throws an unheard error; wsx does not
      aborted.close();
      aborted.close(1000);
      aborted.terminate();
      assert.equal((await closeOf(aborted))[0], 1006);

      // A refused connection: the error listener tidies up, as applications do.
      const refused = track(new lib.WebSocket('ws://127.0.0.1:1/'));
      const calls = [];
      refused.on('error', () => {
        refused.close();
        refused.terminate();
        calls.push(refused.readyState);
      });
      assert.equal((await closeOf(refused))[0], 1006);
      assert.deepEqual(calls, [2]);
    });

    test(`${lib.name}: terminate() drops the connection: 1006 on both ends`, async () => {
      const { client, server } = await openPair({ clientLib: lib });
      const serverClose = closeOf(server);
      client.terminate();
      assert.equal(client.readyState, 2);
      assert.deepEqual(await closeOf(client), [1006, '']);
      assert.deepEqual(await serverClose, [1006, '']);
    });
  }

  const CODES = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4999];
  for (const [initiator, lib, serverLib] of [
    ['client', wsxLib, wsxLib],
    ['server', wsxLib, wsxLib],
    ['client', wsLib, wsxLib],
    ['client', wsxLib, wsLib],
    ['server', wsxLib, wsLib],
  ]) {
    test(`${initiator} closes (${lib.name} client, ${serverLib.name} server): each valid code and its reason on both ends`, async () => {
      const { server: wss, url } = await startServer(serverLib);
      for (const code of CODES) {
        const connection = nextEvent(wss, 'connection');
        const client = track(new lib.WebSocket(url));
        const [[server]] = await Promise.all([connection, nextEvent(client, 'open')]);
        const reason = `reason ${code} ✓`;
        const closes = Promise.all([closeOf(client), closeOf(server)]);
        (initiator === 'client' ? client : server).close(code, reason);
        assert.deepEqual(await closes, [[code, reason], [code, reason]], String(code));
      }
    });
  }
});

describe('errors from a hostile peer', () => {
  /** A raw server that sends `bytes` right after the handshake and records the client's frames. */
  async function hostile(bytes) {
    const peers = [];
    const { url } = await startRawServer((socket, rest) => {
      peers.push(frameRecorder(socket, rest));
      socket.write(bytes);
    });
    return { url, peers };
  }

  test("a reserved opcode: 'error' with code and closeCode, then close 1002, and a 1002 close frame", async () => {
    const { url, peers } = await hostile(frame({ opcode: 0x3, payload: 'x' }));
    const client = track(new WebSocket(url));
    const order = [];
    client.on('error', (error) => order.push(['error', error.code, error.closeCode, error instanceof Error]));
    client.on('close', (code) => order.push(['close', code]));
    await nextEvent(client, 'close');
    assert.deepEqual(order, [
      ['error', 'WSX_ERR_INVALID_OPCODE', 1002, true],
      ['close', 1002],
    ]);
    const [closeFrame] = await peers[0].waitFor(1);
    assert.equal(closeFrame.opcode, OP.CLOSE);
    assert.equal(closeFrame.payload.readUInt16BE(0), 1002);
  });

  test('ws names the same failure; its close event says 1006 where wsx reports the 1002 it sent', async () => {
    // A deliberate difference: wsx's close event carries the code the connection was failed with.
    const { url } = await hostile(frame({ opcode: 0x3, payload: 'x' }));
    const client = track(new wsLib.WebSocket(url));
    const errored = nextEvent(client, 'error');
    assert.equal((await closeOf(client))[0], 1006);
    const [error] = await errored;
    assert.equal(error.code, 'WS_ERR_INVALID_OPCODE');
  });

  const CASES = [
    ['a masked frame from the server', frame({ opcode: OP.TEXT, payload: 'hi', mask: Buffer.from([1, 2, 3, 4]) }), 1002, 'WSX_ERR_UNEXPECTED_MASK'],
    ['RSV1 without an extension', frame({ opcode: OP.TEXT, payload: 'hi', rsv: 0b100 }), 1002, 'WSX_ERR_UNEXPECTED_RSV'],
    ['invalid UTF-8 in a text message', frame({ opcode: OP.TEXT, payload: Buffer.from([0xc3, 0x28]) }), 1007, 'WSX_ERR_INVALID_UTF8'],
    ['a continuation with no message', frame({ opcode: OP.CONT, payload: 'x' }), 1002, 'WSX_ERR_UNEXPECTED_CONTINUATION'],
    ['a close code 1005 on the wire', frame({ opcode: OP.CLOSE, payload: closePayload(1005) }), 1002, 'WSX_ERR_INVALID_CLOSE_CODE'],
  ];
  for (const [what, bytes, closeCode, errorCode] of CASES) {
    test(`without an 'error' listener the process survives ${what}; close reports ${closeCode}`, async () => {
      const { url } = await hostile(bytes);
      const client = track(new WebSocket(url));
      assert.equal((await closeOf(client))[0], closeCode);

      // With a listener: the error, then the close event with the code and reason that were sent.
      const listened = track(new WebSocket(url));
      const errored = nextEvent(listened, 'error');
      const closed = closeOf(listened);
      const [error] = await errored;
      assert.ok(error instanceof Error);
      assert.deepEqual([error.code, error.closeCode], [errorCode, closeCode]);
      assert.deepEqual(await closed, [closeCode, error.message]);
    });
  }

  test('a server-side WebSocket without an error listener survives an unmasked client frame', async () => {
    const { server: wss, port } = await startServer(wsxLib);
    const connection = nextEvent(wss, 'connection');
    const net = await import('node:net');
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => {});
    socket.resume(); // read (and so see the server's FIN), ignoring the bytes
    socket.write(
      `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    const [server] = await connection;
    socket.write(frame({ opcode: OP.TEXT, payload: 'unmasked' }));
    assert.equal((await closeOf(server))[0], 1002);
    socket.destroy();
  });
});

describe('the URL given to the constructor', () => {
  test('ws, wss, http and https are accepted (http/https read as ws/wss)', async () => {
    const { port } = await startServer(wsxLib);
    for (const lib of BOTH) {
      const cases = [
        [`ws://127.0.0.1:${port}/a`, `ws://127.0.0.1:${port}/a`],
        [`http://127.0.0.1:${port}/b?q=1`, `ws://127.0.0.1:${port}/b?q=1`],
        [`wss://127.0.0.1:${port}/c`, `wss://127.0.0.1:${port}/c`],
        [`https://127.0.0.1:${port}`, `wss://127.0.0.1:${port}/`],
        [new URL(`ws://127.0.0.1:${port}/d`), `ws://127.0.0.1:${port}/d`],
      ];
      for (const [address, expected] of cases) {
        const client = track(new lib.WebSocket(address));
        client.on('error', () => {}); // wss to a plain server fails later, asynchronously
        assert.equal(client.url, expected, `${lib.name} ${address}`);
        client.terminate();
      }
    }
  });

  test('an IPv6 literal keeps its brackets in url', () => {
    const client = track(new WebSocket('ws://[::1]:1/x'));
    client.on('error', () => {});
    assert.equal(client.url, 'ws://[::1]:1/x');
    client.terminate();
  });

  const BAD = ['ftp://127.0.0.1/', 'file:///tmp/x', 'ws://127.0.0.1/#frag', 'not a url', '', 'ws://', 'javascript:alert(1)'];
  for (const lib of BOTH) {
    test(`${lib.name}: other schemes, a fragment or a bad URL throw a SyntaxError synchronously`, () => {
      for (const address of BAD) {
        assert.throws(() => new lib.WebSocket(address), SyntaxError, `${lib.name} ${JSON.stringify(address)}`);
      }
    });
  }

  test('an empty fragment (a bare #) is a fragment too (WHATWG)', () => {
    assert.throws(() => new WebSocket('ws://127.0.0.1/#'), SyntaxError);
  });
});
