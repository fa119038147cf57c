// Hostile peers for the SECURITY-CASES tests: plain net sockets that speak
// hand-assembled HTTP and WebSocket bytes (frames come from
// tests/conformance/raw-frames.js, written from the RFC and independent of
// wsx), so that they can send what no conforming peer would and record
// exactly what wsx puts on the wire.

import net from 'node:net';
import { once } from 'node:events';
import { FrameReader, OP, encodeFrame, closePayload } from '../conformance/raw-frames.js';
import { acceptFor, headerValues, newKey, parseHead, readHead, statusOf } from '../conformance/http-head.js';

export { OP, encodeFrame, closePayload, acceptFor, headerValues, newKey };

/** Every raw socket opened here, so a test file can destroy leftovers before closing its servers. */
const openSockets = new Set();

function track(socket) {
  openSockets.add(socket);
  socket.once('close', () => openSockets.delete(socket));
  return socket;
}

export function destroyRawSockets() {
  for (const socket of openSockets) socket.destroy();
  openSockets.clear();
}

/**
 * One end of an established connection. `masks` is true for a raw client
 * (its frames are masked, wsx's are not).
 */
export class RawPeer {
  constructor(socket, { masks, leftover }) {
    this.socket = socket;
    this.masks = masks;
    this.reader = new FrameReader();
    this.frames = [];
    this.ended = false;
    this.closed = false;
    this.error = null;
    this.waiters = new Set();
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('end', () => {
      this.ended = true;
      this.changed();
    });
    socket.on('close', () => {
      this.ended = true;
      this.closed = true;
      this.changed();
    });
    socket.on('error', (error) => {
      this.error ??= error;
    });
    if (leftover !== undefined && leftover.length !== 0) this.onData(leftover);
    socket.resume();
  }

  onData(chunk) {
    const frames = this.reader.push(chunk);
    for (const f of frames) this.frames.push(f);
    if (frames.length !== 0) this.changed();
  }

  changed() {
    for (const waiter of this.waiters) waiter();
  }

  /**
   * Resolves with what `check()` returns once that is not undefined; rejects
   * after `ms` (a safety net: no test depends on the timing).
   */
  until(check, what, ms = 3000) {
    const first = check();
    if (first !== undefined) return Promise.resolve(first);
    return new Promise((resolve, reject) => {
      const waiter = () => {
        const value = check();
        if (value === undefined) return;
        this.waiters.delete(waiter);
        clearTimeout(timer);
        resolve(value);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`timed out after ${ms} ms waiting for ${what} (frames: ${this.describeFrames()})`));
      }, ms);
      this.waiters.add(waiter);
    });
  }

  describeFrames() {
    return JSON.stringify(this.frames.map((f) => [f.opcode, f.payload.length]));
  }

  /** Encodes a frame, masked when this peer is a client (unless `spec.mask` says otherwise). */
  frame(spec) {
    return encodeFrame({ ...spec, mask: spec.mask === undefined ? this.masks : spec.mask });
  }

  /** Writes frame specs and/or raw buffers as one write. */
  send(...items) {
    const bytes = Buffer.concat(items.map((item) => (Buffer.isBuffer(item) ? item : this.frame(item))));
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  /** The peer's close frame as { code, reason } (code 1005 when it had no body), or undefined. */
  get closeFrame() {
    const f = this.frames.find((frame) => frame.opcode === OP.CLOSE);
    if (f === undefined) return undefined;
    return {
      code: f.payload.length >= 2 ? f.payload.readUInt16BE(0) : 1005,
      reason: f.payload.subarray(2),
      payload: f.payload,
      masked: f.masked,
    };
  }

  /** Resolves with the close frame, or null if TCP closed without one. */
  waitClose(ms = 3000) {
    return this.until(() => this.closeFrame ?? (this.closed ? null : undefined), 'a close frame', ms);
  }

  waitClosed(ms = 3000) {
    return this.until(() => (this.closed ? true : undefined), 'the socket to close', ms);
  }

  waitEnded(ms = 3000) {
    return this.until(() => (this.ended ? true : undefined), 'the end of the stream', ms);
  }

  /** Resolves with the first `n` frames of `opcode`. */
  waitFrames(opcode, n, ms = 3000) {
    return this.until(
      () => {
        const list = this.frames.filter((f) => f.opcode === opcode);
        return list.length >= n ? list.slice(0, n) : undefined;
      },
      `${n} frame(s) of opcode ${opcode}`,
      ms,
    );
  }

  framesOf(opcode) {
    return this.frames.filter((f) => f.opcode === opcode);
  }

  /** An abortive close: the kernel sends a TCP RST. */
  reset() {
    if (!this.socket.destroyed) this.socket.resetAndDestroy();
  }

  destroy() {
    this.socket.destroy();
  }
}

