// Connection.receiveBorrowed(): input that is valid only during the call (the
// transport's shared read buffer). Every buffer the handler was given must
// stay intact after the input buffer is reused, and the events must be those
// of the same bytes fed through receive().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Connection } from '../../dist/protocol/connection.js';
import { OP, clientFrame, closePayload, frame } from '../helpers/frame-builder.js';
import { coalesceFragments, openConnection, splitAt } from '../helpers/recording-handler.js';

/** Chunks from here on are parsed in place (connection.ts, BORROW_MIN); shorter ones are copied whole. */
const BORROW_MIN = 32 * 1024;

/** Deterministic bytes that differ from one position to the next. */
const pattern = (length, seed) => Buffer.from(Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff));

/** A stream exercising every kind of payload a connection keeps: whole, spanning, fragmented, control. */
function mixedStream(role) {
  const f = (x) => (role === 'server' ? clientFrame(x) : frame(x));
  return Buffer.concat([
    f({ opcode: OP.TEXT, payload: 'hello' }),
    f({ opcode: OP.BINARY, payload: pattern(300, 1) }),
    f({ opcode: OP.PING, payload: 'ping!' }),
    f({ opcode: OP.BINARY, payload: pattern(100_000, 2) }), // spans reads: unmasked into its buffer
    f({ opcode: OP.TEXT, payload: 'a€'.repeat(9000), fin: false }), // fragmented: pieces are kept
    f({ opcode: OP.PONG, payload: 'pong?' }),
    f({ opcode: OP.CONT, payload: pattern(40_000, 3).map((b) => b & 0x7f), fin: false }),
    f({ opcode: OP.CONT, payload: 'z€', fin: true }),
    ...Array.from({ length: 40 }, (_, i) => f({ opcode: OP.BINARY, payload: pattern(1000 + i, i) })),
    f({ opcode: OP.BINARY, payload: pattern(50_000, 4), fin: false }),
    f({ opcode: OP.CONT, payload: pattern(50_000, 5), fin: true }),
    f({ opcode: OP.CLOSE, payload: closePayload(1001, 'gone away') }),
  ]);
}

/**
 * A handler that keeps the buffers it is given, uncopied, so that a test can
 * check them after the input buffer was overwritten.
 */
function keepingHandler(hooks = {}) {
  const events = [];
  return {
    events,
    handler: {
      onMessage: (data, isBinary, compressed) => (events.push({ type: 'message', data, isBinary, compressed }), hooks.onMessage?.()),
      onFragment: (data, isBinary, fin) => events.push({ type: 'fragment', data, isBinary, fin }),
      onPing: (data) => events.push({ type: 'ping', data }),
      onPong: (data) => events.push({ type: 'pong', data }),
      onCloseFrame: (code, reason) => events.push({ type: 'close', code, reason }),
      onProtocolError: (error) => events.push({ type: 'error', code: error.code, closeCode: error.closeCode }),
      onOutput: () => {},
    },
  };
}

/** Copies every buffer an event holds, for comparing after the fact. */
const snapshot = (events) => events.map((e) => ({ ...e, ...(e.data ? { data: Buffer.from(e.data) } : {}), ...(e.reason ? { reason: Buffer.from(e.reason) } : {}) }));

/** Feeds `chunks` through one reused buffer, scribbled over after every call. */
function feedBorrowed(conn, chunks) {
  const shared = Buffer.alloc(Math.max(...chunks.map((c) => c.length)));
  for (const chunk of chunks) {
    chunk.copy(shared);
    conn.receiveBorrowed(shared.subarray(0, chunk.length));
    shared.fill(0xee);
  }
}

function reference(role, stream, options = {}) {
  let key = 1;
  const c = openConnection({ role, maskKey: () => key++, ...options });
  c.conn.receive(Buffer.from(stream));
  return { events: coalesceFragments(c.events), output: c.output() };
}

