// The implementation under test, reached only through its public
// ws-compatible API: an echo server (for the raw client) and an echo client
// (for the raw server), both recording what the application saw.

import { once } from 'node:events';

/** @param {'wsx'|'ws'} name */
export async function loadTarget(name) {
  const mod = name === 'ws' ? await import('ws') : await import('../../dist/index.js');
  const WebSocketServer = mod.WebSocketServer ?? mod.default?.WebSocketServer ?? mod.default?.Server;
  const WebSocket = mod.WebSocket ?? mod.default;
  if (typeof WebSocketServer !== 'function' && typeof WebSocket !== 'function') {
    throw new Error(`target ${name} exports neither WebSocketServer nor WebSocket`);
  }
  const version = name === 'ws' ? await packageVersion('ws/package.json') : await packageVersion('../../package.json');
  return { name, version, WebSocketServer, WebSocket };
}

async function packageVersion(specifier) {
  try {
    const { createRequire } = await import('node:module');
    return createRequire(import.meta.url)(specifier).version ?? '';
  } catch {
    return '';
  }
}

function errorCode(err) {
  return err?.code ?? err?.message ?? String(err);
}

/** What the application saw of one connection. */
function newObservation() {
  return { opened: false, messages: 0, closeCode: null, closeReason: null, errors: [] };
}

/**
 * Start an echo server. Each connection's observation is filed under the
 * request path, which the raw client sets to the case id.
 */
export async function startEchoServer(target, options = {}) {
  if (typeof target.WebSocketServer !== 'function') throw new Error(`${target.name} does not export WebSocketServer`);
  const observations = new Map();
  const handshakeErrors = [];
  const wss = new target.WebSocketServer({ ...options, port: 0, host: '127.0.0.1' });
  wss.on('error', (err) => handshakeErrors.push(errorCode(err)));
  // No 'wsClientError' listener: in ws it would replace the library's own
  // handshake rejection, which is exactly what the handshake cases observe.
  wss.on('connection', (ws, req) => {
    const obs = newObservation();
    obs.opened = true;
    obs.protocol = ws.protocol;
    observations.set(req.url, obs);
    ws.on('message', (data, isBinary) => {
      obs.messages++;
      if (ws.readyState === 1) ws.send(data, { binary: isBinary });
    });
    ws.on('error', (err) => obs.errors.push(errorCode(err)));
    ws.on('close', (code, reason) => {
      obs.closeCode = code;
      obs.closeReason = reason?.toString();
    });
  });
  if (!wss.address()) await once(wss, 'listening');
  return {
    port: wss.address().port,
    observations,
    handshakeErrors,
    async close() {
      for (const c of wss.clients ?? []) c.terminate();
      await new Promise((resolve) => wss.close(() => resolve()));
    },
  };
}

/**
 * Start an echo client against `url`. Resolves `done` when the client emits
 * 'close' (or after an error without close).
 */
export function startEchoClient(target, url, protocols, options = {}) {
  const obs = newObservation();
  let ws;
  if (typeof target.WebSocket !== 'function') throw new Error(`${target.name} does not export WebSocket`);
  try {
    ws = protocols === undefined ? new target.WebSocket(url, options) : new target.WebSocket(url, protocols, options);
  } catch (err) {
    obs.errors.push(errorCode(err));
    return { ws: null, obs, done: Promise.resolve(), terminate() {} };
  }
  let resolveDone;
  const done = new Promise((resolve) => (resolveDone = resolve));
  ws.on('open', () => {
    obs.opened = true;
    obs.protocol = ws.protocol;
  });
  ws.on('message', (data, isBinary) => {
    obs.messages++;
    if (ws.readyState === 1) ws.send(data, { binary: isBinary });
  });
  ws.on('error', (err) => obs.errors.push(errorCode(err)));
  ws.on('close', (code, reason) => {
    obs.closeCode = code;
    obs.closeReason = reason?.toString();
    resolveDone();
  });
  return {
    ws,
    obs,
    done,
    terminate() {
      if (ws.readyState !== 3) ws.terminate();
    },
  };
}
