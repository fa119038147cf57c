import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { Connection, DEFAULT_CONNECTION_OPTIONS, ReadyState } from '../../dist/protocol/connection.js';
import { OP, RFC_KEY, RFC_KEY_U32, clientFrame, closePayload, frame, hex, readFrames } from '../helpers/frame-builder.js';
import { coalesceFragments, openConnection, splitAt } from '../helpers/recording-handler.js';

const server = (options = {}, hooks) => openConnection({ role: 'server', ...options }, hooks);
/** A client whose masking keys are the RFC example key, so its output is deterministic. */
const client = (options = {}, hooks) => openConnection({ role: 'client', maskKey: () => RFC_KEY_U32, ...options }, hooks);
/** The frame a peer of `role` receives: masked when it comes from a client. */
const toRole = (role, f) => (role === 'server' ? clientFrame(f) : frame(f));

const msg = (text, isBinary = false, compressed = false) => ({
  type: 'message',
  data: Buffer.isBuffer(text) ? text : Buffer.from(text),
  isBinary,
  compressed,
});

/**
 * Asserts that the connection failed with `code`/`closeCode`: one
 * onProtocolError (the last event), one close frame carrying `closeCode` at
 * the end of the output, nothing retained, and later input ignored.
 */
function assertFailed(c, code, closeCode, note = '') {
  const events = c.events;
  const errors = events.filter((e) => e.type === 'error');
  assert.equal(errors.length, 1, `${note}: onProtocolError fires once`);
  assert.deepEqual(events[events.length - 1].type, 'error', `${note}: error is the last event`);
  assert.equal(errors[0].code, code, note);
  assert.equal(errors[0].closeCode, closeCode, note);
  assert.equal(errors[0].error.name, 'WebSocketError');
  assert.equal(c.conn.failed, true);
  const frames = readFrames(c.output());
  const closes = frames.filter((f) => f.opcode === OP.CLOSE);
  assert.equal(closes.length, 1, `${note}: one close frame queued`);
  assert.equal(frames[frames.length - 1].opcode, OP.CLOSE);
  assert.deepEqual(closes[0].payload, closePayload(closeCode), `${note}: close frame carries ${closeCode}`);
  assert.equal(closes[0].masked, c.role === 'client', `${note}: a client masks its close frame`);
  assert.equal(c.conn.pieces.length, 0, `${note}: no message pieces retained`);
  // Input after the failure is ignored and nothing else is emitted.
  const role = c.role;
  const count = c.events.length;
  c.feed(toRole(role, { opcode: OP.TEXT, payload: 'late' }), toRole(role, { opcode: OP.PING, payload: 'p' }));
  c.feed(toRole(role, { opcode: OP.CLOSE, payload: closePayload(1000) }));
  assert.equal(c.events.length, count, `${note}: no event after the failure`);
  assert.equal(c.conn.takeOutput(), null, `${note}: no output after the failure`);
  assert.equal(c.conn.pendingInputBytes, 0);
}

// ---- RFC 6455 section 5.7 ------------------------------------------------------

test('RFC 6455 5.7: client receives unmasked "Hello"; server receives masked "Hello"', () => {
  const c = client();
  c.feed(hex('81 05 48 65 6c 6c 6f'));
  assert.deepEqual(c.events, [msg('Hello')]);
  const s = server();
  s.feed(hex('81 85 37 fa 21 3d 7f 9f 4d 51 58'));
  assert.deepEqual(s.events, [msg('Hello')]);
  assert.equal(s.conn.takeOutput(), null);
});

test('RFC 6455 5.7: fragmented "Hel" + "lo" is one message', () => {
  const c = client();
  c.feed(hex('01 03 48 65 6c'));
  assert.deepEqual(c.events, []);
  c.feed(hex('80 02 6c 6f'));
  assert.deepEqual(c.events, [msg('Hello')]);
});

test('RFC 6455 5.7: unmasked ping "Hello" is answered by the masked pong 8a 85 37 fa 21 3d 7f 9f 4d 51 58', () => {
  const c = client();
  c.feed(hex('89 05 48 65 6c 6c 6f'));
  assert.deepEqual(c.events, [{ type: 'ping', data: Buffer.from('Hello') }]);
  assert.deepEqual(c.output(), hex('8a 85 37 fa 21 3d 7f 9f 4d 51 58'));
  // And the server reads that pong.
  const s = server();
  s.feed(hex('8a 85 37 fa 21 3d 7f 9f 4d 51 58'));
  assert.deepEqual(s.events, [{ type: 'pong', data: Buffer.from('Hello') }]);
  assert.equal(s.conn.takeOutput(), null, 'a pong is not answered');
});

test('RFC 6455 5.7: 256-byte and 64 KiB binary messages', () => {
  const small = randomBytes(256);
  const big = randomBytes(65536);
  const c = client();
  c.feed(Buffer.concat([hex('82 7E 01 00'), small]), Buffer.concat([hex('82 7F 00 00 00 00 00 01 00 00'), big]));
  assert.deepEqual(c.events, [msg(small, true), msg(big, true)]);
  // Sent by a server, the headers are exactly those.
  const s = server();
  s.conn.send(small, true);
  s.conn.send(big, true);
  const out = s.output();
  assert.deepEqual(out.subarray(0, 4), hex('82 7E 01 00'));
  assert.deepEqual(out.subarray(260, 270), hex('82 7F 00 00 00 00 00 01 00 00'));
  assert.equal(out.length, 4 + 256 + 10 + 65536);
});

test('RFC 6455 5.7 encoded by send/ping: server unmasked, client masked with the given key', () => {
  const s = server();
  s.conn.send(Buffer.from('Hello'), false);
  assert.deepEqual(s.output(), hex('81 05 48 65 6c 6c 6f'));
  s.conn.send(Buffer.from('Hel'), false, false);
  s.conn.send(Buffer.from('lo'), false, true);
  assert.deepEqual(s.output(), hex('01 03 48 65 6c 80 02 6c 6f'));
  s.conn.ping(Buffer.from('Hello'));
  assert.deepEqual(s.output(), hex('89 05 48 65 6c 6c 6f'));
  const c = client();
  c.conn.send(Buffer.from('Hello'), false);
  assert.deepEqual(c.output(), hex('81 85 37 fa 21 3d 7f 9f 4d 51 58'));
  c.conn.pong(Buffer.from('Hello'));
  assert.deepEqual(c.output(), hex('8a 85 37 fa 21 3d 7f 9f 4d 51 58'));
});

test('client output uses a fresh key from maskKey() per frame', () => {
  let next = 0x01020300;
  const c = client({ maskKey: () => next++ });
  c.conn.send(Buffer.from('a'), false);
  c.conn.send(Buffer.from('b'), true);
  const frames = readFrames(c.output());
  assert.deepEqual(frames.map((f) => f.key.toString('hex')), ['01020300', '01020301']);
  assert.deepEqual(frames.map((f) => f.payload.toString()), ['a', 'b']);
});

