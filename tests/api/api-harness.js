// Shared setup for the tests of the public API (tests/api/*.test.js): servers
// on 127.0.0.1:0 for wsx and ws, connected pairs, a hand-made server that
// completes the handshake and then sends whatever bytes a test gives it, and
// event waiting with safety-net timeouts. Everything opened is tracked and torn
// down by closeAll().
import { createHash } from 'node:crypto';
import net from 'node:net';
import * as wsx from '../../dist/index.js';
import * as ws from 'ws';

export const wsxLib = { name: 'wsx', WebSocket: wsx.WebSocket, WebSocketServer: wsx.WebSocketServer };
export const wsLib = { name: 'ws', WebSocket: ws.WebSocket, WebSocketServer: ws.WebSocketServer };

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const servers = new Set();
const sockets = new Set();
const rawSockets = new Set();

/** Resolves with the arguments of the next `event`; rejects after `ms` (a safety net only). */
export function nextEvent(emitter, event, ms = 5000) {
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

/** Resolves with the next `count` emissions of `event`, each as its argument list. */
export function collectEvents(emitter, event, count, ms = 5000) {
  return new Promise((resolve, reject) => {
    const seen = [];
    const timer = setTimeout(() => {
      emitter.removeListener(event, onEvent);
      reject(new Error(`timed out after ${ms} ms with ${seen.length}/${count} '${event}' events`));
    }, ms);
    function onEvent(...args) {
      seen.push(args);
      if (seen.length < count) return;
      clearTimeout(timer);
      emitter.removeListener(event, onEvent);
      resolve(seen);
    }
    emitter.on(event, onEvent);
  });
}

/** Rejects after `ms` unless `promise` settles first. */
export function within(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function tick() {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Tracks a client or server-side socket so that closeAll() terminates it. */
export function track(socket) {
  sockets.add(socket);
  return socket;
}

/** Starts `lib`'s server on 127.0.0.1:0; server-side sockets are tracked. */
export async function startServer(lib = wsxLib, options = {}) {
  const server = new lib.WebSocketServer({ host: '127.0.0.1', port: 0, ...options });
  servers.add(server);
  server.on('connection', (socket) => track(socket));
  await nextEvent(server, 'listening');
  const url = `ws://127.0.0.1:${server.address().port}/`;
  return { server, url, port: server.address().port };
}

/**
 * Opens a client of `clientLib` to a server of `serverLib` and resolves once
 * both ends are open: { client, server, url }.
 */
export async function openPair({ serverLib = wsxLib, clientLib = wsxLib, serverOptions, clientOptions = {}, protocols } = {}) {
  const { server: wss, url } = await startServer(serverLib, serverOptions);
  const connection = nextEvent(wss, 'connection');
  const client = track(
    protocols === undefined ? new clientLib.WebSocket(url, clientOptions) : new clientLib.WebSocket(url, protocols, clientOptions),
  );
  const [[server]] = await within(Promise.all([connection, nextEvent(client, 'open')]), 5000, 'opening a pair');
  return { client, server, wss, url };
}

/** What `socket` will report as its close event: [code, reason as a string]. */
export async function closeOf(socket, ms = 5000) {
  const [code, reason] = await nextEvent(socket, 'close', ms);
  return [code, Buffer.from(reason).toString()];
}

/** The Sec-WebSocket-Accept value for `key` (RFC 6455 4.2.2), computed here, not by wsx. */
export function acceptFor(key) {
  return createHash('sha1').update(key + GUID).digest('base64');
}

/**
 * A hand-made server: reads the upgrade request, answers 101 and hands the
 * socket (and any bytes after the request) to `onOpen(socket, rest)`.
 */
export async function startRawServer(onOpen, { responseHeaders = [] } = {}) {
  const server = net.createServer((socket) => {
    rawSockets.add(socket);
    socket.on('error', () => {});
    socket.once('close', () => rawSockets.delete(socket));
    let head = Buffer.alloc(0);
    const onData = (chunk) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) return;
      socket.off('data', onData);
      const text = head.subarray(0, end).toString('latin1');
      const keyLine = text.split('\r\n').find((line) => line.toLowerCase().startsWith('sec-websocket-key:'));
      const key = keyLine.slice(keyLine.indexOf(':') + 1).trim();
      socket.write(
        'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
          `Sec-WebSocket-Accept: ${acceptFor(key)}\r\n` +
          responseHeaders.map((line) => `${line}\r\n`).join('') +
          '\r\n',
      );
      onOpen(socket, head.subarray(end + 4));
    };
    socket.on('data', onData);
  });
  servers.add(server);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `ws://127.0.0.1:${server.address().port}/` };
}

/**
 * Records the frames arriving on a raw socket (unmasked, as
 * { fin, rsv, opcode, masked, payload }); `waitFor(n)` resolves once n are in.
 */
export function frameRecorder(socket, rest = Buffer.alloc(0)) {
  const recorder = { frames: [], pending: rest, waiters: [] };
  const parse = () => {
    for (;;) {
      const bytes = recorder.pending;
      if (bytes.length < 2) break;
      let length = bytes[1] & 0x7f;
      let p = 2;
      if (length === 126) {
        if (bytes.length < 4) break;
        length = bytes.readUInt16BE(2);
        p = 4;
      } else if (length === 127) {
        if (bytes.length < 10) break;
        length = Number(bytes.readBigUInt64BE(2));
        p = 10;
      }
      const masked = (bytes[1] & 0x80) !== 0;
      const keyEnd = p + (masked ? 4 : 0);
      if (bytes.length < keyEnd + length) break;
      const payload = Buffer.from(bytes.subarray(keyEnd, keyEnd + length));
      if (masked) for (let i = 0; i < payload.length; i++) payload[i] ^= bytes[p + (i & 3)];
      recorder.frames.push({ fin: (bytes[0] & 0x80) !== 0, rsv: (bytes[0] >> 4) & 7, opcode: bytes[0] & 0x0f, masked, payload });
      recorder.pending = bytes.subarray(keyEnd + length);
    }
    recorder.waiters = recorder.waiters.filter(({ n, resolve }) => {
      if (recorder.frames.length < n) return true;
      resolve(recorder.frames.slice(0, n));
      return false;
    });
  };
  socket.on('data', (chunk) => {
    recorder.pending = Buffer.concat([recorder.pending, chunk]);
    parse();
  });
  recorder.waitFor = (n, ms = 5000) =>
    within(new Promise((resolve) => {
      recorder.waiters.push({ n, resolve });
      parse();
    }), ms, `${n} frames (got ${recorder.frames.length})`);
  return recorder;
}

/** Terminates every tracked socket and closes every server started here. */
export async function closeAll() {
  for (const socket of sockets) {
    socket.on('error', () => {});
    socket.terminate();
  }
  sockets.clear();
  for (const socket of rawSockets) socket.destroy();
  rawSockets.clear();
  const closing = [...servers].map(
    (server) =>
      new Promise((resolve) => {
        const timer = setTimeout(resolve, 3000);
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
  );
  servers.clear();
  await Promise.all(closing);
}
