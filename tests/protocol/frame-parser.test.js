import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { FrameParser } from '../../dist/protocol/frame-parser.js';
import { CloseCode } from '../../dist/protocol/close-codes.js';
import { OP, RFC_KEY, clientFrame, frame, hex } from '../helpers/frame-builder.js';
import { splitAt } from '../helpers/recording-handler.js';

/**
 * A FrameSink recording headers, payload pieces and errors. `stopAfter(event)` may return true to stop parsing.
 * With `targets`, it gives every frame that spans reads a target buffer (as Connection does), and records
 * what is placed there as payload pieces too; `asks` lists the frame lengths it was asked for.
 */
function recordingSink(stopAfter = () => false, targets = false) {
  const log = [];
  const asks = [];
  let length = 0;
  let target = null;
  let placed = 0;
  const sink = {
    frameStart(fin, rsv1, opcode, frameLength) {
      const e = { type: 'start', fin, rsv1, opcode, length: frameLength };
      length = frameLength;
      log.push(e);
      return !stopAfter(e);
    },
    framePayload(data, frameEnd) {
      const e = { type: 'payload', data: Buffer.from(data), frameEnd, view: data };
      log.push(e);
      return !stopAfter(e);
    },
    frameTarget() {
      asks.push(length);
      if (!targets) return null;
      target = Buffer.alloc(length);
      placed = 0;
      return target;
    },
    framePlaced(n, frameEnd) {
      assert.ok(target !== null && placed + n <= target.length, 'placed within the target');
      const e = { type: 'payload', data: Buffer.from(target.subarray(placed, placed + n)), frameEnd, placed: true };
      placed += n;
      if (frameEnd) {
        assert.equal(placed, target.length, 'the whole payload was placed');
        target = null;
      }
      log.push(e);
      return !stopAfter(e);
    },
    frameError(error) {
      log.push({ type: 'error', code: error.code, closeCode: error.closeCode });
    },
  };
  return { sink, log, asks };
}

/** Headers and whole payloads per frame: the same for any split of the input. */
function summarize(log) {
  const out = [];
  let parts = [];
  for (const e of log) {
    if (e.type !== 'payload') {
      out.push(e);
      continue;
    }
    parts.push(e.data);
    if (e.frameEnd) {
      out.push({ type: 'payload', data: Buffer.concat(parts), frameEnd: true });
      parts = [];
    }
  }
  // A frame still incomplete at the end of the input.
  if (parts.length !== 0) out.push({ type: 'payload', data: Buffer.concat(parts), frameEnd: false });
  return out;
}

function parseAll(chunks, expectMasked, rsv1Allowed = false, targets = false) {
  const { sink, log, asks } = recordingSink(undefined, targets);
  const parser = new FrameParser(sink, expectMasked, rsv1Allowed);
  for (const c of chunks) assert.equal(parser.parse(c, 0), c.length);
  return { parser, log, asks };
}

test('RFC 6455 5.7 examples decode byte for byte (client reads unmasked, server reads masked)', () => {
  const cases = [
    { bytes: '81 05 48 65 6c 6c 6f', masked: false, frames: [[true, OP.TEXT, 'Hello']] },
    { bytes: '81 85 37 fa 21 3d 7f 9f 4d 51 58', masked: true, frames: [[true, OP.TEXT, 'Hello']] },
    { bytes: '01 03 48 65 6c 80 02 6c 6f', masked: false, frames: [[false, OP.TEXT, 'Hel'], [true, OP.CONT, 'lo']] },
    { bytes: '89 05 48 65 6c 6c 6f', masked: false, frames: [[true, OP.PING, 'Hello']] },
    { bytes: '8a 85 37 fa 21 3d 7f 9f 4d 51 58', masked: true, frames: [[true, OP.PONG, 'Hello']] },
  ];
  for (const c of cases) {
    const { log } = parseAll([hex(c.bytes)], c.masked);
    const summary = summarize(log);
    const expected = c.frames.flatMap(([fin, opcode, text]) => [
      { type: 'start', fin, rsv1: false, opcode, length: text.length },
      { type: 'payload', data: Buffer.from(text), frameEnd: true },
    ]);
    assert.deepEqual(summary, expected, c.bytes);
  }
});

