// Runs the micro-benchmarks (bench/micro/main.js) in their own pinned process and returns
// their rows. ws is loaded there with WS_NO_BUFFER_UTIL=1 so "ws" means its pure-JS path;
// bufferutil, when found, is measured as its own row.

import { spawn } from 'node:child_process';
import path from 'node:path';
import { track } from './child-registry.js';
import { pinned, pinningPlan } from './pinning.js';

export function runMicroSuite(repoRoot, { timeMs, bufferutilDir }) {
  const main = path.join(repoRoot, 'bench', 'micro', 'main.js');
  const { command, args } = pinned(pinningPlan().serverCpu, process.execPath, [main, '--json', '--time', String(timeMs)]);
  const env = { ...process.env, WS_NO_BUFFER_UTIL: '1', WSX_NO_BUFFERUTIL: '1' };
  if (bufferutilDir) env.BUFFERUTIL_DIR = bufferutilDir;
  const child = track(spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env }));
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (c) => (out += c));
  child.stderr.setEncoding('utf8').on('data', (c) => (err = (err + c).slice(-4000)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 600_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`micro-benchmarks exited with ${code}: ${err.trim().split('\n').slice(-6).join('\n')}`));
      try {
        resolve(JSON.parse(out));
      } catch (e) {
        reject(new Error(`micro-benchmarks printed no JSON: ${e.message}`));
      }
    });
  });
}
