// Whole-machine CPU time from /proc/stat, so each run can say how much CPU *other* work
// took during its window (this machine is shared; a busy neighbour explains an outlier).

import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

/** @returns {{ busy: number, total: number } | null} jiffies summed over all CPUs */
export function sampleMachineCpu() {
  let text;
  try {
    text = readFileSync('/proc/stat', 'utf8');
  } catch {
    return null;
  }
  const line = text.slice(0, text.indexOf('\n'));
  const fields = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** Busy CPU between two samples, in percent of one core. */
export function machineBusyPercent(a, b, cpuCount) {
  if (!a || !b || b.total <= a.total) return NaN;
  return (100 * cpuCount * (b.busy - a.busy)) / (b.total - a.total);
}

/**
 * Between runs nothing of ours is running, so machine CPU use is other people's work.
 * Waits (at most maxWaitMs) for it to fall under `thresholdPercent` of one core; returns
 * how long it waited and the last level seen.
 */
export async function waitForQuiet(maxWaitMs, cpuCount, thresholdPercent = 30) {
  const started = Date.now();
  let level = NaN;
  do {
    const a = sampleMachineCpu();
    await new Promise((resolve) => setTimeout(resolve, 250));
    level = machineBusyPercent(a, sampleMachineCpu(), cpuCount);
    if (!(level >= thresholdPercent)) break;
  } while (Date.now() - started < maxWaitMs);
  return { waitedMs: Date.now() - started, otherPercent: level };
}

let ticksPerSecond = 0;

/**
 * CPU time of another process in microseconds, read from /proc/<pid>/stat (utime + stime),
 * or null off Linux. Sampled from outside, so a server whose event loop is busy cannot
 * skew its own window by answering late.
 */
export function processCpuMicros(pid) {
  let text;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  if (ticksPerSecond === 0) {
    const probe = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    ticksPerSecond = Number(probe.stdout) > 0 ? Number(probe.stdout) : 100;
  }
  // Fields after the command name, which is in parentheses and may contain spaces.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  return ((utime + stime) * 1e6) / ticksPerSecond;
}