test('RFC 6455 5.7: 256-byte and 64 KiB binary headers', () => {
  const small = randomBytes(256);
  const big = randomBytes(65536);
  const { log } = parseAll([Buffer.concat([hex('82 7E 01 00'), small, hex('82 7F 00 00 00 00 00 01 00 00'), big])], false);
  assert.deepEqual(summarize(log), [
    { type: 'start', fin: true, rsv1: false, opcode: OP.BINARY, length: 256 },
    { type: 'payload', data: small, frameEnd: true },
    { type: 'start', fin: true, rsv1: false, opcode: OP.BINARY, length: 65536 },
    { type: 'payload', data: big, frameEnd: true },
  ]);
});

test('a frame whole inside a chunk is delivered as a view of the chunk, unmasked in place', () => {
  const chunk = frame({ opcode: OP.BINARY, payload: 'abcdef', mask: RFC_KEY });
  const { log } = parseAll([chunk], true);
  const piece = log.find((e) => e.type === 'payload').view;
  assert.equal(piece.buffer, chunk.buffer);
  assert.equal(piece.byteOffset, chunk.byteOffset + 6);
  assert.equal(chunk.subarray(6).toString(), 'abcdef');
});

test('a zero-length frame gives one empty piece with frameEnd; an empty read gives nothing', () => {
  const { log } = parseAll([hex('82 00'), Buffer.alloc(0)], false);
  assert.deepEqual(summarize(log), [
    { type: 'start', fin: true, rsv1: false, opcode: OP.BINARY, length: 0 },
    { type: 'payload', data: Buffer.alloc(0), frameEnd: true },
  ]);
});

test('non-minimal length encodings are read (the minimal rule binds senders)', () => {
  const { log } = parseAll([frame({ opcode: OP.TEXT, payload: 'hi', form: 16 }), frame({ opcode: OP.TEXT, payload: 'yo', form: 64 })], false);
  assert.deepEqual(
    summarize(log).filter((e) => e.type === 'payload').map((e) => e.data.toString()),
    ['hi', 'yo'],
  );
});

/**
 * A stream exercising every header form, masked and not. `cuts`: every byte
 * boundary except inside the 70000-byte payload, where every 499th will do.
 */
function sampleStream(masked) {
  const mk = masked ? clientFrame : frame;
  const parts = [
    mk({ opcode: OP.TEXT, payload: 'Hello' }),
    mk({ opcode: OP.BINARY, payload: Buffer.alloc(0) }),
    mk({ opcode: OP.TEXT, payload: 'frag-', fin: false }),
    mk({ opcode: OP.PING, payload: 'p' }),
    mk({ opcode: OP.CONT, payload: Buffer.alloc(0), fin: false }),
    mk({ opcode: OP.CONT, payload: 'end', fin: true }),
    mk({ opcode: OP.BINARY, payload: Buffer.alloc(300, 7) }),
    mk({ opcode: OP.BINARY, payload: Buffer.alloc(70000, 9), rsv: 0b100 }),
    mk({ opcode: OP.PONG, payload: Buffer.alloc(125, 1) }),
    mk({ opcode: OP.CLOSE, payload: hex('03 e8 62 79 65') }),
  ];
  const stream = Buffer.concat(parts);
  const bulkStart = parts.slice(0, 7).reduce((n, p) => n + p.length, 0) + 16;
  const bulkEnd = bulkStart + parts[7].length - 32;
  const cuts = [];
  for (let at = 0; at <= stream.length; at++) if (at <= bulkStart || at >= bulkEnd || at % 499 === 0) cuts.push(at);
  return { stream, cuts };
}