test('compressed send sets RSV1 on the first frame of a message only', () => {
  const s = server({ compression: true });
  s.conn.send(Buffer.from('a'), false, false, true);
  s.conn.send(Buffer.from('b'), false, false, true);
  s.conn.send(Buffer.from('c'), false, true, true);
  s.conn.send(Buffer.from('d'), true, true, true);
  assert.deepEqual(readFrames(s.output()).map((f) => [f.rsv, f.opcode, f.fin]), [
    [4, OP.TEXT, false],
    [0, OP.CONT, false],
    [0, OP.CONT, true],
    [4, OP.BINARY, true],
  ]);
});

// ---- splitting -----------------------------------------------------------------

/**
 * A stream with every kind of frame, ending in a close (and data after it).
 * `cuts` are the split points worth trying: every byte boundary, except
 * that only every 997th inside the 70000-byte payload (where nothing changes
 * from one byte to the next), to keep the run short.
 */
function mixedStream(role) {
  const f = (x) => toRole(role, x);
  const euro = Buffer.from('€', 'utf8');
  const parts = [
    f({ opcode: OP.TEXT, payload: 'Hello' }),
    f({ opcode: OP.TEXT, payload: '' }),
    f({ opcode: OP.TEXT, payload: Buffer.concat([Buffer.from('a'), euro.subarray(0, 1)]), fin: false }),
    f({ opcode: OP.PING, payload: 'ping!' }),
    f({ opcode: OP.CONT, payload: euro.subarray(1, 2), fin: false }),
    f({ opcode: OP.CONT, payload: '', fin: false }),
    f({ opcode: OP.PONG, payload: '' }),
    f({ opcode: OP.CONT, payload: Buffer.concat([euro.subarray(2), Buffer.from('z')]), fin: true }),
    f({ opcode: OP.BINARY, payload: Buffer.alloc(300, 0xab) }),
    f({ opcode: OP.BINARY, payload: Buffer.alloc(70000, 0xcd) }),
    f({ opcode: OP.TEXT, payload: 'x'.repeat(200) + 'κόσμε' }),
    f({ opcode: OP.CLOSE, payload: closePayload(1001, 'gone') }),
    f({ opcode: OP.TEXT, payload: 'after close' }),
  ];
  const stream = Buffer.concat(parts);
  const bulkStart = parts.slice(0, 9).reduce((n, p) => n + p.length, 0) + 16;
  const bulkEnd = bulkStart + parts[9].length - 32;
  const cuts = [];
  for (let at = 0; at <= stream.length; at++) if (at <= bulkStart || at >= bulkEnd || at % 997 === 0) cuts.push(at);
  return { stream, cuts };
}

function runSplit(role, chunks, options = {}) {
  let key = 1;
  const c = openConnection({ role, maskKey: () => key++, ...options });
  for (const chunk of chunks) c.conn.receive(chunk);
  return { events: coalesceFragments(c.events), output: c.output() };
}

for (const role of ['server', 'client']) {
  test(`${role}: the same stream split at every byte boundary gives the same events and output`, () => {
    const { stream, cuts } = mixedStream(role);
    const reference = runSplit(role, [Buffer.from(stream)]);
    assert.deepEqual(reference.events.map((e) => e.type), ['message', 'message', 'ping', 'pong', 'message', 'message', 'message', 'message', 'close']);
    assert.equal(reference.events[2].data.toString(), 'ping!');
    assert.equal(reference.events[4].data.toString(), 'a€z');
    assert.deepEqual(reference.events[8], { type: 'close', code: 1001, reason: Buffer.from('gone') });
    assert.deepEqual(readFrames(reference.output).map((f) => [f.opcode, f.payload.toString('hex')]), [
      [OP.PONG, Buffer.from('ping!').toString('hex')],
      [OP.CLOSE, '03e9' + Buffer.from('gone').toString('hex')],
    ]);
    for (const at of cuts) assert.deepEqual(runSplit(role, splitAt(stream, [at])), reference, `split at ${at}`);
  });

  test(`${role}: one byte per receive() call gives the same events, also with streamFragments`, () => {
    const { stream } = mixedStream(role);
    const cuts = Array.from({ length: stream.length - 1 }, (_, i) => i + 1);
    assert.deepEqual(runSplit(role, splitAt(stream, cuts)), runSplit(role, [Buffer.from(stream)]));
    const streamed = runSplit(role, splitAt(stream, cuts), { streamFragments: true });
    assert.deepEqual(streamed, runSplit(role, [Buffer.from(stream)], { streamFragments: true }));
    // Streamed pieces put back together are the messages, at the position of their last piece.
    const asMessages = [];
    let parts = [];
    for (const e of streamed.events) {
      if (e.type !== 'fragment') asMessages.push(e);
      else {
        parts.push(e.data);
        if (e.fin) asMessages.push(msg(Buffer.concat(parts), e.isBinary));
        if (e.fin) parts = [];
      }
    }
    assert.deepEqual(asMessages, runSplit(role, [Buffer.from(stream)]).events);
  });

  test(`${role}: property: random splits give the same events and output`, () => {
    const { stream } = mixedStream(role);
    const reference = runSplit(role, [Buffer.from(stream)]);
    const streamedReference = runSplit(role, [Buffer.from(stream)], { streamFragments: true });
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 60 }), fc.boolean(), (cuts, streamFragments) => {
        const chunks = splitAt(stream, cuts.sort((a, b) => a - b));
        assert.deepEqual(runSplit(role, chunks, { streamFragments }), streamFragments ? streamedReference : reference);
      }),
      { numRuns: 150 },
    );
  });
}

// ---- failures ------------------------------------------------------------------

