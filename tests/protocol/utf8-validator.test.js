import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { Utf8Validator, isValidUtf8 } from '../../dist/protocol/utf8-validator.js';

const fatal = new TextDecoder('utf-8', { fatal: true });
function decoderAccepts(bytes) {
  try {
    fatal.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * Independent reference for fail-fast: whether `prefix` can still be
 * completed into valid UTF-8. An open sequence needs at most 3 more bytes,
 * and a continuation byte's validity only depends on which of the ranges
 * 80-8F, 90-9F, A0-BF it is in, so these completions are enough.
 */
const COMPLETIONS = [[]];
for (const first of [0x80, 0x90, 0xa0]) COMPLETIONS.push([first], [first, 0x80], [first, 0x80, 0x80]);
function extendable(prefix) {
  return COMPLETIONS.some((tail) => isUtf8(Buffer.concat([prefix, Buffer.from(tail)])));
}
/** Index of the first byte at which the prefix stops being extendable, or -1. */
function firstBadByte(bytes) {
  for (let k = 1; k <= bytes.length; k++) if (!extendable(bytes.subarray(0, k))) return k - 1;
  return -1;
}

/** Feeds `bytes` in pieces cut at `cuts`; returns { failedPiece: [start, end) | null, finished }. */
function feedInPieces(v, bytes, cuts) {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  let from = 0;
  for (const at of [...points, bytes.length]) {
    // Pieces are views into a larger buffer at an offset, as frames inside a TCP chunk are.
    if (!v.write(bytes, from, at)) {
      v.reset();
      return { failedPiece: [from, at], finished: false };
    }
    from = at;
  }
  return { failedPiece: null, finished: v.finish() };
}

const VALID = [
  '',
  'Hello',
  '\u0000',
  '\u007f',
  '\u0080',
  '\u07ff',
  '\u0800',
  '\ud7ff',
  '\ue000',
  '\uffff',
  '\u{10000}',
  '\u{10ffff}',
  'κόσμε',
  '€'.repeat(40),
  'a'.repeat(31) + '\u{1f600}',
  '\u{1f600}'.repeat(20),
];

const INVALID = {
  'lone continuation 80': [0x80],
  'lone continuation BF': [0xbf],
  'overlong 2-byte C0 80 (U+0000)': [0xc0, 0x80],
  'overlong 2-byte C1 BF (U+007F)': [0xc1, 0xbf],
  'overlong 3-byte E0 80 80': [0xe0, 0x80, 0x80],
  'overlong 3-byte E0 9F BF (U+07FF)': [0xe0, 0x9f, 0xbf],
  'overlong 4-byte F0 80 80 80': [0xf0, 0x80, 0x80, 0x80],
  'overlong 4-byte F0 8F BF BF (U+FFFF)': [0xf0, 0x8f, 0xbf, 0xbf],
  'surrogate U+D800 ED A0 80': [0xed, 0xa0, 0x80],
  'surrogate U+DBFF ED AF BF': [0xed, 0xaf, 0xbf],
  'surrogate U+DC00 ED B0 80': [0xed, 0xb0, 0x80],
  'surrogate U+DFFF ED BF BF': [0xed, 0xbf, 0xbf],
  'surrogate pair as CESU-8': [0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80],
  'U+110000 F4 90 80 80': [0xf4, 0x90, 0x80, 0x80],
  'F5 lead': [0xf5, 0x80, 0x80, 0x80],
  'F7 BF BF BF': [0xf7, 0xbf, 0xbf, 0xbf],
  'FE': [0xfe],
  'FF': [0xff],
  '5-byte form F8 88 80 80 80': [0xf8, 0x88, 0x80, 0x80, 0x80],
  'lead followed by ASCII C2 41': [0xc2, 0x41],
  'E2 82 followed by ASCII': [0xe2, 0x82, 0x41],
  'valid then stray continuation': [0x41, 0xc3, 0xa9, 0xa9],
  'Autobahn 6.3.1 κόσμε-edited': [0xce, 0xba, 0xe1, 0xbd, 0xb9, 0xcf, 0x83, 0xce, 0xbc, 0xce, 0xb5, 0xed, 0xa0, 0x80, 0x65, 0x64, 0x69, 0x74, 0x65, 0x64],
};

const TRUNCATED = {
  'C3 at end': [0x41, 0xc3],
  'E2 82 at end': [0xe2, 0x82],
  'F0 9F 98 at end': [0xf0, 0x9f, 0x98],
  'F4 at end': [0xf4],
};

test('valid texts are accepted whole, in one write, and byte by byte', () => {
  for (const s of VALID) {
    const bytes = Buffer.from(s, 'utf8');
    assert.equal(isValidUtf8(bytes), true, JSON.stringify(s));
    const v = new Utf8Validator();
    assert.equal(v.write(bytes, 0, bytes.length), true);
    assert.equal(v.finish(), true);
    for (let i = 0; i < bytes.length; i++) assert.equal(v.write(bytes, i, i + 1), true, `${JSON.stringify(s)} byte ${i}`);
    assert.equal(v.finish(), true);
  }
});

test('overlong forms, surrogates, code points above U+10FFFF and stray bytes are rejected', () => {
  for (const [name, arr] of Object.entries(INVALID)) {
    const bytes = Buffer.from(arr);
    assert.equal(isValidUtf8(bytes), false, name);
    const v = new Utf8Validator();
    const ok = v.write(bytes, 0, bytes.length) && v.finish();
    assert.equal(ok, false, name);
    // Also inside a long text, where the native path validates it.
    const long = Buffer.concat([Buffer.from('x'.repeat(40)), bytes, Buffer.from('y'.repeat(40))]);
    assert.equal(isValidUtf8(long), false, `${name} in a long text`);
    const v2 = new Utf8Validator();
    assert.equal(v2.write(long, 0, long.length), false, `${name} in a long text (incremental)`);
  }
});

test('a text truncated inside a sequence: every write passes, finish() fails', () => {
  for (const [name, arr] of Object.entries(TRUNCATED)) {
    const bytes = Buffer.from(arr);
    assert.equal(isValidUtf8(bytes), false, name);
    const v = new Utf8Validator();
    assert.equal(v.write(bytes, 0, bytes.length), true, name);
    assert.equal(v.finish(), false, name);
    // finish() reset the state: the validator is usable again.
    assert.equal(v.write(Buffer.from('ok'), 0, 2), true);
    assert.equal(v.finish(), true);
    // Long text ending in the truncated sequence (native path plus open tail).
    const long = Buffer.concat([Buffer.from('z'.repeat(64)), bytes]);
    assert.equal(v.write(long, 0, long.length), true, `${name} long`);
    assert.equal(v.finish(), false, `${name} long`);
  }
});

test('fail-fast: an invalid sequence is refused at its first impossible byte', () => {
  const cases = [
    { bytes: [0xe0, 0x9f], failAt: 1 }, // overlong 3-byte, known at the second byte
    { bytes: [0xed, 0xa0], failAt: 1 }, // surrogate, known at the second byte
    { bytes: [0xf0, 0x8f], failAt: 1 },
    { bytes: [0xf4, 0x90], failAt: 1 },
    { bytes: [0xc0], failAt: 0 },
    { bytes: [0xf5], failAt: 0 },
    { bytes: [0xe2, 0x82, 0x41], failAt: 2 },
  ];
  for (const { bytes, failAt } of cases) {
    const v = new Utf8Validator();
    const buf = Buffer.from(bytes);
    for (let i = 0; i < buf.length; i++) {
      assert.equal(v.write(buf, i, i + 1), i < failAt, `${buf.toString('hex')} byte ${i}`);
      if (i === failAt) break;
    }
  }
});

test('reset() clears an open sequence', () => {
  const v = new Utf8Validator();
  assert.equal(v.write(Buffer.from([0xe2, 0x82]), 0, 2), true);
  v.reset();
  assert.equal(v.write(Buffer.from('A'), 0, 1), true);
  assert.equal(v.finish(), true);
});

// Bytes that exercise every branch of the UTF-8 tables.
const interestingByte = fc.constantFrom(
  0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef,
  0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xf7, 0xf8, 0xfe, 0xff,
);
/** Mostly-valid UTF-8 with a few edits, short and long (the native path starts at 32 bytes). */
const textish = fc
  .tuple(
    fc.string({ unit: 'binary', maxLength: 120 }),
    fc.array(fc.tuple(fc.nat(), interestingByte, fc.constantFrom('insert', 'replace', 'truncate')), { maxLength: 3 }),
  )
  .map(([s, edits]) => {
    const bytes = [...Buffer.from(s, 'utf8')];
    for (const [pos, b, kind] of edits) {
      const at = bytes.length === 0 ? 0 : pos % bytes.length;
      if (kind === 'insert') bytes.splice(at, 0, b);
      else if (kind === 'replace' && bytes.length !== 0) bytes[at] = b;
      else bytes.length = at;
    }
    return Buffer.from(bytes);
  });
const anyBytes = fc.oneof(
  textish,
  fc.uint8Array({ maxLength: 80 }).map((a) => Buffer.from(a)),
  fc.array(interestingByte, { maxLength: 80 }).map((a) => Buffer.from(a)),
);
const cuts = fc.array(fc.nat({ max: 400 }), { maxLength: 8 });

test('property: incremental result equals buffer.isUtf8 and fatal TextDecoder, for any split', () => {
  fc.assert(
    fc.property(anyBytes, cuts, (bytes, cutPoints) => {
      const expected = isUtf8(bytes);
      assert.equal(decoderAccepts(bytes), expected, 'the two references agree');
      const v = new Utf8Validator();
      const { failedPiece, finished } = feedInPieces(v, bytes, cutPoints);
      assert.equal(failedPiece === null && finished, expected);
      assert.equal(isValidUtf8(bytes), expected);
    }),
    { numRuns: 3000 },
  );
});

test('property: the first failing write is the one holding the first non-extendable byte', () => {
  fc.assert(
    fc.property(anyBytes, cuts, (bytes, cutPoints) => {
      const bad = firstBadByte(bytes);
      const v = new Utf8Validator();
      const { failedPiece, finished } = feedInPieces(v, bytes, cutPoints);
      if (bad === -1) {
        assert.equal(failedPiece, null, 'no write fails while the prefix can still be completed');
        assert.equal(finished, isUtf8(bytes), 'finish() tells complete from truncated');
      } else {
        assert.notEqual(failedPiece, null, `must fail (first bad byte ${bad})`);
        const [start, end] = failedPiece;
        assert.ok(start <= bad && bad < end, `failed on piece [${start}, ${end}) but the first bad byte is ${bad}`);
      }
    }),
    { numRuns: 3000 },
  );
});

test('property: one byte per write fails exactly at the first non-extendable byte', () => {
  fc.assert(
    fc.property(anyBytes, (bytes) => {
      const bad = firstBadByte(bytes);
      const v = new Utf8Validator();
      let failedAt = -1;
      for (let i = 0; i < bytes.length; i++) {
        if (!v.write(bytes, i, i + 1)) {
          failedAt = i;
          break;
        }
      }
      assert.equal(failedAt, bad);
    }),
    { numRuns: 2000 },
  );
});

test('large valid and invalid inputs through the native path, split unevenly', () => {
  const text = Buffer.from('ascii €uro \u{1f600} κόσμε '.repeat(5000), 'utf8');
  const v = new Utf8Validator();
  for (let from = 0, step = 1; from < text.length; step = (step * 7 + 3) % 997 + 1) {
    const to = Math.min(text.length, from + step);
    assert.equal(v.write(text, from, to), true, `piece [${from}, ${to})`);
    from = to;
  }
  assert.equal(v.finish(), true);
  const broken = Buffer.from(text);
  broken[100_000] = 0xff;
  assert.equal(isValidUtf8(broken), false);
  const w = new Utf8Validator();
  assert.equal(w.write(broken, 0, 100_000), true);
  assert.equal(w.write(broken, 100_000, broken.length), false);
});
