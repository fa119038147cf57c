// HTTP/2 servers and raw HTTP/2 peers for the RFC 8441 tests: a wsx server
// attached to an http2 server (TLS or h2c) on 127.0.0.1, and a node:http2
// client that opens extended CONNECT streams by hand and reads the bytes the
// server sends on them.
import http2 from 'node:http2';
import { once } from 'node:events';

// A self-signed test certificate for 127.0.0.1 and localhost (EC P-256, valid
// until 2126), the same one tests/integration/client-handshake.test.js embeds.
export const TEST_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg/fhpw7LlzlaWp/qx
BRH+CNdlPHpKJCVZdA+59b1FlQChRANCAARFzYX813nybkZCexZ/QADY9E/57bjz
ny6o3aIA1DhgNlL/LY9OCZ2QONyhmqqjTuyWP8DN6ASGhjr9ZdB3gUeu
-----END PRIVATE KEY-----
`;
export const TEST_CERT = `-----BEGIN CERTIFICATE-----
MIIBmTCCAT+gAwIBAgIUcD939kN6aQqb5dBg0qzyK35goxcwCgYIKoZIzj0EAwIw
EzERMA8GA1UEAwwId3N4IHRlc3QwIBcNMjYxMTI1MDkzMzUxWhgPMjEyNjExMDEw
OTMzNTFaMBMxETAPBgNVBAMMCHdzeCB0ZXN0MFkwEwYHKoZIzj0CAQYIKoZIzj0D
AQcDQgAERc2F/Nd58m5GQnsWf0AA2PRP+e24858uqN2iANQ4YDZS/y2PTgmdkDjc
oZqqo07slj/AzegEhoY6/WXQd4FHrqNvMG0wHQYDVR0OBBYEFOoplVFY82vM4Gp0
Y92ZHXSiBI8bMB8GA1UdIwQYMBaAFOoplVFY82vM4Gp0Y92ZHXSiBI8bMA8GA1Ud
EwEB/wQFMAMBAf8wGgYDVR0RBBMwEYcEfwAAAYIJbG9jYWxob3N0MAoGCCqGSM49
BAMCA0gAMEUCIQDi6PoA7nvuaIr2uy0GHUtbIrsW3Q/jIRd/ULCdGv3D9gIgWC2S
Iq10M7/bbiK2RviD47uaREyN3MKvWGs66U42vMU=
-----END CERTIFICATE-----
`;

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
