// The raw peer as a client: a net.Socket that writes a hand-made upgrade
// request and then speaks hand-assembled frames to the target server.

import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { acceptFor, headerTokens, headerValues, newKey, readHead, statusOf } from './http-head.js';
import { PeerSession } from './peer-session.js';
import { writeChopped } from './chopped-writer.js';

export function connect(port, timeoutMs = 2000) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('connect timed out'));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/**
 * A request head as lines. `headers` is a list of [name, value] pairs written
 * in order (so duplicates and odd casing are possible).
 */
export function requestHead({ method = 'GET', path = '/', version = 'HTTP/1.1', headers }) {
  return `${method} ${path} ${version}\r\n${headers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`;
}

/** The headers of a correct upgrade request; `key` given so tests can check the accept value. */
export function standardHeaders(port, key) {
  return [
    ['Host', `127.0.0.1:${port}`],
    ['Upgrade', 'websocket'],
    ['Connection', 'Upgrade'],
    ['Sec-WebSocket-Key', key],
    ['Sec-WebSocket-Version', '13'],
  ];
}

/**
 * Send arbitrary request bytes and read the response head.
 * @param {number} port
 * @param {Buffer|string} request
 * @param {{ chop?: any, delayMs?: number, timeoutMs?: number, maxBytes?: number, trailing?: Buffer }} [opts]
 */
export async function exchange(port, request, opts = {}) {
  const t0 = performance.now();
  const socket = await connect(port);
  socket.on('error', () => {});
  socket.setNoDelay(true);
  const bytes = typeof request === 'string' ? Buffer.from(request, 'latin1') : request;
  const reading = readHead(socket, { timeoutMs: opts.timeoutMs ?? 2000, maxBytes: opts.maxBytes, t0 });
  await writeChopped(socket, opts.trailing ? Buffer.concat([bytes, opts.trailing]) : bytes, opts);
  const r = await reading;
  return { ...r, status: statusOf(r.head), socket, t0 };
}

/** Check a 101 response against the request key (RFC 6455 4.2.2 / 4.1). Returns problems found. */
export function upgradeProblems(head, key) {
  const problems = [];
  if (statusOf(head) !== 101) problems.push(`status ${statusOf(head)}, expected 101`);
  const accept = headerValues(head.headers, 'sec-websocket-accept');
  if (accept.length !== 1 || accept[0] !== acceptFor(key)) problems.push(`Sec-WebSocket-Accept ${JSON.stringify(accept)}, expected ${acceptFor(key)}`);
  if (!headerTokens(head.headers, 'upgrade').includes('websocket')) problems.push('no "Upgrade: websocket"');
  if (!headerTokens(head.headers, 'connection').includes('upgrade')) problems.push('no "Connection: Upgrade"');
  return problems;
}

/**
 * Open a WebSocket connection with a correct handshake and return a session.
 * Throws when the target does not upgrade.
 */
export async function openSession(port, path, { extraHeaders = [] } = {}) {
  const key = newKey();
  const r = await exchange(port, requestHead({ path, headers: [...standardHeaders(port, key), ...extraHeaders] }));
  if (!r.head || r.status !== 101) {
    r.socket.destroy();
    throw new Error(`handshake failed: ${r.head ? r.head.startLine : r.timedOut ? 'timed out' : 'connection closed'}`);
  }
  const problems = upgradeProblems(r.head, key);
  const session = new PeerSession(r.socket, { role: 'client', leftover: r.leftover });
  session.handshake = { head: r.head, problems };
  return session;
}
