// Runs micro-benchmark cases with tinybench. A case's function performs `reps` operations
// per call, so that one timed sample is long enough for the timer (a 16-byte mask takes
// nanoseconds); results are reported per operation.

import { Bench } from 'tinybench';

/**
 * @typedef {{ group: string, case: string, impl: string, fn?: () => unknown, reps?: number,
 *   bytes?: number, note?: string, skipped?: boolean }} MicroCase
 */

/** Repetitions that make one sample cover about `targetBytes` of payload. */
export function repsFor(bytes, targetBytes = 256 * 1024) {
  return Math.max(1, Math.min(4096, Math.round(targetBytes / Math.max(1, bytes))));
}

/** @param {MicroCase[]} cases */
export async function runCases(cases, timeMs) {
  const rows = [];
  for (const c of cases) {
    if (c.skipped || !c.fn) {
      rows.push({ group: c.group, case: c.case, impl: c.impl, skipped: true, note: c.note ?? 'not available' });
      continue;
    }
    const bench = new Bench({ time: timeMs, warmupTime: Math.max(5, timeMs / 4), iterations: 8 });
    bench.add(c.impl, c.fn);
    await bench.run();
    const task = bench.tasks[0];
    const result = task.result;
    if (!result || !('latency' in result)) {
      rows.push({ group: c.group, case: c.case, impl: c.impl, skipped: true, note: `failed: ${result?.error?.message ?? result?.state}` });
      continue;
    }
    const reps = c.reps ?? 1;
    const msPerCall = result.latency.mean;
    const nsPerOp = (msPerCall * 1e6) / reps;
    rows.push({
      group: c.group,
      case: c.case,
      impl: c.impl,
      nsPerOp,
      opsPerSec: 1e9 / nsPerOp,
      megabytesPerSec: c.bytes ? (c.bytes * 1e3) / nsPerOp : NaN,
      samples: result.latency.samplesCount ?? null,
      rme: result.latency.rme,
      note: c.note ?? '',
    });
  }
  return rows;
}
