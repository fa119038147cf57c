// SECURITY-CASES.md, end to end: every row exercised through wsx's public API
// over real sockets on 127.0.0.1, against hostile peers that are plain net
// sockets speaking hand-assembled bytes (tests/helpers/security-raw-peer.js).
//
// This file holds the frame-level rows (1, 2, 3, 10, 11, 12, 16, 17). The
// handshake rows (4, 5, 6, 7, 13, 14) are in security-handshake-cases.test.js,
// permessage-deflate (8, 9) in security-deflate-cases.test.js and the
// teardown row (15) in security-teardown-cases.test.js.
//
// Unit-level coverage of the same rows (kept; these tests add the end-to-end
// view) is named in a comment at the top of each describe.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from '../../dist/index.js';
import { OP, closePayload, openRaw, startRawServer } from '../helpers/security-raw-peer.js';
import { crashWatch, eventually, nextEvent, sleep, startServer, stopServers, tick } from '../helpers/security-wsx.js';

const watch = crashWatch();
before(() => watch.start());
after(async () => {
  await stopServers();
  watch.stop();
  watch.assertNone('security-cases.test.js');
});

/** A wsx client connected to a raw server; resolves { ws, peer, server }. */
async function clientAgainstRawServer(clientOptions = {}) {
  let resolvePeer;
  const peerReady = new Promise((resolve) => (resolvePeer = resolve));
  const server = await startRawServer(({ accept }) => resolvePeer(accept()));
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/`, clientOptions);
  ws.on('error', () => {});
  const opened = nextEvent(ws, 'open');
  const peer = await peerReady;
  await opened;
  return { ws, peer, server };
}

/** The record of the server-side connection accepted last. */
const last = (connections) => connections[connections.length - 1];

// ---------------------------------------------------------------------------------

describe('row 1: non-byte payloads are a TypeError or exactly the bytes given', { timeout: 30_000 }, () => {
  // Also: tests/api/payload.test.js (payload conversion, row 1) and tests/protocol/frame-encoder.test.js.
  // Values with no byte representation must throw TypeError (never Buffer(n)
  // memory); an Array may also be taken as its bytes.
  const hostile = [
    ['{}', {}, null],
    ['{ length: 64 }', { length: 64 }, null],
    ['null', null, null],
    ['true', true, null],
    ['Symbol', Symbol('x'), null],
    ['50n', 50n, null],
    ['a function', () => 64, null],
    ['new Number(64)', new Number(64), null],
    ['[1, 2, 3]', [1, 2, 3], Buffer.from([1, 2, 3])],
  ];

  /** Calls `fn(value)` for every hostile value; returns the payloads that must then appear on the wire. */
  function tryHostile(fn, problems, what) {
    const expected = [];
    for (const [name, value, bytes] of hostile) {
      // ping(callback) and pong(callback) are the ws API: a function there is not data.
      if (typeof value === 'function' && (what === 'ping' || what === 'pong')) continue;
      try {
        fn(value);
        if (bytes === null) problems.push(`${what}(${name}) did not throw`);
        else expected.push(bytes);
      } catch (error) {
        if (!(error instanceof TypeError)) problems.push(`${what}(${name}) threw ${error?.constructor?.name}: ${error?.message}`);
      }
    }
    return expected;
  }

  test('server: send/ping/pong/close put exactly the given bytes on the wire, hostile values throw TypeError', async () => {
    const { wss, port } = await startServer({}, { echo: false });
    const problems = [];
    const expected = []; // [opcode, payload] in wire order
    const backing = new ArrayBuffer(32);
    new Uint8Array(backing).fill(0xaa); // sentinel: bytes outside a view must never be sent
    const u16 = new Uint16Array(backing, 4, 2);
    u16[0] = 0x0102;
    u16[1] = 0x0304;
    const shared = new SharedArrayBuffer(3);
    new Uint8Array(shared).set([7, 8, 9]);
    const f64 = new Float64Array([1.5]);
    const reasonView = new Uint16Array([1, 2]);
    wss.once('connection', (ws) => {
      for (const b of tryHostile((v) => ws.send(v), problems, 'send')) expected.push([OP.BINARY, b]);
      for (const b of tryHostile((v) => ws.ping(v), problems, 'ping')) expected.push([OP.PING, b]);
      for (const b of tryHostile((v) => ws.pong(v), problems, 'pong')) expected.push([OP.PONG, b]);
      tryHostile((v) => ws.close(1000, v), problems, 'close');
      if (ws.readyState !== ws.OPEN) problems.push('a rejected close() changed readyState');

      ws.send(50);
      expected.push([null, Buffer.from('50')]); // opcode checked in the test below
      ws.ping(50);
      expected.push([OP.PING, Buffer.from('50')]);
      ws.pong(50);
      expected.push([OP.PONG, Buffer.from('50')]);
      ws.send(u16);
      expected.push([OP.BINARY, Buffer.from(backing, 4, 4)]);
      ws.send(new DataView(backing, 1, 3));
      expected.push([OP.BINARY, Buffer.from([0xaa, 0xaa, 0xaa])]);
      ws.send(f64);
      expected.push([OP.BINARY, Buffer.from(f64.buffer)]);
      ws.send(new Uint8Array(backing, 8, 0));
      expected.push([OP.BINARY, Buffer.alloc(0)]);
      ws.send(shared);
      expected.push([OP.BINARY, Buffer.from([7, 8, 9])]);
      ws.ping(new Uint8Array(backing, 4, 2));
      expected.push([OP.PING, Buffer.from(backing, 4, 2)]);
      ws.close(1000, reasonView);
      expected.push([OP.CLOSE, Buffer.concat([Buffer.from([0x03, 0xe8]), Buffer.from(reasonView.buffer)])]);
    });
    const peer = await openRaw(port);
    await peer.waitClose();
    assert.deepEqual(problems, []);
    const wire = peer.frames.map((f) => [f.opcode, f.payload.toString('hex')]);
    const want = expected.map(([op, payload], i) => [op ?? wire[i]?.[0], payload.toString('hex')]);
    assert.deepEqual(wire, want);
    assert.ok(peer.frames.every((f) => !f.masked && f.rsv === 0 && f.fin));
    // close(1000, Uint16Array [1, 2]) sent exactly those 4 bytes after the code.
    assert.equal(peer.closeFrame.payload.length, 6);
    assert.deepEqual([...peer.closeFrame.reason], [...new Uint8Array(reasonView.buffer)]);
    peer.destroy();
  });

  test('client: send(50) and close(1000, Uint16Array [1, 2]) arrive masked with exactly those bytes', async () => {
    const { ws, peer, server } = await clientAgainstRawServer();
    assert.throws(() => ws.send({ length: 4096 }), TypeError);
    assert.throws(() => ws.ping({ length: 125 }), TypeError);
    assert.throws(() => ws.close(1000, { length: 100 }), TypeError);
    ws.send(50);
    ws.send(new Uint32Array(new ArrayBuffer(16), 8, 1));
    ws.close(1000, new Uint16Array([1, 2]));
    const close = await peer.waitClose();
    assert.deepEqual(
      peer.frames.map((f) => [f.masked, f.payload.toString('hex')]),
      [
        [true, Buffer.from('50').toString('hex')],
        [true, '00000000'],
        [true, Buffer.concat([Buffer.from([0x03, 0xe8]), Buffer.from(new Uint16Array([1, 2]).buffer)]).toString('hex')],
      ],
    );
    assert.equal(close.code, 1000);
    peer.destroy();
    await server.close();
  });

  test(
    'send(50) is a text frame, as in ws v8 (drop-in compatibility)',
    async () => {
      const { wss, port } = await startServer({}, { echo: false });
      wss.once('connection', (ws) => ws.send(50));
      const peer = await openRaw(port);
      const f = await peer.until(() => peer.frames[0], 'a frame');
      assert.equal(f.opcode, OP.TEXT);
      assert.equal(f.payload.toString(), '50');
      peer.destroy();
    },
  );
});

// ---------------------------------------------------------------------------------

describe('row 2: a length above maxPayload closes with 1009 before the payload is read', { timeout: 30_000 }, () => {
  // Also: tests/protocol/connection.test.js (the failure table: lengths above maxPayload), tests/conformance (limits).
  const cases = [
    ['maxPayload + 1', { maxPayload: 1000 }, 1001n],
    ['2^63 - 1 (maxPayload 1000)', { maxPayload: 1000 }, (1n << 63n) - 1n],
    ['2^63 - 1 (default maxPayload)', {}, (1n << 63n) - 1n],
    ['100 MiB + 1 (default maxPayload)', {}, 100n * 1024n * 1024n + 1n],
    ['2^63 - 1 (maxPayload 0 = no limit)', { maxPayload: 0 }, (1n << 63n) - 1n],
  ];
  for (const [name, options, length] of cases) {
    test(`server: a frame header announcing ${name}, no payload sent → 1009`, async () => {
      const { port, connections } = await startServer(options);
      const peer = await openRaw(port);
      // Only the header: a server that waited for the payload would never answer.
      peer.send({ opcode: OP.BINARY, declaredLength: length });
      const close = await peer.waitClose();
      assert.equal(close?.code, 1009);
      await peer.waitEnded();
      const record = last(connections);
      await eventually(() => record.close ?? undefined, 'the server-side close event');
      assert.equal(record.close.code, 1009);
      assert.equal(record.errors[0]?.code, 'WSX_ERR_MESSAGE_TOO_BIG');
      assert.deepEqual(record.messages, []);
    });
  }

  test('server: fragments adding up past maxPayload fail at the header of the one that crosses it', async () => {
    const { port, connections } = await startServer({ maxPayload: 1000 });
    const peer = await openRaw(port);
    peer.send({ opcode: OP.BINARY, fin: false, payload: Buffer.alloc(600, 1) }, { opcode: OP.CONTINUATION, declaredLength: 401 });
    assert.equal((await peer.waitClose())?.code, 1009);
    assert.deepEqual(last(connections).messages, []);
  });

  test('server: exactly maxPayload is accepted (the limit is inclusive)', async () => {
    const { port } = await startServer({ maxPayload: 1000 });
    const peer = await openRaw(port);
    const payload = Buffer.alloc(1000, 7);
    peer.send({ opcode: OP.BINARY, payload });
    const [echo] = await peer.waitFrames(OP.BINARY, 1);
    assert.ok(echo.payload.equals(payload));
    peer.destroy();
  });

  test('client: a server frame announcing 2^63 - 1 bytes gets a masked close 1009', async () => {
    const { ws, peer, server } = await clientAgainstRawServer({ maxPayload: 1000 });
    const closed = nextEvent(ws, 'close');
    peer.send({ opcode: OP.TEXT, declaredLength: (1n << 63n) - 1n });
    const close = await peer.waitClose();
    assert.equal(close?.code, 1009);
    assert.equal(close.masked, true);
    const [code] = await closed;
    assert.equal(code, 1009);
    await server.close();
  });
});

// ---------------------------------------------------------------------------------

describe('row 3: a 64-bit length with the top bit set, or a non-zero upper word, is never mis-parsed', { timeout: 30_000 }, () => {
  // Also: tests/protocol/frame-parser.test.js and tests/protocol/connection.test.js (64-bit length rows of the failure tables).
  for (const [name, length] of [
    ['0x8000000000000005', 0x8000000000000005n],
    ['0xffffffffffffffff', 0xffffffffffffffffn],
    ['0x8000000000000000', 0x8000000000000000n],
  ]) {
    test(`server: length ${name} → 1002, nothing delivered`, async () => {
      const { port, connections } = await startServer({ maxPayload: 0 });
      const peer = await openRaw(port);
      peer.send({ opcode: OP.BINARY, declaredLength: length, payload: Buffer.from('12345') }, { opcode: OP.TEXT, payload: 'after' });
      assert.equal((await peer.waitClose())?.code, 1002);
      const record = last(connections);
      await eventually(() => record.close ?? undefined, 'the server-side close event');
      assert.equal(record.close.code, 1002);
      assert.deepEqual(record.messages, []);
    });
  }

  test('server: length 2^32 + 5 (upper word 1) is not read as 5 → 1009 with the default maxPayload', async () => {
    const { port, connections } = await startServer();
    const peer = await openRaw(port);
    peer.send({ opcode: OP.BINARY, declaredLength: (1n << 32n) + 5n, payload: Buffer.from('12345') }, { opcode: OP.TEXT, payload: 'after' });
    assert.equal((await peer.waitClose())?.code, 1009);
    assert.deepEqual(last(connections).messages, []);
  });

  test('server: length 2^53 (past what a JS number holds exactly) → 1009 even without a maxPayload', async () => {
    const { port } = await startServer({ maxPayload: 0 });
    const peer = await openRaw(port);
    peer.send({ opcode: OP.BINARY, declaredLength: 1n << 53n });
    assert.equal((await peer.waitClose())?.code, 1009);
  });

  test('server without maxPayload: length 2^32 + 5 swallows what follows as payload (no truncation to 5)', async () => {
    const { port, connections } = await startServer({ maxPayload: 0 });
    const peer = await openRaw(port);
    peer.send({ opcode: OP.BINARY, declaredLength: (1n << 32n) + 5n, payload: Buffer.from('12345') }, { opcode: OP.TEXT, payload: 'after' });
    // A parser that truncated the length would deliver '12345' and echo 'after' at once.
    await sleep(200);
    assert.deepEqual(last(connections).messages, []);
    assert.deepEqual(peer.frames, []);
    peer.destroy();
  });

  test('client: a server frame with the top length bit set → masked close 1002', async () => {
    const { ws, peer, server } = await clientAgainstRawServer();
    const closed = nextEvent(ws, 'close');
    peer.send({ opcode: OP.BINARY, declaredLength: 0x8000000000000001n, payload: Buffer.from('x') });
    assert.equal((await peer.waitClose())?.code, 1002);
    assert.equal((await closed)[0], 1002);
    await server.close();
  });
});

// ---------------------------------------------------------------------------------

describe('row 10: endless fragments are bounded (1008), dribbled messages are delivered intact', { timeout: 30_000 }, () => {
  // Also: tests/protocol/connection.test.js ("SECURITY 10": maxFragments, counter reset, retained pieces).
  /** `count` masked continuation frames with the same 1-byte-or-empty payload, built once. */
  function continuations(count, payload = Buffer.alloc(0), fin = false) {
    const one = Buffer.from([fin ? 0x80 : 0x00, 0x80 | payload.length, 0x11, 0x22, 0x33, 0x44, ...payload.map((b, i) => b ^ [0x11, 0x22, 0x33, 0x44][i & 3])]);
    return Buffer.concat(Array.from({ length: count }, () => one));
  }

  test('server, maxFragments 100: non-FIN empty fragments → 1008 after the 100th', async () => {
    const { port, connections } = await startServer({ maxFragments: 100 });
    const peer = await openRaw(port);
    peer.send({ opcode: OP.TEXT, fin: false, payload: 'a' }, continuations(500));
    assert.equal((await peer.waitClose())?.code, 1008);
    const record = last(connections);
    await eventually(() => record.close ?? undefined, 'the server-side close event');
    assert.equal(record.errors[0]?.code, 'WSX_ERR_TOO_MANY_FRAGMENTS');
    assert.equal(record.close.code, 1008);
  });

  test('server, maxFragments 100: non-FIN 1-byte fragments → 1008', async () => {
    const { port } = await startServer({ maxFragments: 100 });
    const peer = await openRaw(port);
    peer.send({ opcode: OP.BINARY, fin: false, payload: 'a' }, continuations(500, Buffer.from('b')));
    assert.equal((await peer.waitClose())?.code, 1008);
  });

  test('server, default maxFragments: 70 000 non-FIN empty fragments → 1008 (the default is bounded)', async () => {
    const { port, connections } = await startServer();
    const peer = await openRaw(port);
    peer.send({ opcode: OP.TEXT, fin: false }, continuations(70_000));
    assert.equal((await peer.waitClose(10_000))?.code, 1008);
    assert.deepEqual(last(connections).messages, []);
  });

  test('server: the fragment counter resets after every complete message', async () => {
    const { port } = await startServer({ maxFragments: 100 });
    const peer = await openRaw(port);
    // Two messages of exactly 100 fragments each are fine …
    const message = () => [{ opcode: OP.BINARY, fin: false, payload: 'a' }, continuations(98, Buffer.from('b')), continuations(1, Buffer.from('c'), true)];
    peer.send(...message(), ...message());
    const echoes = await peer.waitFrames(OP.BINARY, 2);
    const want = `a${'b'.repeat(98)}c`;
    assert.deepEqual(echoes.map((f) => f.payload.toString()), [want, want]);
    // … 101 are not.
    peer.send({ opcode: OP.BINARY, fin: false, payload: 'a' }, continuations(99, Buffer.from('b')), continuations(1, Buffer.from('c'), true));
    assert.equal((await peer.waitClose())?.code, 1008);
  });

  test('server: bytes pinned by an incomplete message are bounded by maxPayload (1009 at the header)', async () => {
    const { port } = await startServer({ maxPayload: 4096 });
    const peer = await openRaw(port);
    const piece = { opcode: OP.CONTINUATION, fin: false, payload: Buffer.alloc(1000, 0x61) };
    peer.send({ opcode: OP.TEXT, fin: false, payload: Buffer.alloc(1000, 0x61) }, piece, piece, piece);
    await sleep(20);
    assert.equal(peer.closeFrame, undefined, '4000 bytes are within the limit');
    peer.send({ opcode: OP.CONTINUATION, fin: false, declaredLength: 1000 }); // header only
    assert.equal((await peer.waitClose())?.code, 1009);
  });

  test('server: a 24 KiB frame dribbled in ~10 000 tiny TCP writes is delivered intact', async () => {
    const { port, connections } = await startServer();
    const peer = await openRaw(port);
    const payload = Buffer.from(Array.from({ length: 24 * 1024 }, (_, i) => (i * 7 + 3) & 0xff));
    const bytes = peer.frame({ opcode: OP.BINARY, payload });
    let writes = 0;
    for (let i = 0, step = 1; i < bytes.length; i += step, step = (step % 4) + 1) {
      peer.socket.write(bytes.subarray(i, i + step));
      writes++;
      await tick(); // let the server read this piece on its own
    }
    assert.ok(writes > 9000, `${writes} writes`);
    const [echo] = await peer.waitFrames(OP.BINARY, 1, 10_000);
    assert.ok(echo.payload.equals(payload), 'echo differs');
    assert.equal(last(connections).messages.length, 1);
    peer.destroy();
  });

  test('server: a message in 3000 fragments, one TCP write each, is delivered intact', async () => {
    const { port } = await startServer();
    const peer = await openRaw(port);
    const text = Array.from({ length: 3000 }, (_, i) => String.fromCharCode(0x61 + (i % 26))).join('');
    for (let i = 0; i < 3000; i++) {
      peer.send({ opcode: i === 0 ? OP.TEXT : OP.CONTINUATION, fin: i === 2999, payload: text[i] });
      if (i % 4 === 0) await tick();
    }
    const [echo] = await peer.waitFrames(OP.TEXT, 1, 10_000);
    assert.equal(echo.payload.toString(), text);
    peer.destroy();
  });
});

// ---------------------------------------------------------------------------------

describe('row 11: control-frame violations and bad close codes fail with 1002 / 1007, nothing buffered', { timeout: 30_000 }, () => {
  // Also: tests/protocol/connection.test.js (failure table, "SECURITY 11"), tests/conformance (Autobahn-style categories).
  const violations = [
    ['a 126-byte ping', [{ opcode: OP.PING, payload: Buffer.alloc(126, 0x70) }], 1002],
    ['a ping announcing 126 bytes in the 64-bit form', [{ opcode: OP.PING, payload: Buffer.alloc(126), lengthForm: 64 }], 1002],
    ['a fragmented ping', [{ opcode: OP.PING, fin: false, payload: 'p' }], 1002],
    ['a fragmented close', [{ opcode: OP.CLOSE, fin: false, payload: closePayload(1000) }], 1002],
    ['RSV1 on a ping', [{ opcode: OP.PING, rsv: 0b100 }], 1002],
    ['RSV1 on a pong', [{ opcode: OP.PONG, rsv: 0b100 }], 1002],
    ['RSV1 on a close', [{ opcode: OP.CLOSE, rsv: 0b100, payload: closePayload(1000) }], 1002],
    ['RSV1 on a continuation', [{ opcode: OP.TEXT, fin: false, payload: 'a' }, { opcode: OP.CONTINUATION, rsv: 0b100, payload: 'b' }], 1002],
    ['RSV2 on a text frame', [{ opcode: OP.TEXT, rsv: 0b010, payload: 'a' }], 1002],
    ['RSV3 on a binary frame', [{ opcode: OP.BINARY, rsv: 0b001, payload: 'a' }], 1002],
    ['a continuation with nothing to continue', [{ opcode: OP.CONTINUATION, payload: 'a' }], 1002],
    ['a new text frame inside a fragmented message', [{ opcode: OP.TEXT, fin: false, payload: 'a' }, { opcode: OP.TEXT, payload: 'b' }], 1002],
    ...[3, 4, 5, 6, 7, 11, 12, 13, 14, 15].map((op) => [`opcode ${op}`, [{ opcode: op, payload: 'x' }], 1002]),
    ['a 1-byte close payload', [{ opcode: OP.CLOSE, payload: Buffer.from([0x03]) }], 1002],
    ...[0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535].map((code) => [
      `close code ${code}`,
      [{ opcode: OP.CLOSE, payload: closePayload(code) }],
      1002,
    ]),
    ['a close reason that is not UTF-8', [{ opcode: OP.CLOSE, payload: closePayload(1000, Buffer.from([0x61, 0xff, 0x62])) }], 1007],
    ['a close reason with a UTF-16 surrogate (CESU-8)', [{ opcode: OP.CLOSE, payload: closePayload(1000, Buffer.from([0xed, 0xa0, 0x80])) }], 1007],
    ['an unmasked frame from a client', [{ opcode: OP.TEXT, payload: 'a', mask: false }], 1002],
  ];

  let server;
  before(async () => {
    server = await startServer();
  });

  for (const [name, frames, code] of violations) {
    test(`server: ${name} → ${code}; a message sent after it is not delivered`, async () => {
      const peer = await openRaw(server.port);
      const record = last(server.connections);
      peer.send(...frames, { opcode: OP.TEXT, payload: 'after' });
      const close = await peer.waitClose();
      assert.equal(close?.code, code);
      await peer.waitEnded();
      await eventually(() => record.close ?? undefined, 'the server-side close event');
      // The peer never answered with a close frame, so the server reports its own code.
      assert.equal(record.close.code, code);
      assert.deepEqual(record.messages, [], 'nothing delivered after the violation');
      assert.equal(record.errors.length, 1);
      assert.equal(peer.framesOf(OP.TEXT).length, 0, 'nothing echoed');
      peer.destroy();
    });
  }

  // Controls, so that the cases above can fail: valid codes are echoed.
  for (const code of [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999]) {
    test(`server: close code ${code} is valid and echoed`, async () => {
      const peer = await openRaw(server.port);
      const record = last(server.connections);
      peer.send({ opcode: OP.CLOSE, payload: closePayload(code, 'bye €') });
      assert.equal((await peer.waitClose())?.code, code);
      await eventually(() => record.close ?? undefined, 'the server-side close event');
      assert.deepEqual(record.close, { code, reason: 'bye €' });
      assert.deepEqual(record.errors, []);
      peer.destroy();
    });
  }

  test('server: a 125-byte ping is answered with the same payload', async () => {
    const peer = await openRaw(server.port);
    const payload = Buffer.alloc(125, 0x33);
    peer.send({ opcode: OP.PING, payload });
    const [pong] = await peer.waitFrames(OP.PONG, 1);
    assert.ok(pong.payload.equals(payload));
    peer.destroy();
  });

  for (const [name, frames, code] of [
    ['opcode 3', [{ opcode: 3 }], 1002],
    ['a fragmented ping', [{ opcode: OP.PING, fin: false }], 1002],
    ['close code 1005', [{ opcode: OP.CLOSE, payload: closePayload(1005) }], 1002],
    ['a masked frame from a server', [{ opcode: OP.TEXT, payload: 'a', mask: true }], 1002],
    ['an invalid UTF-8 close reason', [{ opcode: OP.CLOSE, payload: closePayload(1000, Buffer.from([0xc0, 0x80])) }], 1007],
  ]) {
    test(`client: ${name} from the server → masked close ${code}`, async () => {
      const { ws, peer, server: raw } = await clientAgainstRawServer();
      const messages = [];
      ws.on('message', (data) => messages.push(data));
      const closed = nextEvent(ws, 'close');
      peer.send(...frames, { opcode: OP.TEXT, payload: 'after' });
      const close = await peer.waitClose();
      assert.equal(close?.code, code);
      assert.equal(close.masked, true);
      assert.equal((await closed)[0], code);
      assert.deepEqual(messages, []);
      await raw.close();
    });
  }
});

// ---------------------------------------------------------------------------------

describe('row 12: invalid UTF-8 in the first fragment fails with 1007 at that fragment', { timeout: 30_000 }, () => {
  // Also: tests/protocol/utf8-validator.test.js, tests/protocol/connection.test.js, tests/conformance (UTF-8 category).
  const invalid = [
    ['0xff', [0xff]],
    ['an overlong NUL (c0 80)', [0xc0, 0x80]],
    ['a surrogate (ed a0 80)', [0xed, 0xa0, 0x80]],
    ['a code point past U+10FFFF (f4 90)', [0xf4, 0x90]],
    ['a lone continuation byte', [0x80]],
  ];
  for (const [name, bytes] of invalid) {
    test(`server: ${name} after 1000 valid bytes in fragment 1 → 1007, the final fragment never sent`, async () => {
      const { port, connections } = await startServer();
      const peer = await openRaw(port);
      peer.send({ opcode: OP.TEXT, fin: false, payload: Buffer.concat([Buffer.alloc(1000, 0x61), Buffer.from(bytes)]) });
      assert.equal((await peer.waitClose())?.code, 1007);
      const record = last(connections);
      await eventually(() => record.close ?? undefined, 'the server-side close event');
      assert.equal(record.errors[0]?.code, 'WSX_ERR_INVALID_UTF8');
      assert.equal(record.close.code, 1007);
    });
  }

  test('server: invalid UTF-8 early in a 100 000-byte frame → 1007 after only 1000 bytes were sent', async () => {
    const { port } = await startServer();
    const peer = await openRaw(port);
    const payload = Buffer.alloc(100_000, 0x61);
    payload[10] = 0xff;
    const bytes = peer.frame({ opcode: OP.TEXT, payload });
    peer.socket.write(bytes.subarray(0, 1000));
    assert.equal((await peer.waitClose())?.code, 1007);
  });

  test('server: a code point split across fragments is valid (control)', async () => {
    const { port } = await startServer();
    const peer = await openRaw(port);
    const euro = Buffer.from('€'); // e2 82 ac
    peer.send({ opcode: OP.TEXT, fin: false, payload: Buffer.concat([Buffer.from('x'), euro.subarray(0, 1)]) });
    await sleep(20);
    assert.equal(peer.closeFrame, undefined, 'an incomplete but valid prefix must not fail');
    peer.send({ opcode: OP.CONTINUATION, fin: false, payload: euro.subarray(1, 2) }, { opcode: OP.CONTINUATION, payload: euro.subarray(2) });
    const [echo] = await peer.waitFrames(OP.TEXT, 1);
    assert.equal(echo.payload.toString(), 'x€');
    peer.destroy();
  });

  test('server: a text message ending inside a code point → 1007', async () => {
    const { port } = await startServer();
    const peer = await openRaw(port);
    peer.send({ opcode: OP.TEXT, fin: false, payload: 'x' }, { opcode: OP.CONTINUATION, payload: Buffer.from([0xe2, 0x82]) });
    assert.equal((await peer.waitClose())?.code, 1007);
  });

  test('client: invalid UTF-8 in the first fragment from the server → masked close 1007', async () => {
    const { ws, peer, server } = await clientAgainstRawServer();
    const closed = nextEvent(ws, 'close');
    peer.send({ opcode: OP.TEXT, fin: false, payload: Buffer.from([0x61, 0xf8, 0x88, 0x80, 0x80, 0x80]) });
    assert.equal((await peer.waitClose())?.code, 1007);
    assert.equal((await closed)[0], 1007);
    await server.close();
  });
});

// ---------------------------------------------------------------------------------

describe('row 16: a ping flood gets coalesced pongs, is cut off with 1008, and starves no one', { timeout: 30_000 }, () => {
  // Also: tests/protocol/connection.test.js ("SECURITY 16": pong coalescing in the core).
  /** `count` masked pings whose 4-byte payload is their index. */
  function pings(count) {
    const key = [0x01, 0x02, 0x03, 0x04];
    const out = Buffer.alloc(count * 10);
    for (let i = 0; i < count; i++) {
      const o = i * 10;
      out[o] = 0x89;
      out[o + 1] = 0x84;
      out.set(key, o + 2);
      out.writeUInt32BE(i, o + 6);
      for (let j = 0; j < 4; j++) out[o + 6 + j] ^= key[j];
    }
    return out;
  }

  test('server without a rate limit: 5000 pings in one write are answered by a few coalesced pongs', async () => {
    // A subclass lifts the control-frame limit for this connection only.
    const { port } = await startServer({
      WebSocket: class Unlimited extends WebSocket {
        constructor(address, protocols, options) {
          super(address, protocols, { ...options, maxControlFramesPerSecond: 0 });
        }
      },
    });
    const peer = await openRaw(port);
    peer.send(pings(5000), { opcode: OP.TEXT, payload: 'marker' });
    await peer.waitFrames(OP.TEXT, 1, 5000);
    const pongs = peer.framesOf(OP.PONG);
    assert.ok(pongs.length >= 1, 'pings are answered');
    assert.ok(pongs.length <= 100, `${pongs.length} pongs for 5000 pings: not coalesced`);
    // RFC 6455 5.5.3: the pong answers the most recent ping.
    assert.equal(pongs[pongs.length - 1].payload.readUInt32BE(0), 4999);
    assert.equal(peer.closeFrame, undefined);
    peer.destroy();
  });

  test('server, default limit (1000/s): a flood is failed with 1008 while a second connection keeps getting echoes', async () => {
    const { port, connections } = await startServer();
    const good = await openRaw(port);
    const flood = await openRaw(port);
    const floodRecord = last(connections);
    const batch = pings(500);
    let floodWrites = 0;
    const flooding = (async () => {
      const deadline = Date.now() + 3000;
      while (flood.closeFrame === undefined && !flood.closed && Date.now() < deadline) {
        flood.send(batch);
        floodWrites++;
        await tick();
      }
    })();
    // Round trips on the well-behaved connection while the flood runs.
    for (let i = 0; i < 30; i++) {
      good.send({ opcode: OP.TEXT, payload: `m${i}` });
      const echoes = await good.waitFrames(OP.TEXT, i + 1, 2000);
      assert.equal(echoes[i].payload.toString(), `m${i}`);
    }
    await flooding;
    assert.equal((await flood.waitClose())?.code, 1008);
    await eventually(() => floodRecord.close ?? undefined, 'the flooder close event');
    assert.equal(floodRecord.errors[0]?.code, 'WSX_ERR_RATE_LIMIT');
    assert.equal(floodRecord.close.code, 1008);
    assert.ok(floodWrites >= 1);
    assert.equal(good.closeFrame, undefined, 'the good connection is still open');
    good.send({ opcode: OP.TEXT, payload: 'still here' });
    const echoes = await good.waitFrames(OP.TEXT, 31, 2000);
    assert.equal(echoes[30].payload.toString(), 'still here');
    good.destroy();
  });

  test('server: 900 pings in one write stay under the default limit (control)', async () => {
    const { port } = await startServer();
    const peer = await openRaw(port);
    peer.send(pings(900), { opcode: OP.TEXT, payload: 'marker' });
    await peer.waitFrames(OP.TEXT, 1);
    assert.equal(peer.closeFrame, undefined);
    peer.destroy();
  });

  test('client, default limit: a server flooding 3000 pings gets a masked close 1008', async () => {
    const { ws, peer, server } = await clientAgainstRawServer();
    const closed = nextEvent(ws, 'close');
    const unmasked = Buffer.concat(Array.from({ length: 3000 }, () => Buffer.from([0x89, 0x00])));
    peer.send(unmasked);
    const close = await peer.waitClose();
    assert.equal(close?.code, 1008);
    assert.equal(close.masked, true);
    assert.equal((await closed)[0], 1008);
    assert.ok(peer.framesOf(OP.PONG).length < 100, 'pongs are coalesced');
    await server.close();
  });
});

// ---------------------------------------------------------------------------------

describe('row 17: credential comparisons are constant-time', { timeout: 30_000 }, () => {
  // The one credential check wsx offers is `wsx serve --auth user:password`
  // (src/cli/basic-auth.ts). The library's own API has none: authentication
  // is the application's (verifyClient, allowedOrigins as a function), and
  // the comparison wsx makes itself (Sec-WebSocket-Accept, client side) is of
  // a public value derived from a public nonce, not a secret.
  test('wsx serve --auth compares fixed-length digests with crypto.timingSafeEqual, whatever is presented', async (t) => {
    const crypto = (await import('node:crypto')).default;
    const { BasicAuth } = await import('../../dist/cli/basic-auth.js');
    const auth = new BasicAuth('alice:correct horse');
    const calls = [];
    const real = crypto.timingSafeEqual;
    t.mock.method(crypto, 'timingSafeEqual', (a, b) => {
      calls.push([a.length, b.length]);
      return real(a, b);
    });
    const basic = (text) => `Basic ${Buffer.from(text).toString('base64')}`;
    const cases = [
      [basic('alice:correct horse'), true],
      [basic('alice:correct horsE'), false], // last byte differs
      [basic('Alice:correct horse'), false], // first byte differs
      [basic('alice:c'), false], // much shorter
      [basic(`alice:${'x'.repeat(10_000)}`), false], // much longer
      ['Basic', false], // malformed
      [undefined, false], // absent
      [['a', 'b'], false], // repeated header
    ];
    for (const [header, expected] of cases) assert.equal(auth.accepts(header), expected, String(header).slice(0, 40));
    // One constant-time comparison per check, always of two 32-byte digests:
    // the time depends neither on where the first wrong byte is nor on lengths.
    assert.deepEqual(calls, cases.map(() => [32, 32]));
  });

  test('guard: no source file compares a secret-looking value with === or !== (only emptiness checks)', async () => {
    const { readdir, readFile } = await import('node:fs/promises');
    const root = new URL('../../src/', import.meta.url);
    const files = (await readdir(root, { recursive: true })).filter((f) => f.endsWith('.ts'));
    assert.ok(files.length > 50, 'the scan sees the sources');
    // (A bare "token" is HTTP's word for a header list item, so only token kinds that are secrets.)
    const secret = '(?:password|passwd|secret|(?:auth|access|session|bearer|api|refresh)_?token|credential|authorization|api_?key|hmac|signature)';
    // Either side of the operator: `token === x` or `x === token` (names, properties, header lookups).
    const compare = new RegExp(
      `\\b\\w*${secret}\\w*['"\\]]?\\s*[!=]==\\s*(?!'')\\S|\\S(?<!'')\\s*[!=]==\\s*[\\w.]*${secret}\\w*\\b`,
      'i',
    );
    const hits = [];
    for (const file of files) {
      const lines = (await readFile(new URL(file, root), 'utf8')).split('\n');
      lines.forEach((line, i) => {
        if (!line.trim().startsWith('//') && !line.trim().startsWith('*') && compare.test(line)) hits.push(`${file}:${i + 1}: ${line.trim()}`);
      });
    }
    assert.deepEqual(hits, [], 'compare secrets with crypto.timingSafeEqual');
    // The pattern does catch what it is for.
    assert.ok(compare.test("if (accessToken === expected) return true;"));
    assert.ok(compare.test("if (req.headers.authorization !== wanted) deny();"));
    assert.ok(!compare.test("if (url.password === '') return;"));
  });

  test('guard: the library API exports no credential helper (one there would need the test above too)', async () => {
    const api = await import('../../dist/index.js');
    const suspicious = Object.keys(api).filter((name) => /auth|token|secret|password|credential|verify|compare/i.test(name));
    assert.deepEqual(suspicious, []);
  });
});
