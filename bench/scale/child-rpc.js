// Request/answer over the IPC channel of a forked child, so the orchestrator
// can drive a server process and a peer process step by step. Every child is
// tracked (bench/lib/child-registry.js) and killed when the orchestrator
// exits; a child also exits by itself when the channel closes.

import { fork } from 'node:child_process';
import { track } from '../lib/child-registry.js';

/** In a child: answers { id, cmd, args } with { id, result } or { id, error }. */
export function serveRequests(handlers) {
  process.on('message', async (message) => {
    const { id, cmd, args } = message;
    try {
      const handler = handlers[cmd];
      if (handler === undefined) throw new Error(`unknown command ${cmd}`);
      process.send({ id, result: await handler(args) });
    } catch (error) {
      process.send({ id, error: String(error?.stack ?? error) });
    }
  });
  // The orchestrator is gone (or done): nothing left to measure for.
  process.on('disconnect', () => process.exit(0));
}

/** Forks `script` with `execArgv`; its stderr (progress) goes to ours. */
export function startChild(script, execArgv = []) {
  const child = track(fork(script, [], { execArgv, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }));
  const waiting = new Map();
  let nextId = 1;
  let exited = null;
  child.on('message', ({ id, result, error }) => {
    const w = waiting.get(id);
    if (w === undefined) return;
    waiting.delete(id);
    clearTimeout(w.timer);
    if (error !== undefined) w.reject(new Error(`${w.cmd} failed in ${script}:\n${error}`));
    else w.resolve(result);
  });
  child.on('exit', (code, signal) => {
    exited = `exited (${signal ?? code})`;
    for (const w of waiting.values()) {
      clearTimeout(w.timer);
      w.reject(new Error(`${script} ${exited} during ${w.cmd}`));
    }
    waiting.clear();
  });
  return {
    child,
    request(cmd, args = {}, timeoutMs = 60_000) {
      if (exited !== null) return Promise.reject(new Error(`${script} ${exited}`));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(id);
          reject(new Error(`${cmd} in ${script} did not answer within ${timeoutMs} ms`));
        }, timeoutMs);
        waiting.set(id, { cmd, resolve, reject, timer });
        child.send({ id, cmd, args });
      });
    },
    stop() {
      if (exited === null) child.kill('SIGKILL');
      return exited === null ? new Promise((r) => child.once('exit', r)) : Promise.resolve();
    },
  };
}
