// A hand-made WebSocket client over a bare net.Socket, for the production
// tests: it completes the opening handshake and then does only what a test
// tells it to (never answer pings, stop reading, send a ping flood …).
// Frames are built with frame-builder.js, not with wsx.
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import { clientFrame, OP } from './frame-builder.js';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** The upgrade request for `path` on 127.0.0.1:`port`, with extra header lines. */
export function upgradeRequest(port, key, { path = '/', headers = [] } = {}) {
  const lines = [
    `GET ${path} HTTP/1.1`,
    `Host: 127.0.0.1:${port}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${key}`,
    'Sec-WebSocket-Version: 13',
    ...headers,
  ];
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** Connects to 127.0.0.1:`port`; resolves with the socket (error listener attached). */
export function connectTcp(port, options = {}) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', ...options });
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      socket.on('error', () => {});
      resolve(socket);
    });
  });
}

/**
 * Reads an HTTP response head from `socket`. Resolves with
 * { status, head, rest } where `rest` holds the bytes after the head.
 */
export function readResponseHead(socket, ms = 5000) {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const timer = setTimeout(() => finish(new Error(`no response head within ${ms} ms`)), ms);
    function onData(chunk) {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end === -1) return;
      const head = buffered.subarray(0, end).toString('latin1');
      const status = Number(head.slice(9, 12));
      finish(null, { status, head, rest: buffered.subarray(end + 4) });
    }
    function onEnd() {
      finish(new Error(`connection ended before a response head (${buffered.length} bytes: ${buffered.toString('latin1').slice(0, 80)})`));
    }
    function finish(error, value) {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
      if (error) reject(error);
      else resolve(value);
    }
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('close', onEnd);
  });
}

/**
 * Opens a WebSocket connection by hand. Resolves with a RawPeer once the 101
 * has been read and checked. `socketOptions` go to net.connect.
 */
export async function openRawPeer(port, { path, headers, socketOptions } = {}) {
  const socket = await connectTcp(port, socketOptions);
  const key = randomBytes(16).toString('base64');
  const reading = readResponseHead(socket);
  socket.write(upgradeRequest(port, key, { path, headers }));
  const { status, head, rest } = await reading;
  if (status !== 101) {
    socket.destroy();
    throw new Error(`expected 101, got: ${head.split('\r\n')[0]}`);
  }
  const accept = createHash('sha1').update(key + GUID).digest('base64');
  if (!head.includes(`Sec-WebSocket-Accept: ${accept}`) && !head.toLowerCase().includes(`sec-websocket-accept: ${accept.toLowerCase()}`)) {
    socket.destroy();
    throw new Error(`bad Sec-WebSocket-Accept in ${head}`);
  }
  return new RawPeer(socket, rest);
}

/** Incremental reader of server frames (unmasked), plus helpers to send client frames. */
export class RawPeer {
  constructor(socket, rest) {
    this.socket = socket;
    this.buffer = Buffer.alloc(0);
    this.frames = [];
    this.waiters = [];
    this.closed = false;
    this.bytesRead = rest.length;
    socket.on('data', (chunk) => {
      this.bytesRead += chunk.length;
      this.push(chunk);
    });
    socket.once('close', () => {
      this.closed = true;
      this.wake();
    });
    if (rest.length !== 0) this.push(rest);
  }

  push(chunk) {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const b = this.buffer;
      if (b.length < 2) break;
      let length = b[1] & 0x7f;
      let p = 2;
      if (length === 126) {
        if (b.length < 4) break;
        length = b.readUInt16BE(2);
        p = 4;
      } else if (length === 127) {
        if (b.length < 10) break;
        length = Number(b.readBigUInt64BE(2));
        p = 10;
      }
      if (b.length < p + length) break;
      this.frames.push({ fin: (b[0] & 0x80) !== 0, rsv: (b[0] >> 4) & 7, opcode: b[0] & 0x0f, payload: Buffer.from(b.subarray(p, p + length)) });
      this.buffer = b.subarray(p + length);
    }
    this.wake();
  }

  wake() {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Resolves with the first received frame matching `predicate` (removed from `frames`), or rejects after `ms`. */
  nextFrame(predicate = () => true, ms = 5000) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching frame within ${ms} ms (got opcodes ${this.frames.map((f) => f.opcode)})`)), ms);
      const check = () => {
        const i = this.frames.findIndex(predicate);
        if (i !== -1) {
          clearTimeout(timer);
          resolve(this.frames.splice(i, 1)[0]);
          return;
        }
        if (this.closed) {
          clearTimeout(timer);
          reject(new Error('the connection closed before a matching frame arrived'));
          return;
        }
        this.waiters.push(check);
      };
      check();
    });
  }

  /** Resolves once the TCP connection is closed (rejects after `ms`). */
  whenClosed(ms = 5000) {
    return new Promise((resolve, reject) => {
      if (this.closed) return resolve();
      const timer = setTimeout(() => reject(new Error(`socket still open after ${ms} ms`)), ms);
      this.socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  send(f) {
    this.socket.write(clientFrame(f));
  }

  text(s) {
    this.send({ opcode: OP.TEXT, payload: s });
  }

  ping(payload = '') {
    this.send({ opcode: OP.PING, payload });
  }

  pong(payload = '') {
    this.send({ opcode: OP.PONG, payload });
  }

  destroy() {
    this.socket.destroy();
  }
}

export { OP };