for (const masked of [false, true]) {
  for (const targets of [false, true]) {
    const mode = `${masked ? 'masked' : 'unmasked'}${targets ? ', into targets' : ''}`;
    test(`split at every byte boundary gives the same frames (${mode})`, () => {
      const { stream, cuts } = sampleStream(masked);
      const reference = summarize(parseAll([Buffer.from(stream)], masked, true).log);
      assert.equal(reference.filter((e) => e.type === 'start').length, 10);
      for (const at of cuts) {
        const { log } = parseAll(splitAt(stream, [at]), masked, true, targets);
        assert.deepEqual(summarize(log), reference, `split at ${at}`);
      }
      // And one byte per call.
      const { log } = parseAll(splitAt(stream, Array.from({ length: stream.length - 1 }, (_, i) => i + 1)), masked, true, targets);
      assert.deepEqual(summarize(log), reference, 'byte by byte');
    });

    test(`property: random splits give the same frames (${mode})`, () => {
      const { stream } = sampleStream(masked);
      const reference = summarize(parseAll([Buffer.from(stream)], masked, true).log);
      fc.assert(
        fc.property(fc.uniqueArray(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 40 }), (cuts) => {
          const { log } = parseAll(splitAt(stream, cuts.sort((a, b) => a - b)), masked, true, targets);
          assert.deepEqual(summarize(log), reference);
        }),
        { numRuns: 200 },
      );
    });
  }
}

test('a target is asked for once per frame that spans reads, at its first piece, and used for all its pieces', () => {
  const whole = clientFrame({ opcode: OP.BINARY, payload: Buffer.alloc(300, 1) });
  const spanning = clientFrame({ opcode: OP.TEXT, payload: Buffer.alloc(20000, 0x61) });
  const stream = Buffer.concat([whole, spanning, whole]);
  const cuts = [whole.length + 100, whole.length + 9000, whole.length + 15000];
  const { log, asks } = parseAll(splitAt(stream, cuts), true, false, true);
  assert.deepEqual(asks, [20000], 'asked for the spanning frame only, once');
  const pieces = log.filter((e) => e.type === 'payload');
  assert.deepEqual(
    pieces.map((e) => [e.data.length, e.frameEnd, e.placed === true]),
    [
      [300, true, false],
      [100 - 8, false, true], // after the 8-byte header
      [8900, false, true],
      [6000, false, true],
      [20000 - 92 - 8900 - 6000, true, true],
      [300, true, false],
    ],
  );
  assert.ok(Buffer.concat(pieces.slice(1, 5).map((e) => e.data)).equals(Buffer.alloc(20000, 0x61)));
  // A sink that declines gets the pieces through framePayload, as before.
  const declined = parseAll(splitAt(stream, cuts), true, false, false);
  assert.deepEqual(declined.asks, [20000]);
  assert.equal(declined.log.filter((e) => e.placed).length, 0);
  assert.deepEqual(summarize(declined.log), summarize(log));
  // Both methods are optional: a sink written before they existed gets every piece through framePayload.
  const { sink: older, log: olderLog } = recordingSink();
  delete older.frameTarget;
  delete older.framePlaced;
  const parser = new FrameParser(older, true, false);
  for (const c of splitAt(stream, cuts)) assert.equal(parser.parse(c, 0), c.length);
  assert.deepEqual(summarize(olderLog), summarize(log));
});

test('a sink that stops parsing after a placed piece resumes into the same target', () => {
  const payload = randomBytes(30000);
  const bytes = clientFrame({ opcode: OP.BINARY, payload, mask: hex('01 02 03 04') });
  const { sink, log } = recordingSink((e) => e.placed === true && !e.frameEnd, true);
  const parser = new FrameParser(sink, true, false);
  const [a, b] = splitAt(bytes, [5000]);
  assert.equal(parser.parse(a, 0), a.length);
  assert.equal(parser.parse(b, 0), b.length, 'the last piece does not stop');
  assert.ok(Buffer.concat(log.filter((e) => e.type === 'payload').map((e) => e.data)).equals(payload));
});