const M = RFC_KEY;
const FAILURES = [
  // [name, role, options, chunks, code, closeCode, events expected before the error (default none)]
  ['unmasked client frame to a server', 'server', {}, [frame({ opcode: OP.TEXT, payload: 'x' })], 'WSX_ERR_EXPECTED_MASK', 1002],
  ['masked server frame to a client', 'client', {}, [frame({ opcode: OP.TEXT, payload: 'x', mask: M })], 'WSX_ERR_UNEXPECTED_MASK', 1002],
  ...[3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf].map((op) => [
    `reserved opcode ${op}`, 'server', {}, [clientFrame({ opcode: op, payload: 'x' })], 'WSX_ERR_INVALID_OPCODE', 1002,
  ]),
  ['RSV1 without compression', 'server', {}, [clientFrame({ opcode: OP.TEXT, rsv: 4, payload: 'x' })], 'WSX_ERR_UNEXPECTED_RSV', 1002],
  ['RSV2', 'server', { compression: true }, [clientFrame({ opcode: OP.TEXT, rsv: 2, payload: 'x' })], 'WSX_ERR_UNEXPECTED_RSV', 1002],
  ['RSV3', 'client', { compression: true }, [frame({ opcode: OP.BINARY, rsv: 1, payload: 'x' })], 'WSX_ERR_UNEXPECTED_RSV', 1002],
  ['RSV1 on a ping with compression', 'server', { compression: true }, [clientFrame({ opcode: OP.PING, rsv: 4 })], 'WSX_ERR_UNEXPECTED_RSV', 1002],
  ['RSV1 on a pong with compression', 'server', { compression: true }, [clientFrame({ opcode: OP.PONG, rsv: 4 })], 'WSX_ERR_UNEXPECTED_RSV', 1002],
  ['RSV1 on a close with compression', 'server', { compression: true }, [clientFrame({ opcode: OP.CLOSE, rsv: 4 })], 'WSX_ERR_UNEXPECTED_RSV', 1002],
  ['RSV1 on a continuation with compression', 'server', { compression: true }, [
    clientFrame({ opcode: OP.TEXT, rsv: 4, fin: false, payload: 'x' }), clientFrame({ opcode: OP.CONT, rsv: 4, payload: 'y' }),
  ], 'WSX_ERR_UNEXPECTED_RSV', 1002],
  ['ping payload of 126 bytes', 'server', {}, [clientFrame({ opcode: OP.PING, payload: Buffer.alloc(126) })], 'WSX_ERR_CONTROL_FRAME_TOO_LONG', 1002],
  ['close payload of 126 bytes', 'client', {}, [frame({ opcode: OP.CLOSE, payload: Buffer.concat([closePayload(1000), Buffer.alloc(124, 0x61)]) })], 'WSX_ERR_CONTROL_FRAME_TOO_LONG', 1002],
  ['fragmented ping', 'server', {}, [clientFrame({ opcode: OP.PING, fin: false, payload: 'x' })], 'WSX_ERR_FRAGMENTED_CONTROL_FRAME', 1002],
  ['continuation without a started message', 'server', {}, [clientFrame({ opcode: OP.CONT, payload: 'x' })], 'WSX_ERR_UNEXPECTED_CONTINUATION', 1002],
  ['continuation after a complete message', 'client', {}, [frame({ opcode: OP.TEXT, payload: 'done' }), frame({ opcode: OP.CONT, payload: 'x' })], 'WSX_ERR_UNEXPECTED_CONTINUATION', 1002, [msg('done')]],
  ['text frame inside an unfinished message', 'server', {}, [
    clientFrame({ opcode: OP.TEXT, fin: false, payload: 'a' }), clientFrame({ opcode: OP.TEXT, payload: 'b' }),
  ], 'WSX_ERR_EXPECTED_CONTINUATION', 1002],
  ['binary frame inside an unfinished message', 'client', {}, [
    frame({ opcode: OP.TEXT, fin: false, payload: 'a' }), frame({ opcode: OP.PING }), frame({ opcode: OP.BINARY, payload: 'b' }),
  ], 'WSX_ERR_EXPECTED_CONTINUATION', 1002, [{ type: 'ping', data: Buffer.alloc(0) }]],
  ['64-bit length with the MSB set', 'server', {}, [clientFrame({ opcode: OP.BINARY, length: 1n << 63n })], 'WSX_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH', 1002],
  ['64-bit length 2^63-1', 'server', {}, [clientFrame({ opcode: OP.BINARY, length: (1n << 63n) - 1n })], 'WSX_ERR_MESSAGE_TOO_BIG', 1009],
  ['upper 32-bit word not zero (2^32 + 5), default maxPayload', 'client', {}, [frame({ opcode: OP.BINARY, length: (1n << 32n) + 5n, payload: 'abcde' })], 'WSX_ERR_MESSAGE_TOO_BIG', 1009],
  ['upper 32-bit word not zero, maxPayload 0 (no limit) but above 2^53', 'client', { maxPayload: 0 }, [frame({ opcode: OP.BINARY, length: 1n << 60n })], 'WSX_ERR_MESSAGE_TOO_BIG', 1009],
  ['length above maxPayload (header only)', 'server', { maxPayload: 1000 }, [clientFrame({ opcode: OP.BINARY, length: 1001 })], 'WSX_ERR_MESSAGE_TOO_BIG', 1009],
  ['length above the default maxPayload (header only)', 'client', {}, [frame({ opcode: OP.TEXT, length: 100 * 1024 * 1024 + 1 })], 'WSX_ERR_MESSAGE_TOO_BIG', 1009],
  ['fragments adding up above maxPayload (second header)', 'server', { maxPayload: 10 }, [
    clientFrame({ opcode: OP.BINARY, fin: false, payload: 'abcdef' }), clientFrame({ opcode: OP.CONT, length: 5 }),
  ], 'WSX_ERR_MESSAGE_TOO_BIG', 1009],
  ['maxFragments exceeded', 'server', { maxFragments: 3 }, [
    clientFrame({ opcode: OP.TEXT, fin: false }), clientFrame({ opcode: OP.CONT, fin: false }),
    clientFrame({ opcode: OP.CONT, fin: false }), clientFrame({ opcode: OP.CONT, fin: true }),
  ], 'WSX_ERR_TOO_MANY_FRAGMENTS', 1008],
  ['invalid UTF-8 (overlong C0 80)', 'server', {}, [clientFrame({ opcode: OP.TEXT, payload: [0x41, 0xc0, 0x80] })], 'WSX_ERR_INVALID_UTF8', 1007],
  ['invalid UTF-8 (overlong E0 80 AF)', 'client', {}, [frame({ opcode: OP.TEXT, payload: [0xe0, 0x80, 0xaf] })], 'WSX_ERR_INVALID_UTF8', 1007],
  ['invalid UTF-8 (overlong F0 82 82 AC)', 'client', {}, [frame({ opcode: OP.TEXT, payload: [0xf0, 0x82, 0x82, 0xac] })], 'WSX_ERR_INVALID_UTF8', 1007],
  ['invalid UTF-8 (surrogate U+D800)', 'server', {}, [clientFrame({ opcode: OP.TEXT, payload: [0xed, 0xa0, 0x80] })], 'WSX_ERR_INVALID_UTF8', 1007],
  ['invalid UTF-8 (surrogate U+DFFF)', 'server', {}, [clientFrame({ opcode: OP.TEXT, payload: [0xed, 0xbf, 0xbf] })], 'WSX_ERR_INVALID_UTF8', 1007],
  ['invalid UTF-8 (U+110000)', 'server', {}, [clientFrame({ opcode: OP.TEXT, payload: [0xf4, 0x90, 0x80, 0x80] })], 'WSX_ERR_INVALID_UTF8', 1007],
  ['invalid UTF-8 in a 40-byte frame (native path)', 'server', {}, [clientFrame({ opcode: OP.TEXT, payload: Buffer.concat([Buffer.alloc(39, 0x41), hex('ff')]) })], 'WSX_ERR_INVALID_UTF8', 1007],
  ['UTF-8 truncated at message end (one frame)', 'server', {}, [clientFrame({ opcode: OP.TEXT, payload: [0x41, 0xe2, 0x82] })], 'WSX_ERR_INVALID_UTF8', 1007],
  ['UTF-8 truncated at message end (fragments)', 'server', {}, [
    clientFrame({ opcode: OP.TEXT, fin: false, payload: [0x41, 0xe2] }), clientFrame({ opcode: OP.CONT, payload: [0x82] }),
  ], 'WSX_ERR_INVALID_UTF8', 1007],
  ['UTF-8 truncated at message end (empty last fragment)', 'client', {}, [
    frame({ opcode: OP.TEXT, fin: false, payload: [0xf0, 0x9f, 0x98] }), frame({ opcode: OP.CONT }),
  ], 'WSX_ERR_INVALID_UTF8', 1007],
  ['invalid UTF-8 across fragments (E0 | 80)', 'server', {}, [
    clientFrame({ opcode: OP.TEXT, fin: false, payload: [0xe0] }), clientFrame({ opcode: OP.CONT, fin: false, payload: [0x80] }),
  ], 'WSX_ERR_INVALID_UTF8', 1007],
  ['close payload of 1 byte', 'server', {}, [clientFrame({ opcode: OP.CLOSE, payload: [0x03] })], 'WSX_ERR_INVALID_CLOSE_PAYLOAD', 1002],
  ...[0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535].map((code) => [
    `close code ${code}`, 'server', {}, [clientFrame({ opcode: OP.CLOSE, payload: closePayload(code) })], 'WSX_ERR_INVALID_CLOSE_CODE', 1002,
  ]),
  ['invalid UTF-8 close reason', 'server', {}, [clientFrame({ opcode: OP.CLOSE, payload: closePayload(1000, Buffer.from([0x61, 0xff])) })], 'WSX_ERR_INVALID_UTF8', 1007],
  ['close reason truncated inside a sequence', 'client', {}, [frame({ opcode: OP.CLOSE, payload: closePayload(4000, Buffer.from([0xe2, 0x82])) })], 'WSX_ERR_INVALID_UTF8', 1007],
];

