// The constant-memory latency histogram of `wsx bench`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LatencyHistogram } from '../../dist/cli/latency-histogram.js';

function exactPercentile(sorted, percent) {
  const rank = Math.max(1, Math.ceil((percent / 100) * sorted.length));
  return sorted[rank - 1];
}

test('small values are exact; empty histogram reports zeros', () => {
  const h = new LatencyHistogram();
  assert.deepEqual([h.count, h.max, h.mean, h.percentile(50)], [0, 0, 0, 0]);
  for (let v = 1; v <= 100; v++) h.record(v);
  assert.equal(h.count, 100);
  assert.equal(h.percentile(50), 50);
  assert.equal(h.percentile(90), 90);
  assert.equal(h.percentile(99), 99);
  assert.equal(h.percentile(100), 100);
  assert.equal(h.max, 100);
  assert.equal(h.mean, 50.5);
});

test('fractions are dropped, negatives count as 0, huge values are clamped', () => {
  const h = new LatencyHistogram();
  h.record(3.9);
  h.record(-5);
  h.record(2 ** 40);
  assert.equal(h.percentile(1), 0);
  assert.equal(h.percentile(50), 3);
  assert.equal(h.max, 0xffffffff);
  assert.equal(h.percentile(100), 0xffffffff);
});

test('percentiles are within 1/64 above the exact value, never above the max, and ordered', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 2 ** 31 }), { minLength: 1, maxLength: 300 }), (values) => {
      const h = new LatencyHistogram();
      for (const v of values) h.record(v);
      const sorted = [...values].sort((a, b) => a - b);
      let previous = 0;
      for (const p of [1, 50, 90, 99, 100]) {
        const got = h.percentile(p);
        const exact = exactPercentile(sorted, p);
        assert.ok(got >= exact, `p${p}: ${got} < ${exact}`);
        assert.ok(got <= exact + exact / 64 + 1, `p${p}: ${got} too far above ${exact}`);
        assert.ok(got <= h.max);
        assert.ok(got >= previous);
        previous = got;
      }
      assert.equal(h.max, sorted.at(-1));
    }),
    { numRuns: 200 },
  );
});
