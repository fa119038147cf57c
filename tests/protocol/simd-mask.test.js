// The WebAssembly SIMD unmask (src/protocol/simd-mask.ts): ranges of 8 KiB
// and more go through it unless bufferutil's native code is loaded.
// Each case runs with SIMD on and with it off (the word loop), against the
// RFC's byte-by-byte definition, including lengths past its 64 KiB window
// and bytes around the range that must not move.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { maskInto, unmaskInPlace, useSimdUnmask } from '../../dist/protocol/mask.js';

/** RFC 6455 5.3 byte by byte. */
function naiveMask(src, key, keyOffset) {
  const k = [key >>> 24, (key >>> 16) & 0xff, (key >>> 8) & 0xff, key & 0xff];
  const out = Buffer.alloc(src.length);
  for (let i = 0; i < src.length; i++) out[i] = src[i] ^ k[(i + keyOffset) & 3];
  return out;
}

/** Unmasks `length` bytes placed `before` bytes into a guarded buffer and checks all of it. */
function check(length, before, key, keyOffset, seed) {
  const data = Buffer.alloc(length);
  for (let i = 0; i < length; i++) data[i] = (i * 131 + seed) & 0xff;
  const buf = Buffer.alloc(before + length + 70, 0xa5);
  buf.set(data, before);
  unmaskInPlace(buf, before, before + length, key, keyOffset);
  assert.ok(buf.subarray(before, before + length).equals(naiveMask(data, key, keyOffset)), `length ${length} before ${before} keyOffset ${keyOffset}`);
  assert.ok(buf.subarray(0, before).every((b) => b === 0xa5), 'bytes before the range untouched');
  assert.ok(buf.subarray(before + length).every((b) => b === 0xa5), 'bytes after the range untouched');
}

const lengths = fc.oneof(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 60_000, max: 200_000 }));
const cases = fc.record({
  length: lengths,
  before: fc.nat({ max: 17 }),
  key: fc.integer({ min: 0, max: 0xffffffff }),
  keyOffset: fc.nat({ max: 7 }),
  seed: fc.nat({ max: 255 }),
});

for (const simd of [true, false]) {
  test(`unmaskInPlace with SIMD ${simd ? 'on' : 'off (word loop)'} equals the byte-by-byte definition`, () => {
    assert.equal(useSimdUnmask(simd), simd, 'Node 20 has WebAssembly SIMD');
    try {
      // The edges: the threshold, one 64-byte block, the 64 KiB window and its multiples.
      for (const length of [8191, 8192, 8193, 8255, 8256, 8257, 65535, 65536, 65537, 131072, 131075]) {
        for (let keyOffset = 0; keyOffset < 4; keyOffset++) check(length, 3, 0x37fa213d, keyOffset, length);
      }
      fc.assert(fc.property(cases, (c) => check(c.length, c.before, c.key, c.keyOffset, c.seed)), { numRuns: 150 });
    } finally {
      useSimdUnmask(true);
    }
  });
}

test('maskInto (a client masking its frames) goes through the SIMD loop and masks into the destination only', () => {
  const src = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7) & 0xff));
  const dst = Buffer.alloc(70_010, 0x5a);
  maskInto(src, 1, 70_000, dst, 5, 0xdeadbeef, 2);
  assert.ok(dst.subarray(5, 70_004).equals(naiveMask(src.subarray(1), 0xdeadbeef, 2)));
  assert.ok(dst.subarray(0, 5).every((b) => b === 0x5a) && dst.subarray(70_004).every((b) => b === 0x5a));
});

for (const simd of [true, false]) {
  test(`maskInto from one buffer into another with SIMD ${simd ? 'on' : 'off'}: the destination range only, the source unchanged`, () => {
    assert.equal(useSimdUnmask(simd), simd);
    try {
      fc.assert(
        fc.property(cases, fc.nat({ max: 17 }), (c, dstBefore) => {
          const src = Buffer.alloc(c.before + c.length + 9);
          for (let i = 0; i < src.length; i++) src[i] = (i * 29 + c.seed) & 0xff;
          const original = Buffer.from(src);
          const dst = Buffer.alloc(dstBefore + c.length + 70, 0xa5);
          maskInto(src, c.before, c.before + c.length, dst, dstBefore, c.key, c.keyOffset);
          const expected = naiveMask(original.subarray(c.before, c.before + c.length), c.key, c.keyOffset);
          assert.ok(dst.subarray(dstBefore, dstBefore + c.length).equals(expected), `length ${c.length}`);
          assert.ok(dst.subarray(0, dstBefore).every((b) => b === 0xa5), 'bytes before the range untouched');
          assert.ok(dst.subarray(dstBefore + c.length).every((b) => b === 0xa5), 'bytes after the range untouched');
          assert.ok(src.equals(original), 'the source is not modified');
        }),
        { numRuns: 100 },
      );
    } finally {
      useSimdUnmask(true);
    }
  });
}

test('without WebAssembly (node --jitless) the word loop takes over and the result is the same', () => {
  const moduleUrl = new URL('../../dist/protocol/mask.js', import.meta.url).href;
  const script = `
    const m = await import(${JSON.stringify(moduleUrl)});
    const buf = Buffer.alloc(5000, 0x33);
    m.unmaskInPlace(buf, 1, 4999, 0x01020304, 1);
    const key = [1, 2, 3, 4];
    let ok = buf[0] === 0x33 && buf[4999] === 0x33;
    for (let i = 1; i < 4999; i++) ok &&= buf[i] === (0x33 ^ key[i & 3]);
    console.log(JSON.stringify({ simd: m.useSimdUnmask(true), ok }));`;
  const run = spawnSync(process.execPath, ['--jitless', '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout.trim()), { simd: false, ok: true });
});