for (const [name, role, options, chunks, code, closeCode, before = []] of FAILURES) {
  test(`fails with ${closeCode}: ${name}`, () => {
    // Whole, then one byte per receive() call: the same failure either way.
    for (const split of [false, true]) {
      const c = (role === 'server' ? server : client)(options);
      const stream = Buffer.concat(chunks);
      c.feed(...(split ? splitAt(stream, Array.from({ length: stream.length - 1 }, (_, i) => i + 1)) : chunks));
      assert.deepEqual(c.events.slice(0, -1), before, `${name}: events before the error`);
      assertFailed(c, code, closeCode, `${name}${split ? ' (byte by byte)' : ''}`);
      assert.equal(c.conn.readyState, ReadyState.CLOSING);
    }
  });
}

test('1009 from the header alone: no payload byte is needed or buffered', () => {
  const c = server({ maxPayload: 65536 });
  const header = clientFrame({ opcode: OP.BINARY, length: 65537 }); // header and mask, no payload
  assert.equal(header.length, 14);
  c.feed(header.subarray(0, 13));
  assert.deepEqual(c.events, [], 'not before the header is complete');
  c.feed(header.subarray(13));
  assertFailed(c, 'WSX_ERR_MESSAGE_TOO_BIG', 1009, 'header only');
  // Exactly maxPayload is accepted.
  const ok = server({ maxPayload: 65536 });
  ok.feed(clientFrame({ opcode: OP.BINARY, payload: Buffer.alloc(65536) }));
  assert.equal(ok.events[0].data.length, 65536);
  const frag = server({ maxPayload: 10 });
  frag.feed(clientFrame({ opcode: OP.TEXT, fin: false, payload: 'abcde' }), clientFrame({ opcode: OP.CONT, payload: 'fghij' }));
  assert.deepEqual(frag.events, [msg('abcdefghij')]);
});

test('an upper 32-bit word that is not zero is never truncated: 2^32 + 5 announced, 5 bytes sent, no limit', () => {
  const c = client({ maxPayload: 0 });
  c.feed(frame({ opcode: OP.BINARY, length: (1n << 32n) + 5n, payload: 'abcde' }));
  c.feed(frame({ opcode: OP.TEXT, payload: 'next' }));
  assert.deepEqual(c.events, [], 'still reading the first frame');
  assert.equal(c.conn.failed, false);
});

test('invalid UTF-8 in the first fragment of a long text message fails at that fragment', () => {
  const c = server();
  c.feed(clientFrame({ opcode: OP.TEXT, fin: false, payload: Buffer.concat([Buffer.from('ok '), hex('c0 af'), Buffer.alloc(100, 0x61)]) }));
  assertFailed(c, 'WSX_ERR_INVALID_UTF8', 1007, 'first fragment');
  // Also with streamFragments: the invalid piece is not delivered.
  const s = server({ streamFragments: true });
  s.feed(clientFrame({ opcode: OP.TEXT, fin: false, payload: 'fine' }));
  s.feed(clientFrame({ opcode: OP.CONT, fin: false, payload: [0xed, 0xa0, 0x80] }));
  assert.deepEqual(s.events[0], { type: 'fragment', data: Buffer.from('fine'), isBinary: false, fin: false });
  assertFailed(s, 'WSX_ERR_INVALID_UTF8', 1007, 'stream');
});

test('invalid UTF-8 in the first piece of a large single frame fails before the rest arrives', () => {
  const payload = Buffer.alloc(1_000_000, 0x62);
  payload[50] = 0xf5;
  const bytes = clientFrame({ opcode: OP.TEXT, payload });
  const c = server();
  c.feed(bytes.subarray(0, 14 + 100));
  assertFailed(c, 'WSX_ERR_INVALID_UTF8', 1007, 'first piece');
  // A surrogate whose first byte is in the first piece and second byte in the second fails at the second.
  const p2 = Buffer.alloc(1000, 0x62);
  p2.set([0xed, 0xa0, 0x80], 99);
  const b2 = clientFrame({ opcode: OP.TEXT, payload: p2 });
  const d = server();
  d.feed(b2.subarray(0, 8 + 100)); // 8 header bytes: 16-bit length and mask
  assert.equal(d.conn.failed, false, 'ED at the end of a piece may still be valid');
  d.feed(b2.subarray(108, 109));
  assertFailed(d, 'WSX_ERR_INVALID_UTF8', 1007, 'second piece');
});

test('valid UTF-8 split across fragments and reads is accepted; skipUTF8Validation lets anything through', () => {
  const c = server();
  const text = Buffer.from('€\u{1f600}κ', 'utf8');
  c.feed(...Array.from(text, (b, i) => clientFrame({ opcode: i === 0 ? OP.TEXT : OP.CONT, fin: i === text.length - 1, payload: [b] })));
  assert.deepEqual(c.events, [msg(text)]);
  const s = server({ skipUTF8Validation: true });
  s.feed(clientFrame({ opcode: OP.TEXT, payload: [0xff, 0xfe] }), clientFrame({ opcode: OP.CLOSE, payload: closePayload(1000, Buffer.from([0xff])) }));
  assert.deepEqual(s.events, [msg(Buffer.from([0xff, 0xfe])), { type: 'close', code: 1000, reason: Buffer.from([0xff]) }]);
  // Binary messages are never validated.
  const b = server();
  b.feed(clientFrame({ opcode: OP.BINARY, payload: [0xff] }));
  assert.deepEqual(b.events, [msg(Buffer.from([0xff]), true)]);
});

