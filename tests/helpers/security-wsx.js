// wsx-side scaffolding for the SECURITY-CASES tests: servers on 127.0.0.1,
// event waits with safety-net timeouts, and bookkeeping of uncaught
// exceptions (a hostile peer must never take the process down).

import { once } from 'node:events';
import { WebSocketServer } from '../../dist/index.js';
import { destroyRawSockets } from './security-raw-peer.js';

const servers = new Set();

/**
 * A WebSocketServer on 127.0.0.1 with a free port. `echo` (default true)
 * echoes every message back with its type; `connections` records each
 * server-side WebSocket with what happened to it.
 */
export async function startServer(options = {}, { echo = true } = {}) {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', ...options });
  const connections = [];
  wss.on('connection', (ws, req) => {
    const record = { ws, req, messages: [], errors: [], close: null };
    connections.push(record);
    ws.on('error', (error) => record.errors.push(error));
    ws.on('message', (data, isBinary) => {
      record.messages.push({ data: Buffer.from(data), isBinary });
      if (echo && ws.readyState === ws.OPEN) ws.send(data, { binary: isBinary });
    });
    ws.on('close', (code, reason) => {
      record.close = { code, reason: Buffer.from(reason).toString() };
    });
  });
  await once(wss, 'listening');
  servers.add(wss);
  return { wss, port: wss.address().port, connections };
}

/** Terminates what is left and closes every server started here (bounded). */
export async function stopServers() {
  destroyRawSockets();
  const closing = [];
  for (const wss of servers) {
    for (const ws of wss.clients) ws.terminate();
    closing.push(
      new Promise((resolve) => {
        const timer = setTimeout(resolve, 2000);
        wss.close(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
    );
  }
  servers.clear();
  await Promise.all(closing);
}

/** Resolves with the next `event`'s arguments; rejects after `ms`. */
export function nextEvent(emitter, event, ms = 3000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.removeListener(event, onEvent);
      reject(new Error(`timed out after ${ms} ms waiting for '${event}'`));
    }, ms);
    function onEvent(...args) {
      clearTimeout(timer);
      resolve(args);
    }
    emitter.once(event, onEvent);
  });
}

/** Polls `check()` every few ms until it returns something other than undefined; rejects after `ms`. */
export async function eventually(check, what, ms = 3000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Records uncaught exceptions and unhandled rejections from `start()` on.
 * node:test also reports them, but attributes them to whatever test is
 * running; this lets each test assert that *it* caused none.
 */
export function crashWatch() {
  const crashes = [];
  const onCrash = (error) => crashes.push(error);
  return {
    crashes,
    start() {
      process.on('uncaughtException', onCrash);
      process.on('unhandledRejection', onCrash);
    },
    stop() {
      process.removeListener('uncaughtException', onCrash);
      process.removeListener('unhandledRejection', onCrash);
    },
    /** Throws if anything escaped since the last call. */
    assertNone(what = 'this test') {
      if (crashes.length === 0) return;
      const list = crashes.splice(0).map((e) => (e && e.stack) || String(e));
      throw new Error(`uncaught exception(s) during ${what}:\n${list.join('\n')}`);
    },
  };
}

/** A turn of the event loop, so the peer in the same process reads what was written. */
export function tick() {
  return new Promise((resolve) => setImmediate(resolve));
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A wsx client's handshake outcome: 'open', or the error it failed with (its close must be 1006). */
export function clientOutcome(ws, ms = 3000) {
  return new Promise((resolve, reject) => {
    let error = null;
    const timer = setTimeout(() => reject(new Error(`no handshake outcome after ${ms} ms`)), ms);
    ws.on('error', (e) => (error ??= e));
    ws.once('open', () => {
      clearTimeout(timer);
      resolve('open');
    });
    ws.once('close', (code) => {
      clearTimeout(timer);
      if (code !== 1006) reject(new Error(`close ${code} instead of 1006 after a failed handshake`));
      else if (error === null) reject(new Error('close without an error event'));
      else resolve(error);
    });
  });
}
