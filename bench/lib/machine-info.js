// Facts about the machine a result came from, printed with every report.

import os from 'node:os';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pinningPlan } from './pinning.js';

export function machineInfo(repoRoot, targets) {
  const require = createRequire(path.join(repoRoot, 'package.json'));
  let wsVersion = 'unknown';
  try {
    wsVersion = JSON.parse(readFileSync(require.resolve('ws/package.json'), 'utf8')).version;
  } catch {
    // keep unknown
  }
  const cpus = os.cpus();
  const bun = targets.find((t) => t.name === 'bun');
  return {
    date: new Date().toISOString(),
    cpu: `${cpus[0]?.model ?? 'unknown'} × ${cpus.length}`,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    ws: wsVersion,
    bun: bun && !bun.skip ? bun.version : 'not available',
    pinning: pinningPlan().reason,
    loadavg: os.loadavg().map((x) => x.toFixed(2)).join(' '),
  };
}

export function renderMachine(info) {
  return [
    `- date: ${info.date}`,
    `- CPU: ${info.cpu}; memory ${info.memoryGiB} GiB; ${info.os}`,
    `- Node ${info.node}; ws ${info.ws}; Bun ${info.bun}`,
    `- pinning: ${info.pinning}`,
    `- load average at start: ${info.loadavg} (other work on this machine shifts absolute numbers; ratios are computed within each run)`,
  ].join('\n');
}