test('a failure after close() was sent queues no second close frame', () => {
  const c = server();
  c.conn.close(1000, Buffer.alloc(0));
  c.output();
  c.feed(clientFrame({ opcode: 5 }));
  assert.deepEqual(c.events.map((e) => e.type), ['error']);
  assert.equal(c.conn.takeOutput(), null);
});

// ---- SECURITY-CASES rows 2, 3, 10, 11, 12, 16 -----------------------------------

test('SECURITY 10: non-FIN empty fragments forever are stopped by maxFragments (default bound too) with 1008', () => {
  const c = server({ maxFragments: 1000 });
  const empty = clientFrame({ opcode: OP.CONT, fin: false });
  c.feed(clientFrame({ opcode: OP.TEXT, fin: false }));
  c.feed(Buffer.concat(Array.from({ length: 998 }, () => empty)));
  assert.equal(c.conn.failed, false, '999 fragments are fine');
  c.feed(empty);
  assert.equal(c.conn.failed, false, '1000 fragments are fine');
  c.feed(empty);
  assertFailed(c, 'WSX_ERR_TOO_MANY_FRAGMENTS', 1008, 'fragment 1001');
  // The default is bounded as well.
  const d = server();
  const limit = DEFAULT_CONNECTION_OPTIONS.maxFragments;
  assert.ok(Number.isInteger(limit) && limit > 0 && limit <= 1 << 20, `default maxFragments ${limit}`);
  d.feed(clientFrame({ opcode: OP.BINARY, fin: false }));
  d.feed(Buffer.concat(Array.from({ length: limit }, () => empty)));
  assertFailed(d, 'WSX_ERR_TOO_MANY_FRAGMENTS', 1008, 'default bound');
});

test('SECURITY 10: the fragment counter resets after every complete message', () => {
  const c = server({ maxFragments: 5 });
  for (let m = 0; m < 3; m++) {
    c.feed(clientFrame({ opcode: OP.BINARY, fin: false, payload: 'a' }));
    for (let i = 0; i < 3; i++) c.feed(clientFrame({ opcode: OP.CONT, fin: false, payload: 'b' }));
    c.feed(clientFrame({ opcode: OP.CONT, payload: 'c' }));
  }
  assert.deepEqual(c.events, [msg('abbbc', true), msg('abbbc', true), msg('abbbc', true)]);
});

test('SECURITY 10: a message dribbled one byte per receive() is delivered and retains a bounded number of pieces', () => {
  const payload = Buffer.from('0123456789abcdef'.repeat(400)); // 6400 bytes
  const bytes = clientFrame({ opcode: OP.TEXT, payload });
  const c = server();
  let maxPieces = 0;
  for (let i = 0; i < bytes.length; i++) {
    c.conn.receive(bytes.subarray(i, i + 1));
    maxPieces = Math.max(maxPieces, c.conn.pieces.length);
  }
  assert.deepEqual(c.events, [msg(payload)]);
  assert.ok(maxPieces <= 1025, `retained ${maxPieces} pieces`);
  assert.equal(c.conn.pieces.length, 0, 'nothing retained after the message');
  // Also as 3000 one-byte fragments, each fed one byte at a time.
  const frags = Buffer.concat(Array.from({ length: 3000 }, (_, i) => clientFrame({ opcode: i === 0 ? OP.BINARY : OP.CONT, fin: i === 2999, payload: [i & 0xff] })));
  const d = server();
  maxPieces = 0;
  for (let i = 0; i < frags.length; i++) {
    d.conn.receive(frags.subarray(i, i + 1));
    maxPieces = Math.max(maxPieces, d.conn.pieces.length);
  }
  assert.deepEqual(d.events, [msg(Buffer.from(Array.from({ length: 3000 }, (_, i) => i & 0xff)), true)]);
  assert.ok(maxPieces <= 1025, `retained ${maxPieces} pieces`);
});

test('SECURITY 10: past 1024 pieces a message is assembled in one growing buffer, correctly, up to maxPayload exactly', () => {
  const kept = [];
  for (const maxPayload of [0, 5000, 100 * 1024 * 1024]) {
    const c = server({ maxPayload }, { onMessage: (data) => kept.push(data) });
    const payload = randomBytes(5000);
    // 1-3 byte pieces across frames and reads, so the switch to the assembly buffer lands mid-frame.
    const bytes = Buffer.concat([
      clientFrame({ opcode: OP.BINARY, fin: false, payload: payload.subarray(0, 1500) }),
      clientFrame({ opcode: OP.PING, payload: 'x' }),
      clientFrame({ opcode: OP.CONT, fin: false, payload: payload.subarray(1500, 4000) }),
      clientFrame({ opcode: OP.CONT, fin: true, payload: payload.subarray(4000) }),
    ]);
    for (let i = 0, step = 1; i < bytes.length; i += step, step = (step % 3) + 1) c.conn.receive(bytes.subarray(i, i + step));
    assert.equal(c.conn.pieces.length, 0);
    // The next message takes the usual path and does not disturb the first one.
    c.feed(clientFrame({ opcode: OP.BINARY, fin: false, payload: 'ab' }), clientFrame({ opcode: OP.CONT, payload: 'cd' }));
    assert.deepEqual(c.events.map((e) => e.type), ['ping', 'message', 'message'], `maxPayload ${maxPayload}`);
    assert.ok(c.events[1].data.equals(payload), `maxPayload ${maxPayload}`);
    assert.ok(kept[kept.length - 2].equals(payload), 'the delivered buffer is not reused');
    assert.equal(kept[kept.length - 1].toString(), 'abcd');
  }
  // A failure or a close in the middle of an assembled message drops it.
  for (const last of [clientFrame({ opcode: 4 }), clientFrame({ opcode: OP.CLOSE })]) {
    const rest = clientFrame({ opcode: OP.TEXT, fin: false, payload: 'a'.repeat(2000) });
    const e = server();
    for (let i = 0; i < rest.length; i++) e.conn.receive(rest.subarray(i, i + 1));
    assert.notEqual(e.conn.assembly, null, 'assembling');
    e.feed(last);
    assert.equal(e.conn.assembly, null);
    assert.equal(e.conn.pieces.length, 0);
  }
});

test('SECURITY 11: a bad control frame in the middle of a message drops the retained pieces', () => {
  // A half-received message is dropped when a bad control frame arrives.
  const c = server();
  c.feed(clientFrame({ opcode: OP.BINARY, fin: false, payload: Buffer.alloc(500, 1) }));
  assert.equal(c.conn.pieces.length, 1);
  c.feed(clientFrame({ opcode: OP.PING, payload: Buffer.alloc(126) }));
  assertFailed(c, 'WSX_ERR_CONTROL_FRAME_TOO_LONG', 1002, 'mid-message');
});