export async function connectTcp(port) {
  const socket = track(net.connect({ port, host: '127.0.0.1' }));
  socket.on('error', () => {});
  await once(socket, 'connect');
  socket.setNoDelay(true);
  return socket;
}

/** A request head from [name, value] pairs, written in order. */
export function requestHead(headers, { method = 'GET', path = '/', version = 'HTTP/1.1' } = {}) {
  return `${method} ${path} ${version}\r\n${headers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`;
}

/** The headers of a correct upgrade request, followed by `extra`. */
export function upgradeHeaders(port, key, extra = []) {
  return [
    ['Host', `127.0.0.1:${port}`],
    ['Upgrade', 'websocket'],
    ['Connection', 'Upgrade'],
    ['Sec-WebSocket-Key', key],
    ['Sec-WebSocket-Version', '13'],
    ...extra,
  ];
}

/**
 * Performs an opening handshake by hand. Resolves with the response status
 * and head; on 101 `peer` is a RawPeer on the upgraded socket (the raw
 * socket is left open otherwise, for the caller to inspect or destroy).
 */
export async function rawClient(port, { extra = [], path = '/', request, timeoutMs = 3000 } = {}) {
  const key = newKey();
  const socket = await connectTcp(port);
  const reading = readHead(socket, { timeoutMs });
  socket.write(request ?? requestHead(upgradeHeaders(port, key, extra), { path }));
  const result = await reading;
  const status = statusOf(result.head);
  let peer = null;
  if (status === 101) {
    const accept = headerValues(result.head.headers, 'sec-websocket-accept');
    if (accept.length !== 1 || accept[0] !== acceptFor(key)) {
      throw new Error(`bad Sec-WebSocket-Accept ${JSON.stringify(accept)}`);
    }
    peer = new RawPeer(socket, { masks: true, leftover: result.leftover });
  }
  return { status, head: result.head, socket, peer, key, timedOut: result.timedOut };
}

/** Opens a connection that must upgrade; returns its RawPeer. */
export async function openRaw(port, options) {
  const r = await rawClient(port, options);
  if (r.peer === null) {
    r.socket.destroy();
    throw new Error(`expected 101, got ${r.status ?? (r.timedOut ? 'a timeout' : 'nothing')}`);
  }
  return r.peer;
}

/**
 * Writes `request` (string or bytes) on a fresh connection and collects the
 * whole response until the server closes it (or `timeoutMs` passes).
 * Resolves with { status, head, body, closed }.
 */
export async function httpExchange(port, request, { timeoutMs = 3000 } = {}) {
  const socket = await connectTcp(port);
  const chunks = [];
  const done = new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
  socket.write(request);
  const closed = await done;
  socket.destroy();
  return parseResponse(Buffer.concat(chunks), closed);
}

export function parseResponse(bytes, closed) {
  const end = bytes.indexOf('\r\n\r\n');
  if (end === -1) return { status: null, head: null, body: '', closed, bytes };
  const head = parseHead(bytes.subarray(0, end).toString('latin1'));
  return { status: statusOf(head), head, body: bytes.subarray(end + 4).toString('utf8'), closed, bytes };
}

/** Lower-cased header names → joined values of a parsed head. */
export function headerMap(head) {
  const map = new Map();
  for (const [name, value] of head.headers) {
    const lower = name.toLowerCase();
    map.set(lower, map.has(lower) ? `${map.get(lower)}, ${value}` : value);
  }
  return map;
}

/**
 * A raw server for testing wsx's client: reads each request head and hands
 * it to `onRequest({ socket, head, headers, key, leftover, accept, respond })`.
 * `accept(extraLines)` writes a correct 101 (plus any extra header lines) and
 * returns a RawPeer (unmasked frames); `respond(text)` writes raw bytes.
 */
export async function startRawServer(onRequest) {
  const requests = [];
  const sockets = new Set();
  const server = net.createServer(async (socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.once('close', () => sockets.delete(socket));
    const result = await readHead(socket, { timeoutMs: 5000 });
    if (result.head === null) {
      socket.destroy();
      return;
    }
    const headers = headerMap(result.head);
    const key = headers.get('sec-websocket-key') ?? '';
    const request = { head: result.head, headers, startLine: result.head.startLine };
    requests.push(request);
    onRequest({
      socket,
      head: result.head,
      headers,
      key,
      leftover: result.leftover,
      accept(extraLines = []) {
        socket.write(acceptResponse(key, extraLines));
        return new RawPeer(socket, { masks: false, leftover: result.leftover });
      },
      respond(text) {
        socket.write(text);
      },
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: server.address().port,
    requests,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A correct 101 response for `key`, with extra raw header lines. */
export function acceptResponse(key, extraLines = []) {
  return (
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
    `Sec-WebSocket-Accept: ${acceptFor(key)}\r\n${extraLines.map((l) => `${l}\r\n`).join('')}\r\n`
  );
}
