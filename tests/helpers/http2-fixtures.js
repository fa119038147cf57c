// HTTP/2 servers and raw HTTP/2 peers for the RFC 8441 tests: a wsx server
// attached to an http2 server (TLS or h2c) on 127.0.0.1, and a node:http2
// client that opens extended CONNECT streams by hand and reads the bytes the
// server sends on them.
import http2 from 'node:http2';
import { once } from 'node:events';

// The self-signed certificate for 127.0.0.1 and localhost (EC P-256, valid
// until 2126) that the HTTP/2 example serves with: one copy for tests and example.
import { TEST_CERT, TEST_KEY } from '../../examples/http2/test-certificate.js';

export { TEST_CERT, TEST_KEY };

/** Client options that trust the test certificate. */
export const TRUST_TEST_CERT = Object.freeze({ ca: TEST_CERT });

/**
 * An http2 server on 127.0.0.1 with a wsx WebSocketServer attached.
 * `secure` picks TLS (h2) or cleartext (h2c); `serverOptions` go to the http2 server.
 */
export async function startHttp2Server(WebSocketServer, { secure = true, serverOptions = {}, wssOptions = {}, onRequest } = {}) {
  const server = secure
    ? http2.createSecureServer({ key: TEST_KEY, cert: TEST_CERT, ...serverOptions })
    : http2.createServer(serverOptions);
  if (onRequest) server.on('request', onRequest);
  const wss = new WebSocketServer({ server, ...wssOptions });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  const origin = `${secure ? 'https' : 'http'}://127.0.0.1:${port}`;
  const wsOrigin = `${secure ? 'wss' : 'ws'}://127.0.0.1:${port}`;
  const sessions = new Set();
  server.on('session', (session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });
  return {
    server,
    wss,
    port,
    origin,
    wsOrigin,
    /** Terminates what is left, closes the wss, every session and the server. */
    async close() {
      for (const ws of wss.clients) ws.terminate();
      await new Promise((resolve) => wss.close(() => resolve()));
      for (const session of sessions) session.destroy();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A raw client session that has received the server's SETTINGS. */
export async function rawSession(origin) {
  const session = http2.connect(origin, { ca: TEST_CERT });
  session.on('error', () => {});
  await once(session, 'remoteSettings');
  return session;
}

/** The default extended CONNECT header block for `path`. */
export function connectHeaders(path = '/', extra = {}) {
  return {
    ':method': 'CONNECT',
    ':protocol': 'websocket',
    ':path': path,
    'sec-websocket-version': '13',
    ...extra,
  };
}

/**
 * Opens a stream with `headers` and resolves with { stream, status, headers,
 * body() } once the response head arrives, or with { stream, reset } when the
 * stream closes first (RST_STREAM).
 */
export function openStream(session, headers) {
  const stream = session.request(headers, { endStream: false });
  stream.on('error', () => {});
  const chunks = [];
  stream.on('data', (chunk) => chunks.push(chunk));
  const ended = new Promise((resolve) => stream.once('close', resolve));
  const bytes = () => Buffer.concat(chunks);
  return new Promise((resolve) => {
    stream.once('response', (responseHeaders) =>
      resolve({
        stream,
        status: responseHeaders[':status'],
        headers: responseHeaders,
        bytes,
        /** Everything the server sent on the stream, once it closed. */
        async all() {
          await ended;
          return bytes();
        },
      }),
    );
    stream.once('close', () => resolve({ stream, reset: stream.rstCode, bytes }));
  });
}

/** Resolves after `emitter` emits `event` or rejects after `ms`. */
export function eventWithin(emitter, event, ms, what = event) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.removeListener(event, onEvent);
      reject(new Error(`no '${event}' within ${ms} ms: ${what}`));
    }, ms);
    function onEvent(...args) {
      clearTimeout(timer);
      resolve(args);
    }
    emitter.once(event, onEvent);
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