test('SECURITY 16: a thousand pings in one chunk produce one pong, with the last payload', () => {
  const pings = Buffer.concat(Array.from({ length: 1000 }, (_, i) => clientFrame({ opcode: OP.PING, payload: `ping ${i}` })));
  const c = server();
  c.feed(pings);
  assert.equal(c.events.length, 1000);
  assert.ok(c.events.every((e, i) => e.type === 'ping' && e.data.toString() === `ping ${i}`));
  assert.equal(c.conn.outputBytes, 2 + 'ping 999'.length);
  assert.deepEqual(c.output(), frame({ opcode: OP.PONG, payload: 'ping 999' }));
  // The coalescing lasts one output batch: after takeOutput() a new ping gets its own pong.
  c.feed(clientFrame({ opcode: OP.PING, payload: 'again' }));
  assert.deepEqual(c.output(), frame({ opcode: OP.PONG, payload: 'again' }));
  // Pings in separate reads before the transport drains are coalesced too; a client's pong is masked.
  const d = client();
  d.feed(frame({ opcode: OP.PING, payload: 'one' }), frame({ opcode: OP.PING, payload: 'two' }), frame({ opcode: OP.PING, payload: '' }));
  assert.deepEqual(d.output(), frame({ opcode: OP.PONG, payload: '', mask: RFC_KEY }));
});

test('pong coalescing keeps the order of other queued frames', () => {
  const c = server({}, {});
  c.conn.send(Buffer.from('first'), false);
  c.feed(clientFrame({ opcode: OP.PING, payload: 'a' }));
  c.conn.send(Buffer.from('between'), false);
  c.feed(clientFrame({ opcode: OP.PING, payload: Buffer.alloc(125, 0x7a) }));
  assert.deepEqual(readFrames(c.output()).map((f) => [f.opcode, f.payload.toString()]), [
    [OP.TEXT, 'first'],
    [OP.PONG, 'z'.repeat(125)],
    [OP.TEXT, 'between'],
  ]);
});

test('autoPong: false answers nothing; pings and pongs still reach the handler', () => {
  const c = server({ autoPong: false });
  c.feed(clientFrame({ opcode: OP.PING, payload: 'x' }), clientFrame({ opcode: OP.PONG, payload: 'y' }));
  assert.deepEqual(c.events, [{ type: 'ping', data: Buffer.from('x') }, { type: 'pong', data: Buffer.from('y') }]);
  assert.equal(c.conn.takeOutput(), null);
});

test('a ping split across reads is answered with its whole payload', () => {
  const bytes = clientFrame({ opcode: OP.PING, payload: Buffer.from('0123456789'.repeat(12)) });
  for (let at = 1; at < bytes.length; at++) {
    const c = server();
    c.feed(bytes.subarray(0, at), bytes.subarray(at));
    assert.deepEqual(c.output(), frame({ opcode: OP.PONG, payload: '0123456789'.repeat(12) }), `split at ${at}`);
  }
});

test('control frames between fragments are delivered in order', () => {
  const c = client();
  c.feed(
    frame({ opcode: OP.BINARY, fin: false, payload: 'ab' }),
    frame({ opcode: OP.PING, payload: '1' }),
    frame({ opcode: OP.PONG, payload: '2' }),
    frame({ opcode: OP.CONT, payload: 'cd' }),
  );
  assert.deepEqual(c.events, [{ type: 'ping', data: Buffer.from('1') }, { type: 'pong', data: Buffer.from('2') }, msg('abcd', true)]);
});

// ---- close handshake -----------------------------------------------------------

test('receiving a close echoes its code and reason and the state becomes CLOSED', () => {
  const s = server();
  assert.equal(s.conn.readyState, ReadyState.OPEN);
  s.feed(clientFrame({ opcode: OP.CLOSE, payload: closePayload(1000, 'bye') }));
  assert.deepEqual(s.events, [{ type: 'close', code: 1000, reason: Buffer.from('bye') }]);
  assert.deepEqual(s.output(), hex('88 05 03 e8 62 79 65'));
  assert.equal(s.conn.readyState, ReadyState.CLOSED);
  assert.equal(s.conn.closeReceived, true);
  assert.equal(s.conn.closeSent, true);
  const c = client();
  c.feed(frame({ opcode: OP.CLOSE, payload: closePayload(4321) }));
  assert.deepEqual(c.output(), frame({ opcode: OP.CLOSE, payload: closePayload(4321), mask: RFC_KEY }));
  assert.equal(c.conn.readyState, ReadyState.CLOSED);
});

test('a close without a code is reported as 1005 and answered with an empty close', () => {
  const s = server();
  s.feed(clientFrame({ opcode: OP.CLOSE }));
  assert.deepEqual(s.events, [{ type: 'close', code: 1005, reason: Buffer.alloc(0) }]);
  assert.deepEqual(s.output(), hex('88 00'));
  const c = client();
  c.feed(hex('88 00'));
  assert.deepEqual(c.output(), hex('88 80 37 fa 21 3d'));
  assert.equal(c.conn.readyState, ReadyState.CLOSED);
});

test('every valid close code is accepted and echoed (1000-1003, 1007-1014, 3000-4999 sampled)', () => {
  const codes = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999];
  for (let code = 3001; code < 4999; code += 37) codes.push(code);
  for (const code of codes) {
    const s = server();
    s.feed(clientFrame({ opcode: OP.CLOSE, payload: closePayload(code, 'reason ✓') }));
    assert.deepEqual(s.events, [{ type: 'close', code, reason: Buffer.from('reason ✓') }], String(code));
    assert.deepEqual(readFrames(s.output()), [
      { fin: true, rsv: 0, opcode: OP.CLOSE, masked: false, key: null, payload: closePayload(code, 'reason ✓') },
    ]);
  }
  // The longest legal reason: 123 bytes.
  const s = server();
  s.feed(clientFrame({ opcode: OP.CLOSE, payload: closePayload(1000, 'r'.repeat(123)) }));
  assert.equal(s.events[0].reason.length, 123);
});

test('close() then the peer close: one close frame sent, CLOSING then CLOSED', () => {
  const s = server();
  assert.equal(s.conn.close(1000, Buffer.from('done')), true);
  assert.equal(s.conn.readyState, ReadyState.CLOSING);
  assert.deepEqual(s.output(), hex('88 06 03 e8 64 6f 6e 65'));
  // Data still arriving before the peer's close is delivered.
  s.feed(clientFrame({ opcode: OP.TEXT, payload: 'late but fine' }), clientFrame({ opcode: OP.PING, payload: 'p' }));
  s.feed(clientFrame({ opcode: OP.CLOSE, payload: closePayload(1000) }));
  assert.deepEqual(s.events, [msg('late but fine'), { type: 'ping', data: Buffer.from('p') }, { type: 'close', code: 1000, reason: Buffer.alloc(0) }]);
  assert.equal(s.conn.takeOutput(), null, 'no pong after our close, and no second close');
  assert.equal(s.conn.readyState, ReadyState.CLOSED);
  // close(-1) sends an empty close body.
  const c = client();
  c.conn.close(-1, Buffer.alloc(0));
  assert.deepEqual(c.output(), hex('88 80 37 fa 21 3d'));
});