test('header errors: each fails once with its code and close code, then input is ignored', () => {
  const M = RFC_KEY;
  const cases = [
    // [name, bytes, expectMasked, rsv1Allowed, code, closeCode]
    ['unmasked frame to a server', frame({ opcode: OP.TEXT, payload: 'x' }), true, false, 'WSX_ERR_EXPECTED_MASK', 1002],
    ['masked frame to a client', frame({ opcode: OP.TEXT, payload: 'x', mask: M }), false, false, 'WSX_ERR_UNEXPECTED_MASK', 1002],
    ...[3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf].map((op) => [
      `reserved opcode ${op}`, frame({ opcode: op, mask: M }), true, false, 'WSX_ERR_INVALID_OPCODE', 1002,
    ]),
    ['RSV1 without compression', frame({ opcode: OP.TEXT, rsv: 0b100, mask: M }), true, false, 'WSX_ERR_UNEXPECTED_RSV', 1002],
    ['RSV2', frame({ opcode: OP.TEXT, rsv: 0b010, mask: M }), true, true, 'WSX_ERR_UNEXPECTED_RSV', 1002],
    ['RSV3', frame({ opcode: OP.TEXT, rsv: 0b001, mask: M }), true, true, 'WSX_ERR_UNEXPECTED_RSV', 1002],
    ['RSV1 on a ping with compression', frame({ opcode: OP.PING, rsv: 0b100, mask: M }), true, true, 'WSX_ERR_UNEXPECTED_RSV', 1002],
    ['RSV1 on a close with compression', frame({ opcode: OP.CLOSE, rsv: 0b100, mask: M }), true, true, 'WSX_ERR_UNEXPECTED_RSV', 1002],
    ['RSV1 on a continuation with compression', frame({ opcode: OP.CONT, rsv: 0b100, mask: M }), true, true, 'WSX_ERR_UNEXPECTED_RSV', 1002],
    ['ping payload 126 (16-bit form)', frame({ opcode: OP.PING, payload: Buffer.alloc(126), mask: M }), true, false, 'WSX_ERR_CONTROL_FRAME_TOO_LONG', 1002],
    ['close announcing 127 (64-bit form)', frame({ opcode: OP.CLOSE, length: 127, form: 64, mask: M }), true, false, 'WSX_ERR_CONTROL_FRAME_TOO_LONG', 1002],
    ['pong announcing 126 in 7 bits', hex('8a fe 00 7e 01 02 03 04'), true, false, 'WSX_ERR_CONTROL_FRAME_TOO_LONG', 1002],
    ['fragmented ping', frame({ opcode: OP.PING, fin: false, payload: 'x', mask: M }), true, false, 'WSX_ERR_FRAGMENTED_CONTROL_FRAME', 1002],
    ['64-bit length with the MSB set', frame({ opcode: OP.BINARY, length: 1n << 63n, mask: M }), true, false, 'WSX_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH', 1002],
    ['64-bit length 2^64-1', frame({ opcode: OP.BINARY, length: (1n << 64n) - 1n }), false, false, 'WSX_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH', 1002],
    ['64-bit length 2^63-1', frame({ opcode: OP.BINARY, length: (1n << 63n) - 1n, mask: M }), true, false, 'WSX_ERR_MESSAGE_TOO_BIG', 1009],
    ['64-bit length 2^53', frame({ opcode: OP.BINARY, length: 1n << 53n }), false, false, 'WSX_ERR_MESSAGE_TOO_BIG', 1009],
  ];
  for (const [name, bytes, expectMasked, rsv1Allowed, code, closeCode] of cases) {
    for (const chunks of [[bytes], splitAt(bytes, Array.from({ length: bytes.length - 1 }, (_, i) => i + 1))]) {
      const { sink, log } = recordingSink();
      const parser = new FrameParser(sink, expectMasked, rsv1Allowed);
      for (const c of chunks) assert.equal(parser.parse(c, 0), c.length, name);
      assert.deepEqual(log, [{ type: 'error', code, closeCode }], name);
      assert.equal(parser.failed, true, name);
      // Dead from now on: a valid frame is ignored.
      const next = expectMasked ? clientFrame({ opcode: OP.TEXT, payload: 'late' }) : frame({ opcode: OP.TEXT, payload: 'late' });
      assert.equal(parser.parse(next, 0), next.length);
      assert.equal(log.length, 1, `${name}: nothing after the failure`);
    }
  }
  assert.equal(CloseCode.PROTOCOL_ERROR, 1002);
});

