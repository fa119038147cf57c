import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomMaskKey } from '../../dist/protocol/mask-key.js';

test('randomMaskKey returns uint32 keys that vary, across pool refills', () => {
  const seen = new Set();
  const n = 5000; // more than two pools of 2048
  let highBitSet = 0;
  for (let i = 0; i < n; i++) {
    const key = randomMaskKey();
    assert.ok(Number.isInteger(key) && key >= 0 && key <= 0xffffffff, `key ${key}`);
    if (key >= 0x80000000) highBitSet++;
    seen.add(key);
  }
  // 5000 draws from 2^32 values: a collision is possible but more than a handful means a broken source.
  assert.ok(seen.size > n - 5, `only ${seen.size} distinct keys`);
  // Every bit is used: about half the keys have the top bit set (bounds are > 10 sigma wide).
  assert.ok(highBitSet > 2000 && highBitSet < 3000, `top bit set in ${highBitSet} of ${n}`);
});
