import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { maskInto, unmaskInPlace } from '../../dist/protocol/mask.js';

const KEYS = [0x37fa213d, 0x00000000, 0xffffffff, 0x01020304, 0x80000001, 0xdeadbeef];

/** Byte-by-byte reference from RFC 6455 5.3: j = i MOD 4, key octet j, most significant first. */
function naiveMask(src, key, keyOffset) {
  const k = [key >>> 24, (key >>> 16) & 0xff, (key >>> 8) & 0xff, key & 0xff];
  const out = Buffer.alloc(src.length);
  for (let i = 0; i < src.length; i++) out[i] = src[i] ^ k[(i + keyOffset) & 3];
  return out;
}

/** A view of `length` bytes at `offset` in a fresh 4-byte-aligned ArrayBuffer, with guard bytes around. */
function viewAt(offset, length, fill) {
  const ab = new ArrayBuffer(offset + length + 8);
  new Uint8Array(ab).fill(0xa5);
  const view = new Uint8Array(ab, offset, length);
  if (fill) view.set(fill);
  return view;
}

test('RFC 6455 5.7: "Hello" with key 37 fa 21 3d masks to 7f 9f 4d 51 58', () => {
  const src = Buffer.from('Hello');
  const dst = Buffer.alloc(5);
  maskInto(src, 0, 5, dst, 0, 0x37fa213d, 0);
  assert.deepEqual(dst, Buffer.from([0x7f, 0x9f, 0x4d, 0x51, 0x58]));
  unmaskInPlace(dst, 0, 5, 0x37fa213d, 0);
  assert.equal(dst.toString(), 'Hello');
});

test('maskInto matches the reference for lengths 0-300, every keyOffset, aligned and unaligned, in place and not', () => {
  const data = randomBytes(300);
  for (const key of [0x37fa213d, 0xdeadbeef]) {
    for (let length = 0; length <= 300; length++) {
      const src = data.subarray(0, length);
      for (let keyOffset = 0; keyOffset < 4; keyOffset++) {
        const expected = naiveMask(src, key, keyOffset);
        for (let srcAlign = 0; srcAlign < 4; srcAlign++) {
          // Into another buffer, for every relative alignment of source and destination.
          for (let dstAlign = 0; dstAlign < 4; dstAlign++) {
            const s = viewAt(srcAlign, length, src);
            const d = viewAt(dstAlign, length);
            maskInto(s, 0, length, d, 0, key, keyOffset);
            assert.deepEqual(Buffer.from(d.buffer, dstAlign, length), expected, `len ${length} off ${keyOffset} ${srcAlign}/${dstAlign}`);
            assert.deepEqual(Buffer.from(s), src, 'source untouched');
            const guard = new Uint8Array(d.buffer);
            for (let g = 0; g < dstAlign; g++) assert.equal(guard[g], 0xa5);
            for (let g = dstAlign + length; g < guard.length; g++) assert.equal(guard[g], 0xa5);
          }
          // In place.
          const inPlace = viewAt(srcAlign, length, src);
          unmaskInPlace(inPlace, 0, length, key, keyOffset);
          assert.deepEqual(Buffer.from(inPlace), expected, `in place len ${length} off ${keyOffset} align ${srcAlign}`);
        }
      }
    }
  }
});

test('maskInto matches the reference on 1 MiB, every keyOffset, aligned and unaligned, in place and not', () => {
  const size = 1024 * 1024;
  const data = randomBytes(size);
  for (let keyOffset = 0; keyOffset < 4; keyOffset++) {
    const expected = naiveMask(data, 0x37fa213d, keyOffset);
    for (const align of [0, 1, 2, 3]) {
      const s = viewAt(align, size, data);
      const d = viewAt((align + 1) & 3, size);
      maskInto(s, 0, size, d, 0, 0x37fa213d, keyOffset);
      assert.ok(Buffer.from(d).equals(expected), `into, keyOffset ${keyOffset} align ${align}`);
      const same = viewAt(align, size, data);
      const d2 = viewAt(align, size);
      maskInto(same, 0, size, d2, 0, 0x37fa213d, keyOffset);
      assert.ok(Buffer.from(d2).equals(expected), `into same alignment, keyOffset ${keyOffset} align ${align}`);
      unmaskInPlace(s, 0, size, 0x37fa213d, keyOffset);
      assert.ok(Buffer.from(s).equals(expected), `in place, keyOffset ${keyOffset} align ${align}`);
    }
  }
});