function borrowed(role, chunks, options = {}) {
  let key = 1;
  const { handler, events } = keepingHandler();
  const conn = new Connection({ role, maskKey: () => key++, ...options }, handler);
  feedBorrowed(conn, chunks);
  const out = conn.takeOutput();
  return { events: coalesceFragments(snapshot(events)), output: out === null ? Buffer.alloc(0) : Buffer.concat(out) };
}

for (const role of ['server', 'client']) {
  test(`${role}: borrowed input split into large and small reads gives the events of receive(), intact after the buffer is reused`, () => {
    const stream = mixedStream(role);
    const expected = reference(role, stream);
    assert.deepEqual(expected.events.map((e) => e.type).slice(0, 7), ['message', 'message', 'ping', 'message', 'pong', 'message', 'message']);
    assert.equal(expected.events.at(-1).type, 'close');
    // 64 KiB reads, as Node makes them: most chunks are parsed in place.
    const reads = [];
    for (let at = 65536; at < stream.length; at += 65536) reads.push(at);
    assert.deepEqual(borrowed(role, splitAt(stream, reads)), expected);
    // Small reads only: each is copied whole.
    const small = [];
    for (let at = 5000; at < stream.length; at += 5000) small.push(at);
    assert.deepEqual(borrowed(role, splitAt(stream, small)), expected);
    // The whole stream in one call.
    assert.deepEqual(borrowed(role, [stream]), expected);
  });

  test(`${role}: property: borrowed input at random splits matches receive(), also with streamFragments`, () => {
    const stream = mixedStream(role);
    const expected = { false: reference(role, stream), true: reference(role, stream, { streamFragments: true }) };
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 40 }),
        fc.boolean(),
        (cuts, streamFragments) => {
          const chunks = splitAt(stream, cuts.sort((a, b) => a - b));
          assert.deepEqual(borrowed(role, chunks, { streamFragments }), expected[streamFragments]);
        },
      ),
      { numRuns: 60, endOnFailure: true }, // (shrinking a counterexample this size takes minutes)
    );
  });
}

test('borrowed input left unparsed by pause() is kept as a copy and delivered intact by resume()', () => {
  const payloads = [pattern(20_000, 7), pattern(20_000, 8), pattern(20_000, 9)];
  const stream = Buffer.concat(payloads.map((payload) => clientFrame({ opcode: OP.BINARY, payload })));
  assert.ok(stream.length >= BORROW_MIN, 'one chunk parsed in place');
  let conn;
  const { handler, events } = keepingHandler({ onMessage: () => conn.pause() });
  conn = new Connection({ role: 'server' }, handler);
  feedBorrowed(conn, [stream]);
  assert.equal(events.length, 1);
  assert.equal(conn.pendingInputBytes, stream.length - (payloads[0].length + 8));
  // Input that arrives while paused is copied too.
  const later = clientFrame({ opcode: OP.TEXT, payload: 'x'.repeat(BORROW_MIN) });
  feedBorrowed(conn, [later]);
  for (let i = 0; i < 3; i++) conn.resume();
  assert.deepEqual(
    events.map((e) => Buffer.from(e.data)),
    [...payloads, Buffer.from('x'.repeat(BORROW_MIN))],
  );
});

test('a ping parsed in place is answered and reported with a copy of its payload', () => {
  const ping = clientFrame({ opcode: OP.PING, payload: 'are you there' });
  const filler = clientFrame({ opcode: OP.BINARY, payload: pattern(BORROW_MIN, 1) });
  const { handler, events } = keepingHandler();
  const conn = new Connection({ role: 'server' }, handler);
  feedBorrowed(conn, [Buffer.concat([ping, filler])]);
  assert.equal(events[0].type, 'ping');
  assert.equal(events[0].data.toString(), 'are you there');
  const out = Buffer.concat(conn.takeOutput());
  assert.equal(out.subarray(2).toString(), 'are you there', 'the pong carries the payload as it was');
});