test('sending after close returns false and queues nothing', () => {
  for (const start of ['local', 'remote']) {
    const s = server();
    if (start === 'local') s.conn.close(1001, Buffer.alloc(0));
    else s.feed(clientFrame({ opcode: OP.CLOSE, payload: closePayload(1000) }));
    s.output();
    assert.equal(s.conn.send(Buffer.from('x'), false), false);
    assert.equal(s.conn.send(Buffer.from('x'), true, false), false);
    assert.equal(s.conn.ping(Buffer.from('x')), false);
    assert.equal(s.conn.pong(Buffer.from('x')), false);
    assert.equal(s.conn.close(1000, Buffer.alloc(0)), false);
    assert.equal(s.conn.sendEncoded([hex('81 01 61')], 3), false);
    assert.equal(s.conn.takeOutput(), null, start);
    assert.equal(s.conn.outputBytes, 0);
  }
});

test('data after a close frame is ignored, in the same chunk and later', () => {
  const s = server();
  s.feed(Buffer.concat([clientFrame({ opcode: OP.CLOSE, payload: closePayload(1000) }), clientFrame({ opcode: OP.TEXT, payload: 'same chunk' }), clientFrame({ opcode: OP.PING })]));
  s.feed(clientFrame({ opcode: OP.TEXT, payload: 'later' }), Buffer.from([0xff, 0xff, 0xff]));
  assert.deepEqual(s.events, [{ type: 'close', code: 1000, reason: Buffer.alloc(0) }]);
  assert.deepEqual(s.output(), hex('88 02 03 e8'));
  assert.equal(s.conn.failed, false, 'garbage after the close is not a protocol error');
});

// ---- pause / resume ------------------------------------------------------------

test('pause() inside onMessage stops at the message boundary; input while paused waits; resume() delivers in order', () => {
  let pauseOn = 'one';
  const c = server({}, { onMessage: (data) => data.toString() === pauseOn && c.conn.pause() });
  const stream = Buffer.concat(['one', 'two', 'three'].map((t) => clientFrame({ opcode: OP.TEXT, payload: t })));
  c.feed(stream);
  assert.deepEqual(c.events, [msg('one')]);
  assert.equal(c.conn.isPaused, true);
  assert.equal(c.conn.pendingInputBytes, stream.length - 9);
  c.feed(clientFrame({ opcode: OP.PING, payload: 'p' }), clientFrame({ opcode: OP.TEXT, payload: 'four' }));
  assert.deepEqual(c.events, [msg('one')], 'nothing while paused');
  assert.equal(c.conn.takeOutput(), null, 'the ping is not answered while paused');
  pauseOn = 'three';
  c.conn.resume();
  assert.deepEqual(c.events, [msg('one'), msg('two'), msg('three')]);
  assert.equal(c.conn.isPaused, true);
  pauseOn = '';
  c.conn.resume();
  assert.deepEqual(c.events, [msg('one'), msg('two'), msg('three'), { type: 'ping', data: Buffer.from('p') }, msg('four')]);
  assert.equal(c.conn.pendingInputBytes, 0);
  assert.deepEqual(c.output(), frame({ opcode: OP.PONG, payload: 'p' }));
  c.conn.resume(); // not paused: no-op
  assert.equal(c.events.length, 5);
});

test('pause() before input: everything waits, then resume() delivers; resume signals pending output', () => {
  const c = server();
  c.conn.pause();
  c.feed(clientFrame({ opcode: OP.TEXT, payload: 'a', fin: false }));
  c.feed(clientFrame({ opcode: OP.PING, payload: 'x' }), clientFrame({ opcode: OP.CONT, payload: 'b' }));
  assert.deepEqual(c.events, []);
  const signals = c.outputSignals;
  c.conn.resume();
  assert.deepEqual(c.events, [{ type: 'ping', data: Buffer.from('x') }, msg('ab')]);
  assert.equal(c.outputSignals, signals + 1, 'the pong queued during resume() is signalled');
  assert.deepEqual(c.output(), frame({ opcode: OP.PONG, payload: 'x' }));
});

test('pausing on every event, with the stream split at every byte, keeps the order', () => {
  const { stream, cuts } = mixedStream('server');
  const reference = runSplit('server', [Buffer.from(stream)]).events;
  for (const at of cuts) {
    const c = server({}, { onMessage: () => c.conn.pause(), onPing: () => c.conn.pause(), onPong: () => c.conn.pause() });
    c.feed(...splitAt(stream, [at]));
    for (let i = 0; i < 20 && c.conn.isPaused; i++) c.conn.resume();
    assert.deepEqual(c.events, reference, `split at ${at}`);
  }
});

test('streamFragments: pausing on every piece, with the stream split at every byte, keeps the order', () => {
  const { stream, cuts } = mixedStream('client');
  const reference = coalesceFragments(runSplit('client', [Buffer.from(stream)], { streamFragments: true }).events);
  for (const at of cuts) {
    const c = client({ streamFragments: true }, { onFragment: () => c.conn.pause(), onPing: () => c.conn.pause() });
    c.feed(...splitAt(stream, [at]));
    for (let i = 0; i < 40 && c.conn.isPaused; i++) c.conn.resume();
    assert.equal(c.conn.isPaused, false);
    assert.deepEqual(coalesceFragments(c.events), reference, `split at ${at}`);
  }
});

test('pause() and resume() from inside a handler while resume() is draining', () => {
  // A handler may pause and resume synchronously; the stream must not be parsed twice.
  const texts = ['a', 'b', 'c', 'd'];
  const c = server({}, {
    onMessage: (data) => {
      if (data.toString() === 'b') {
        c.conn.pause();
        c.conn.resume();
      }
    },
  });
  c.conn.pause();
  c.feed(Buffer.concat(texts.map((t) => clientFrame({ opcode: OP.TEXT, payload: t }))));
  c.conn.resume();
  assert.deepEqual(c.events, texts.map((t) => msg(t)));
  // And inside receive().
  const d = server({}, { onMessage: () => { d.conn.pause(); d.conn.resume(); } });
  d.feed(Buffer.concat(texts.map((t) => clientFrame({ opcode: OP.TEXT, payload: t }))));
  assert.deepEqual(d.events, texts.map((t) => msg(t)));
});

test('input received while paused after a failure or a close is not retained', () => {
  const c = server();
  c.feed(clientFrame({ opcode: 3 }));
  c.conn.pause();
  c.feed(Buffer.alloc(10000));
  assert.equal(c.conn.pendingInputBytes, 0);
  const d = server({}, { onCloseFrame: () => d.conn.pause() });
  d.feed(clientFrame({ opcode: OP.CLOSE }));
  d.feed(Buffer.alloc(10000));
  assert.equal(d.conn.pendingInputBytes, 0);
});

