// The measured window of a job. Everything is sampled here, synchronously, at the two
// instants the load itself chose: its own CPU, the server's CPU (from /proc, so a busy
// server cannot answer late) and the whole machine's (to show other people's work).

import os from 'node:os';
import { machineBusyPercent, processCpuMicros, sampleMachineCpu } from '../lib/cpu-sampler.js';

function ownCpuMicros() {
  const u = process.cpuUsage();
  return u.user + u.system;
}

export function openWindow(serverPid) {
  return { timeMs: performance.now(), cpu: ownCpuMicros(), server: processCpuMicros(serverPid), machine: sampleMachineCpu() };
}

/** @returns {{ seconds: number, loadCpuPercent: number, serverCpuPercent: number, otherCpuPercent: number }} */
export function closeWindow(start, serverPid) {
  const end = openWindow(serverPid);
  const wallMicros = (end.timeMs - start.timeMs) * 1000;
  const loadCpuPercent = (100 * (end.cpu - start.cpu)) / wallMicros;
  const serverCpuPercent = start.server === null || end.server === null ? NaN : (100 * (end.server - start.server)) / wallMicros;
  const busy = machineBusyPercent(start.machine, end.machine, os.cpus().length);
  const otherCpuPercent = Math.max(0, busy - loadCpuPercent - (Number.isFinite(serverCpuPercent) ? serverCpuPercent : 0));
  return { seconds: wallMicros / 1e6, loadCpuPercent, serverCpuPercent, otherCpuPercent };
}
