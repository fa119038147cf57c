import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import {
  COPY_THRESHOLD,
  NO_MASK,
  encodeFrame,
  frameHeaderLength,
  writeFrameHeader,
} from '../../dist/protocol/frame-encoder.js';
import { FrameParser } from '../../dist/protocol/frame-parser.js';
import { RFC_KEY_U32, frame, hex, readFrames } from '../helpers/frame-builder.js';

function encode(opcode, payload, fin = true, rsv1 = false, maskKey = NO_MASK) {
  const out = [];
  const bytes = encodeFrame(out, opcode, Buffer.from(payload), fin, rsv1, maskKey);
  const joined = Buffer.concat(out);
  assert.equal(bytes, joined.length, 'returned byte count');
  return { out, joined };
}

test('RFC 6455 5.7: unmasked text "Hello" is 81 05 48 65 6c 6c 6f', () => {
  assert.deepEqual(encode(0x1, 'Hello').joined, hex('81 05 48 65 6c 6c 6f'));
});

test('RFC 6455 5.7: masked text "Hello" with key 37 fa 21 3d', () => {
  assert.deepEqual(encode(0x1, 'Hello', true, false, RFC_KEY_U32).joined, hex('81 85 37 fa 21 3d 7f 9f 4d 51 58'));
});

test('RFC 6455 5.7: fragmented "Hel" + "lo"', () => {
  assert.deepEqual(encode(0x1, 'Hel', false).joined, hex('01 03 48 65 6c'));
  assert.deepEqual(encode(0x0, 'lo', true).joined, hex('80 02 6c 6f'));
});

test('RFC 6455 5.7: unmasked ping "Hello" and its masked pong', () => {
  assert.deepEqual(encode(0x9, 'Hello').joined, hex('89 05 48 65 6c 6c 6f'));
  assert.deepEqual(encode(0xa, 'Hello', true, false, RFC_KEY_U32).joined, hex('8a 85 37 fa 21 3d 7f 9f 4d 51 58'));
});

test('RFC 6455 5.7: 256 bytes binary (82 7E 01 00) and 64 KiB binary (82 7F 00 00 00 00 00 01 00 00)', () => {
  const small = randomBytes(256);
  const a = encode(0x2, small).joined;
  assert.deepEqual(a.subarray(0, 4), hex('82 7E 01 00'));
  assert.deepEqual(a.subarray(4), small);
  const big = randomBytes(65536);
  const b = encode(0x2, big).joined;
  assert.deepEqual(b.subarray(0, 10), hex('82 7F 00 00 00 00 00 01 00 00'));
  assert.ok(b.subarray(10).equals(big));
});

test('minimal length encoding at 0, 125, 126, 65535, 65536, masked and not', () => {
  const expectations = [
    [0, '80 00'],
    [125, '80 7d'],
    [126, '80 7e 00 7e'],
    [65535, '80 7e ff ff'],
    [65536, '80 7f 00 00 00 00 00 01 00 00'],
  ];
  for (const [length, header] of expectations) {
    const payload = Buffer.alloc(length, 0x61);
    const plain = encode(0x0, payload).joined;
    assert.deepEqual(plain.subarray(0, hex(header).length), hex(header), `unmasked ${length}`);
    assert.equal(plain.length, hex(header).length + length);
    assert.equal(frameHeaderLength(length, false), hex(header).length);
    const masked = encode(0x0, payload, true, false, 0x01020304).joined;
    const maskedHeader = Buffer.from(hex(header));
    maskedHeader[1] |= 0x80;
    assert.deepEqual(masked.subarray(0, maskedHeader.length), maskedHeader, `masked ${length}`);
    assert.deepEqual(masked.subarray(maskedHeader.length, maskedHeader.length + 4), hex('01 02 03 04'));
    assert.equal(frameHeaderLength(length, true), maskedHeader.length + 4);
    const [decoded] = readFrames(masked);
    assert.ok(decoded.payload.equals(payload));
  }
});

test('writeFrameHeader writes 64-bit lengths above 2^32 with the high word first', () => {
  const dst = Buffer.alloc(14, 0xee);
  const end = writeFrameHeader(dst, 0, true, false, 0x2, 2 ** 32 + 5, NO_MASK);
  assert.equal(end, 10);
  assert.deepEqual(dst.subarray(0, 10), hex('82 7f 00 00 00 01 00 00 00 05'));
  const end2 = writeFrameHeader(dst, 0, false, true, 0x1, Number.MAX_SAFE_INTEGER, 0xcafebabe);
  assert.equal(end2, 14);
  assert.deepEqual(dst, hex('41 ff 00 1f ff ff ff ff ff ff ca fe ba be'));
  // Writing at an offset leaves the bytes before it alone.
  const at = Buffer.alloc(8, 0x11);
  assert.equal(writeFrameHeader(at, 3, true, false, 0x9, 3, NO_MASK), 5);
  assert.deepEqual(at, hex('11 11 11 89 03 11 11 11'));
});

test('FIN, RSV1 and opcode bits', () => {
  assert.equal(encode(0x1, 'x', true, true).joined[0], 0xc1);
  assert.equal(encode(0x2, 'x', false, true).joined[0], 0x42);
  assert.equal(encode(0x0, 'x', false, false).joined[0], 0x00);
  assert.equal(encode(0x8, '', true, false).joined[0], 0x88);
});

