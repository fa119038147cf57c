// The optional native XOR (bufferutil's unmask, as ws uses it): the core
// hands payloads of 256 bytes and more to it with the key rotated for the
// offset, and the result must equal the JavaScript loop's byte for byte.
// Part 1 uses a recording stand-in; part 2 the real bufferutil (a dev
// dependency); part 3 the opt-out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { maskInto, unmaskInPlace, useNativeUnmask } from '../../dist/protocol/mask.js';
import { loadNativeUnmask } from '../../dist/transport/native-unmask.js';

/** RFC 6455 5.3 byte by byte. */
function naiveMask(src, key, keyOffset) {
  const k = [key >>> 24, (key >>> 16) & 0xff, (key >>> 8) & 0xff, key & 0xff];
  const out = Buffer.alloc(src.length);
  for (let i = 0; i < src.length; i++) out[i] = src[i] ^ k[(i + keyOffset) & 3];
  return out;
}

const cases = fc.record({
  data: fc.uint8Array({ minLength: 0, maxLength: 1500, size: 'max' }),
  before: fc.nat({ max: 9 }),
  key: fc.integer({ min: 0, max: 0xffffffff }),
  keyOffset: fc.nat({ max: 7 }),
});

/** Unmasks `data` placed `before` bytes into a buffer; checks the range and that nothing around it moved. */
function checkUnmask({ data, before, key, keyOffset }) {
  const buf = Buffer.alloc(before + data.length + 5, 0xa5);
  buf.set(data, before);
  unmaskInPlace(buf, before, before + data.length, key, keyOffset);
  assert.deepEqual(buf.subarray(before, before + data.length), naiveMask(data, key, keyOffset));
  assert.ok(buf.subarray(0, before).every((b) => b === 0xa5) && buf.subarray(before + data.length).every((b) => b === 0xa5));
}

test('a native XOR gets exactly the ranges of 256 bytes and more, with the key rotated for the offset', () => {
  const calls = [];
  useNativeUnmask((buffer, mask) => {
    calls.push(buffer.length);
    for (let i = 0; i < buffer.length; i++) buffer[i] ^= mask[i & 3];
  });
  try {
    fc.assert(fc.property(cases, (c) => checkUnmask(c)), { numRuns: 400 });
    assert.ok(calls.length > 0 && calls.every((n) => n >= 256), 'only long ranges go native');
    calls.length = 0;
    unmaskInPlace(Buffer.alloc(255), 0, 255, 1, 0);
    assert.deepEqual(calls, []);
    unmaskInPlace(Buffer.alloc(256), 0, 256, 1, 0);
    assert.deepEqual(calls, [256]);
    // maskInto (the client's outgoing frames) goes through the same path.
    const src = Buffer.from(Array.from({ length: 1000 }, (_, i) => i & 0xff));
    const dst = Buffer.alloc(1003);
    maskInto(src, 0, 1000, dst, 3, 0x37fa213d, 1);
    assert.deepEqual(dst.subarray(3), naiveMask(src, 0x37fa213d, 1));
  } finally {
    useNativeUnmask(null);
  }
});

test('with bufferutil installed (a dev dependency), its native unmask is used and agrees with the JavaScript loop', (t) => {
  if (!loadNativeUnmask()) {
    t.skip('bufferutil or its prebuilt binary is not available here (npm ci installs it as a dev dependency)');
    return;
  }
  fc.assert(fc.property(cases, (c) => checkUnmask(c)), { numRuns: 400 });
  const mib = Buffer.from(Array.from({ length: 1 << 20 }, (_, i) => (i * 31) & 0xff));
  const copy = Buffer.from(mib);
  unmaskInPlace(mib, 2, mib.length - 1, 0xdeadbeef, 3);
  assert.deepEqual(mib.subarray(2, mib.length - 1), naiveMask(copy.subarray(2, copy.length - 1), 0xdeadbeef, 3));
});

test('WSX_NO_BUFFERUTIL=1 keeps the JavaScript loop', () => {
  const moduleUrl = new URL('../../dist/transport/native-unmask.js', import.meta.url).href;
  const script = `import(${JSON.stringify(moduleUrl)}).then((m) => console.log(m.loadNativeUnmask()))`;
  const run = (env) => spawnSync(process.execPath, ['-e', script], { env: { ...process.env, ...env }, encoding: 'utf8' }).stdout.trim();
  assert.equal(run({ WSX_NO_BUFFERUTIL: '1' }), 'false');
  assert.equal(run({ WSX_NO_BUFFERUTIL: '' }), String(loadNativeUnmask()));
});