test('lengths up to 2^53-1 reach the sink as exact numbers', () => {
  for (const length of [65536n, 0xffffffffn, 1n << 32n, (1n << 53n) - 1n]) {
    const { sink, log } = recordingSink();
    const parser = new FrameParser(sink, false, false);
    parser.parse(frame({ opcode: OP.BINARY, length }), 0);
    assert.deepEqual(log, [{ type: 'start', fin: true, rsv1: false, opcode: OP.BINARY, length: Number(length) }]);
  }
});

test('a valid ping of 125 bytes and RSV1 on a data frame when allowed', () => {
  const { log } = parseAll([clientFrame({ opcode: OP.PING, payload: Buffer.alloc(125, 3) }), clientFrame({ opcode: OP.TEXT, rsv: 0b100, payload: 'z' })], true, true);
  const starts = log.filter((e) => e.type === 'start');
  assert.deepEqual(starts.map((e) => [e.opcode, e.length, e.rsv1]), [[OP.PING, 125, false], [OP.TEXT, 1, true]]);
  // rsv1Allowed can be switched after negotiation.
  const { sink, log: log2 } = recordingSink();
  const parser = new FrameParser(sink, true, false);
  parser.rsv1Allowed = true;
  parser.parse(clientFrame({ opcode: OP.BINARY, rsv: 0b100, payload: 'z' }), 0);
  assert.equal(log2[0].rsv1, true);
});

test('the sink stopping parsing: parse returns where it stopped, and resumes from there', () => {
  const stream = Buffer.concat([frame({ opcode: OP.TEXT, payload: 'one' }), frame({ opcode: OP.TEXT, payload: 'two' }), frame({ opcode: OP.TEXT, payload: '' }), frame({ opcode: OP.TEXT, payload: 'four' })]);
  let stops = 0;
  const { sink, log } = recordingSink((e) => e.type === 'payload' && e.frameEnd && ++stops <= 3);
  const parser = new FrameParser(sink, false, false);
  const first = parser.parse(stream, 0);
  assert.equal(first, 5);
  const second = parser.parse(stream, first);
  assert.equal(second, 10);
  const third = parser.parse(stream, second);
  assert.equal(third, 12, 'stops after the empty frame too');
  assert.equal(parser.parse(stream, third), stream.length);
  assert.deepEqual(
    log.filter((e) => e.type === 'payload').map((e) => e.data.toString()),
    ['one', 'two', '', 'four'],
  );
});

test('frameStart returning false kills the parser', () => {
  const { sink, log } = recordingSink((e) => e.type === 'start');
  const parser = new FrameParser(sink, false, false);
  const bytes = Buffer.concat([frame({ opcode: OP.TEXT, payload: 'a' }), frame({ opcode: OP.TEXT, payload: 'b' })]);
  assert.equal(parser.parse(bytes, 0), bytes.length);
  assert.equal(parser.failed, true);
  assert.equal(log.length, 1);
  parser.parse(frame({ opcode: OP.TEXT, payload: 'c' }), 0);
  assert.equal(log.length, 1);
});

test('stop() makes the parser ignore input', () => {
  const { sink, log } = recordingSink();
  const parser = new FrameParser(sink, false, false);
  parser.parse(hex('81 05 48 65'), 0);
  parser.stop();
  parser.parse(hex('6c 6c 6f 81 01 41'), 0);
  assert.deepEqual(log.filter((e) => e.type === 'payload').map((e) => e.data.toString()), ['He']);
});

test('masked payload split across reads unmasks with the right key offset at every split, in place or into a target', () => {
  const payload = randomBytes(97);
  const bytes = clientFrame({ opcode: OP.BINARY, payload, mask: hex('de ad be ef') });
  for (const targets of [false, true]) {
    for (let a = 1; a < bytes.length; a += 3) {
      for (let b = a; b < bytes.length; b += 5) {
        const { log } = parseAll(splitAt(bytes, [a, b]), true, false, targets);
        assert.ok(summarize(log)[1].data.equals(payload), `splits ${a}, ${b}`);
      }
    }
  }
});