test('maskInto works on a sub-range and writes at dstOffset, leaving other bytes alone', () => {
  const src = randomBytes(200);
  for (const [start, end, dstOffset] of [
    [0, 0, 0],
    [3, 150, 7],
    [1, 200, 0],
    [64, 128, 64],
    [5, 6, 99],
  ]) {
    const dst = Buffer.alloc(300, 0x5a);
    maskInto(src, start, end, dst, dstOffset, 0xdeadbeef, 0);
    const expected = naiveMask(src.subarray(start, end), 0xdeadbeef, 0);
    assert.deepEqual(dst.subarray(dstOffset, dstOffset + (end - start)), expected);
    assert.ok(dst.subarray(0, dstOffset).every((b) => b === 0x5a));
    assert.ok(dst.subarray(dstOffset + (end - start)).every((b) => b === 0x5a));
  }
});

test('masking twice restores the data; unmasking in pieces with a running keyOffset equals one pass', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 400 }),
      fc.constantFrom(...KEYS),
      fc.array(fc.nat({ max: 400 }), { maxLength: 6 }),
      (bytes, key, cuts) => {
        const buf = Buffer.from(bytes);
        const once = Buffer.from(buf);
        unmaskInPlace(once, 0, once.length, key, 0);
        assert.deepEqual(once, naiveMask(buf, key, 0));
        const twice = Buffer.from(once);
        unmaskInPlace(twice, 0, twice.length, key, 0);
        assert.deepEqual(twice, buf);
        // Resume mid-key, as the frame parser does when a payload is split across reads.
        const pieces = Buffer.from(buf);
        const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
        let from = 0;
        for (const at of [...points, buf.length]) {
          unmaskInPlace(pieces, from, at, key, from);
          from = at;
        }
        assert.deepEqual(pieces, once);
      },
    ),
    { numRuns: 300 },
  );
});

test('maskInto on views of a Node Buffer pool (arbitrary byteOffset)', () => {
  for (let i = 0; i < 50; i++) {
    const small = Buffer.from(randomBytes(40 + i)); // pooled, byteOffset varies
    const expected = naiveMask(small, 0x01020304, i & 3);
    const dst = Buffer.allocUnsafe(small.length);
    maskInto(small, 0, small.length, dst, 0, 0x01020304, i & 3);
    assert.deepEqual(dst, expected);
  }
});

test('unmasking many ranges of one buffer, and views of one ArrayBuffer at other offsets in turn, matches the reference', () => {
  // The word loop keeps a view of the last buffer it saw; switching buffers must not reuse it.
  const ab = new ArrayBuffer(8192 + 16);
  const data = randomBytes(ab.byteLength);
  const views = [0, 1, 2, 3, 5, 6].map((offset) => new Uint8Array(ab, offset, 8192));
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat({ max: views.length - 1 }), fc.nat({ max: 8191 }), fc.nat({ max: 1500 }), fc.nat({ max: 3 })), { minLength: 1, maxLength: 40 }),
      fc.constantFrom(...KEYS),
      (steps, key) => {
        new Uint8Array(ab).set(data);
        const expected = Buffer.from(data);
        for (const [v, from, length, keyOffset] of steps) {
          const view = views[v];
          const start = Math.min(from, view.length);
          const end = Math.min(view.length, start + length);
          unmaskInPlace(view, start, end, key, keyOffset);
          const at = view.byteOffset + start;
          naiveMask(expected.subarray(at, at + (end - start)), key, keyOffset).copy(expected, at);
        }
        assert.ok(Buffer.from(ab).equals(expected));
      },
    ),
    { numRuns: 200 },
  );
});

test('a view of a resizable ArrayBuffer is unmasked whole after the buffer grows', () => {
  const ab = new ArrayBuffer(256, { maxByteLength: 4096 });
  const view = new Uint8Array(ab); // tracks the buffer's length
  view.fill(0);
  unmaskInPlace(view, 0, 256, 0x01020304, 0);
  ab.resize(4096);
  const before = Buffer.from(view);
  unmaskInPlace(view, 0, 2000, 0x01020304, 0);
  const expected = Buffer.concat([naiveMask(before.subarray(0, 2000), 0x01020304, 0), before.subarray(2000)]);
  assert.ok(Buffer.from(view).equals(expected));
});