// ---- streamFragments -----------------------------------------------------------

test('streamFragments: pieces as they arrive, fin on the last', () => {
  const c = client({ streamFragments: true });
  c.feed(frame({ opcode: OP.TEXT, fin: false, payload: 'Hel' }));
  assert.deepEqual(c.events, [{ type: 'fragment', data: Buffer.from('Hel'), isBinary: false, fin: false }]);
  c.feed(frame({ opcode: OP.PING, payload: '!' }));
  c.feed(frame({ opcode: OP.CONT, payload: 'lo' }));
  assert.deepEqual(c.events.slice(1), [
    { type: 'ping', data: Buffer.from('!') },
    { type: 'fragment', data: Buffer.from('lo'), isBinary: false, fin: true },
  ]);
  // A single frame split across reads comes out in the pieces read.
  const d = client({ streamFragments: true });
  const bytes = frame({ opcode: OP.BINARY, payload: 'abcdef' });
  d.feed(bytes.subarray(0, 4), bytes.subarray(4, 6), bytes.subarray(6));
  assert.deepEqual(d.events, [
    { type: 'fragment', data: Buffer.from('ab'), isBinary: true, fin: false },
    { type: 'fragment', data: Buffer.from('cd'), isBinary: true, fin: false },
    { type: 'fragment', data: Buffer.from('ef'), isBinary: true, fin: true },
  ]);
  // An empty last fragment still ends the message; empty middle ones are skipped.
  const e = server({ streamFragments: true });
  e.feed(clientFrame({ opcode: OP.TEXT, fin: false, payload: 'x' }), clientFrame({ opcode: OP.CONT, fin: false }), clientFrame({ opcode: OP.CONT }));
  assert.deepEqual(e.events, [
    { type: 'fragment', data: Buffer.from('x'), isBinary: false, fin: false },
    { type: 'fragment', data: Buffer.alloc(0), isBinary: false, fin: true },
  ]);
  assert.equal(e.conn.pieces.length, 0, 'streamed pieces are not retained');
});

test('streamFragments: maxPayload and UTF-8 still apply to the whole message', () => {
  const c = server({ streamFragments: true, maxPayload: 5 });
  c.feed(clientFrame({ opcode: OP.TEXT, fin: false, payload: 'abc' }), clientFrame({ opcode: OP.CONT, length: 3 }));
  assert.deepEqual(c.events[0], { type: 'fragment', data: Buffer.from('abc'), isBinary: false, fin: false });
  assertFailed(c, 'WSX_ERR_MESSAGE_TOO_BIG', 1009, 'stream maxPayload');
  const d = server({ streamFragments: true });
  d.feed(clientFrame({ opcode: OP.TEXT, fin: false, payload: [0xe2, 0x82] }), clientFrame({ opcode: OP.CONT }));
  assertFailed(d, 'WSX_ERR_INVALID_UTF8', 1007, 'stream truncated');
});

// ---- compression flag ----------------------------------------------------------

test('compression: RSV1 marks a compressed message, which is not UTF-8 checked here', () => {
  const c = server({ compression: true });
  c.feed(clientFrame({ opcode: OP.TEXT, rsv: 4, payload: [0xf2, 0x48, 0xcd] }));
  c.feed(clientFrame({ opcode: OP.BINARY, rsv: 4, fin: false, payload: 'a' }), clientFrame({ opcode: OP.CONT, payload: 'b' }));
  c.feed(clientFrame({ opcode: OP.TEXT, payload: 'plain' }));
  assert.deepEqual(c.events, [msg(Buffer.from([0xf2, 0x48, 0xcd]), false, true), msg('ab', true, true), msg('plain')]);
  // streamFragments does not stream compressed messages: they are assembled for the inflater.
  const d = server({ compression: true, streamFragments: true });
  d.feed(clientFrame({ opcode: OP.TEXT, rsv: 4, fin: false, payload: 'x' }), clientFrame({ opcode: OP.CONT, payload: 'y' }));
  assert.deepEqual(d.events, [msg('xy', false, true)]);
});

// ---- output queue --------------------------------------------------------------

test('onOutput signals once per batch outside receive(); takeOutput drains; outputBytes counts', () => {
  const c = server();
  assert.equal(c.conn.takeOutput(), null);
  c.conn.send(Buffer.from('a'), false);
  c.conn.send(Buffer.alloc(2000), true);
  assert.equal(c.outputSignals, 1);
  assert.equal(c.conn.outputBytes, 3 + 4 + 2000);
  const out = c.conn.takeOutput();
  assert.equal(out.length, 3, 'small frame, then header and payload of the large one');
  assert.equal(c.conn.outputBytes, 0);
  c.conn.ping(Buffer.alloc(0));
  assert.equal(c.outputSignals, 2);
  c.output();
  // Output produced inside receive() is left for the transport to drain after the call.
  c.feed(clientFrame({ opcode: OP.PING, payload: 'x' }));
  assert.equal(c.outputSignals, 2);
  assert.deepEqual(c.output(), frame({ opcode: OP.PONG, payload: 'x' }));
});

test('sendEncoded queues frames as given; refused during a fragmented send', () => {
  const c = server();
  const frames = [hex('81 02'), Buffer.from('hi')];
  assert.equal(c.conn.sendEncoded(frames, 4), true);
  assert.equal(c.conn.outputBytes, 4);
  assert.deepEqual(c.output(), hex('81 02 68 69'));
  c.conn.send(Buffer.from('a'), false, false);
  assert.equal(c.conn.sendEncoded(frames, 4), false);
  c.conn.send(Buffer.from('b'), false, true);
  assert.equal(c.conn.sendEncoded(frames, 4), true);
  assert.deepEqual(c.output(), hex('01 01 61 80 01 62 81 02 68 69'));
});

test('options left undefined take the defaults', () => {
  const c = new Connection(
    { role: 'server', maxPayload: undefined, autoPong: undefined, maxFragments: undefined, maskKey: undefined, skipUTF8Validation: undefined },
    { onMessage() {}, onFragment() {}, onPing() {}, onPong() {}, onCloseFrame() {}, onProtocolError() {}, onOutput() {} },
  );
  c.receive(clientFrame({ opcode: OP.PING, payload: 'x' }));
  assert.deepEqual(Buffer.concat(c.takeOutput()), frame({ opcode: OP.PONG, payload: 'x' }), 'autoPong defaults to true');
  let error = null;
  const d = new Connection({ role: 'client', maxPayload: undefined, maskKey: undefined }, {
    onMessage() {}, onFragment() {}, onPing() {}, onPong() {}, onCloseFrame() {}, onProtocolError(e) { error = e; }, onOutput() {},
  });
  d.receive(frame({ opcode: OP.BINARY, length: DEFAULT_CONNECTION_OPTIONS.maxPayload + 1 }));
  assert.equal(error?.closeCode, 1009, 'maxPayload defaults to the bounded default');
  assert.equal(readFrames(Buffer.concat(d.takeOutput()))[0].masked, true, 'client output is masked with the default key source');
});
