// The machine a scale result came from, printed with it.

import os from 'node:os';
import { readFileSync } from 'node:fs';

export function openFilesLimit() {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const [soft, hard] = line.trim().split(/\s+/).slice(3, 5);
    return { soft: Number(soft), hard: Number(hard) };
  } catch {
    return { soft: NaN, hard: NaN };
  }
}

export function machineFacts() {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    cpu: `${cpus[0]?.model ?? 'unknown'} × ${cpus.length}`,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    openFiles: openFilesLimit(),
    loadavg: os.loadavg().map((x) => x.toFixed(2)).join(' '),
  };
}
