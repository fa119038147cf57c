// Runs one job in a fresh load-generator process (bench/load/main.js) pinned to the load
// CPU. Marks from the load are answered after sampling the server, so CPU and RSS figures
// cover exactly the load's measurement window.

import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { track } from './child-registry.js';
import { pinned, pinningPlan } from './pinning.js';

const LOAD_MAIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'load', 'main.js');

function ignoreSendError() {}

/**
 * @param {object} job the job for load/main.js
 * @param {import('./server-process.js').ServerProcess} server
 * @param {number} timeoutMs hard limit for the whole job
 * @returns {Promise<{ result: object, marks: Record<string, object> }>}
 */
export function runLoad(job, server, timeoutMs) {
  const { command, args } = pinned(pinningPlan().loadCpu, process.execPath, [LOAD_MAIN]);
  const child = track(spawn(command, args, { stdio: ['ignore', 'inherit', 'pipe', 'ipc'] }));
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (c) => {
    stderr = (stderr + c).slice(-4000);
  });
  child.on('error', () => {}); // reported through 'exit'
  const marks = {};
  const pendingMarks = [];
  return new Promise((resolve, reject) => {
    let settled = false;
    let gotResult = false;
    const finish = (err, value) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (child.exitCode === null) child.kill('SIGKILL');
      if (err) reject(err);
      else resolve(value);
    };
    const timer = setTimeout(() => finish(new Error(`load generator: no result within ${timeoutMs} ms`)), timeoutMs);
    child.on('message', async (msg) => {
      if (msg.type === 'ready') {
        child.send({ type: 'job', job }, ignoreSendError);
      } else if (msg.type === 'mark') {
        const sampled = server.stats(msg.gc).then((stats) => {
          marks[msg.name] = stats;
        });
        pendingMarks.push(sampled);
        try {
          await sampled;
        } catch (err) {
          finish(err);
          return;
        }
        // The load may already have finished (it does not wait for every ack).
        if (child.connected) child.send({ type: 'ack', name: msg.name }, ignoreSendError);
      } else if (msg.type === 'result') {
        gotResult = true;
        Promise.all(pendingMarks).then(
          () => finish(null, { result: msg.result, marks }),
          (err) => finish(err),
        );
      } else if (msg.type === 'error') {
        finish(new Error(`load generator: ${msg.message}`));
      }
    });
    child.on('exit', (code) => {
      if (!settled && !gotResult) {
        const tail = stderr.trim().split('\n').slice(-6).join('\n');
        finish(server.exited ? server.crashError() : new Error(`load generator exited (${code})${tail ? `: ${tail}` : ''}`));
      }
    });
  });
}