test('up to COPY_THRESHOLD one buffer; above it the header apart and the payload by reference (unmasked)', () => {
  const atLimit = Buffer.alloc(COPY_THRESHOLD, 1);
  const out1 = [];
  encodeFrame(out1, 0x2, atLimit, true, false, NO_MASK);
  assert.equal(out1.length, 1);
  const above = Buffer.alloc(COPY_THRESHOLD + 1, 2);
  const out2 = [];
  encodeFrame(out2, 0x2, above, true, false, NO_MASK);
  assert.equal(out2.length, 2);
  assert.equal(out2[1], above, 'the payload is not copied');
  assert.deepEqual(out2[0], hex('82 7e 04 01'));
  // encodeFrame appends: existing entries stay.
  const out3 = [Buffer.from('keep')];
  encodeFrame(out3, 0x1, Buffer.from('a'), true, false, NO_MASK);
  assert.equal(out3[0].toString(), 'keep');
  assert.equal(out3.length, 2);
});

test("masking never modifies the caller's payload, small or large", () => {
  for (const size of [0, 5, COPY_THRESHOLD, COPY_THRESHOLD + 1, 100_000]) {
    const payload = randomBytes(size);
    const copy = Buffer.from(payload);
    const out = [];
    encodeFrame(out, 0x2, payload, true, false, 0xa1b2c3d4);
    assert.ok(payload.equals(copy), `payload of ${size} untouched`);
    assert.ok(out.every((b) => b !== payload), 'masked output never references the payload');
    const [decoded] = readFrames(Buffer.concat(out));
    assert.ok(decoded.payload.equals(payload));
    assert.deepEqual(decoded.key, hex('a1 b2 c3 d4'));
  }
});

/** Parses `bytes` with a FrameParser and returns the frames it reported. */
function parseBack(bytes, expectMasked, rsv1Allowed) {
  const frames = [];
  const errors = [];
  let current = null;
  const sink = {
    frameStart(fin, rsv1, opcode, length) {
      current = { fin, rsv1, opcode, length, pieces: [] };
      return true;
    },
    framePayload(data, frameEnd) {
      current.pieces.push(Buffer.from(data));
      if (frameEnd) frames.push({ ...current, payload: Buffer.concat(current.pieces) });
      return true;
    },
    frameError(error) {
      errors.push(error);
    },
  };
  const parser = new FrameParser(sink, expectMasked, rsv1Allowed);
  assert.equal(parser.parse(bytes, 0), bytes.length);
  return { frames, errors };
}

test('property: encodeFrame output parsed back round-trips (opcode, fin, rsv1, length, mask)', () => {
  const lengths = fc.oneof(
    fc.integer({ min: 0, max: 140 }),
    fc.constantFrom(125, 126, 127, 1023, 1024, 1025, 65535, 65536, 70000),
    fc.integer({ min: 0, max: 3000 }),
  );
  fc.assert(
    fc.property(
      fc.constantFrom(0x0, 0x1, 0x2, 0x8, 0x9, 0xa),
      fc.boolean(),
      fc.boolean(),
      lengths,
      fc.option(fc.nat({ max: 0xffffffff }), { nil: NO_MASK }),
      fc.nat(),
      (opcode, fin, rsv1, length, maskKey, seed) => {
        const control = opcode >= 0x8;
        if (control) {
          fin = true;
          rsv1 = false;
          length %= 126;
        }
        if (opcode === 0x0) rsv1 = false;
        const payload = Buffer.alloc(length);
        for (let i = 0; i < length; i++) payload[i] = (seed + i * 31) & 0xff;
        const out = [];
        const n = encodeFrame(out, opcode, payload, fin, rsv1, maskKey);
        const bytes = Buffer.concat(out);
        assert.equal(n, bytes.length);
        assert.equal(bytes.length, frameHeaderLength(length, maskKey !== NO_MASK) + length);
        // The independent reader agrees with the header, including the mask key.
        const [raw] = readFrames(bytes);
        assert.equal(raw.masked, maskKey !== NO_MASK);
        if (maskKey !== NO_MASK) assert.equal(raw.key.readUInt32BE(0), maskKey);
        assert.ok(raw.payload.equals(payload));
        // And wsx's own parser reads it back.
        // (A copy: the parser unmasks in place.)
        const { frames, errors } = parseBack(Buffer.from(bytes), maskKey !== NO_MASK, true);
        assert.deepEqual(errors, []);
        assert.equal(frames.length, 1);
        const [f] = frames;
        assert.deepEqual([f.fin, f.rsv1, f.opcode, f.length], [fin, rsv1, opcode, length]);
        assert.ok(f.payload.equals(payload));
        // And the frame equals the one the reference builder makes.
        const key = maskKey === NO_MASK ? null : Buffer.from([maskKey >>> 24, (maskKey >>> 16) & 255, (maskKey >>> 8) & 255, maskKey & 255]);
        assert.ok(bytes.equals(frame({ opcode, fin, rsv: rsv1 ? 4 : 0, payload, mask: key })));
      },
    ),
    { numRuns: 500 },
  );
});
