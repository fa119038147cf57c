// CPU pinning with taskset: the server gets one core, the load generator another, so they
// do not steal each other's time slices. Without taskset (or with one core) nothing is pinned.

import { spawnSync } from 'node:child_process';
import os from 'node:os';

let cached;

/** @returns {{ enabled: boolean, serverCpu: number, loadCpu: number, reason: string }} */
export function pinningPlan() {
  if (cached) return cached;
  const cpus = os.availableParallelism?.() ?? os.cpus().length;
  const probe = spawnSync('taskset', ['-c', '0', 'true'], { timeout: 5000 });
  if (process.env.WSX_BENCH_NO_PIN) {
    cached = { enabled: false, serverCpu: -1, loadCpu: -1, reason: 'not pinned (--no-pin)' };
  } else if (probe.error || probe.status !== 0) {
    cached = { enabled: false, serverCpu: -1, loadCpu: -1, reason: 'taskset not available' };
  } else if (cpus < 2) {
    cached = { enabled: false, serverCpu: -1, loadCpu: -1, reason: 'only one CPU' };
  } else {
    cached = { enabled: true, serverCpu: 0, loadCpu: 1, reason: 'server on CPU 0, load generator on CPU 1 (taskset)' };
  }
  return cached;
}

/** Command and arguments that run `command args` on one CPU when pinning is enabled. */
export function pinned(cpu, command, args) {
  const plan = pinningPlan();
  if (!plan.enabled || cpu < 0) return { command, args };
  return { command: 'taskset', args: ['-c', String(cpu), command, ...args] };
}
