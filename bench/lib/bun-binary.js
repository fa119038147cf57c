// Finds a working bun binary: BUN_BIN, then the platform package that the `bun` npm package
// pulls in as an optional dependency (its binary is usable without bun's postinstall), then
// the `bun` package's own bin after its postinstall ran, then PATH. Each candidate must
// answer `--version`.

import { existsSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

function candidates(repoRoot) {
  const list = [];
  if (process.env.BUN_BIN) list.push(process.env.BUN_BIN);
  const oven = path.join(repoRoot, 'node_modules', '@oven');
  if (existsSync(oven)) {
    for (const name of readdirSync(oven).sort()) {
      if (name.startsWith('bun-linux-x64')) list.push(path.join(oven, name, 'bin', 'bun'));
    }
  }
  list.push(path.join(repoRoot, 'node_modules', 'bun', 'bin', 'bun.exe'));
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir) list.push(path.join(dir, 'bun'));
  }
  return list;
}

/** @returns {{ path: string, version: string } | { path: null, reason: string }} */
export function findBun(repoRoot) {
  for (const file of candidates(repoRoot)) {
    if (!existsSync(file)) continue;
    const probe = spawnSync(file, ['--version'], { encoding: 'utf8', timeout: 10_000 });
    if (probe.status === 0 && /^\d+\.\d+/.test(probe.stdout.trim())) return { path: file, version: probe.stdout.trim() };
  }
  return {
    path: null,
    reason: 'no bun binary (set BUN_BIN, or `npm install --no-save @oven/bun-linux-x64` gives node_modules/@oven/bun-linux-x64/bin/bun)',
  };
}
