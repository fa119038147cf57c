// A hand-driven permessage-deflate peer for the integration tests: it speaks
// the handshake and frames itself (frame-builder.js) and compresses and
// inflates with node:zlib directly, never with wsx code, so that wsx is
// checked against an independent implementation of RFC 7692.
//
// As a client it connects to a wsx server with a chosen offer; as a server it
// answers a wsx client with a chosen response. It records every frame wsx
// sends (RSV bits included) and assembles messages from them.

import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import zlib from 'node:zlib';
import { OP, closePayload, frame } from '../helpers/frame-builder.js';

export { OP, closePayload };

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);
const CLIENT_KEY = Buffer.from([0x0a, 0x1b, 0x2c, 0x3d]);

export function acceptFor(key) {
  return createHash('sha1').update(key + GUID).digest('base64');
}

/**
 * The parameters of one `permessage-deflate` element, read with a plain split:
 * good enough for the well-formed headers these tests produce and expect.
 * Returns null when the header has no permessage-deflate element.
 */
export function readDeflateParams(header) {
  if (header === undefined || header === '') return null;
  const [first] = header.split(',');
  const [name, ...params] = first.split(';').map((s) => s.trim());
  if (name !== 'permessage-deflate') return null;
  const agreed = { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 };
  for (const param of params) {
    const [key, value] = param.split('=').map((s) => s.trim());
    if (key === 'server_no_context_takeover') agreed.serverNoContextTakeover = true;
    else if (key === 'client_no_context_takeover') agreed.clientNoContextTakeover = true;
    else if (key === 'server_max_window_bits') agreed.serverMaxWindowBits = Number(value);
    else if (key === 'client_max_window_bits' && value !== undefined) agreed.clientMaxWindowBits = Number(value);
  }
  return agreed;
}

/** Runs one zlib job on a stream: write, Z_SYNC_FLUSH, collect the output. */
function zlibJob(stream, data) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    const onData = (chunk) => chunks.push(chunk);
    const onError = (error) => {
      stream.off('data', onData);
      reject(error);
    };
    stream.on('data', onData);
    stream.once('error', onError);
    stream.write(data);
    stream.flush(zlib.constants.Z_SYNC_FLUSH, () => {
      stream.off('data', onData);
      stream.off('error', onError);
      resolve(Buffer.concat(chunks));
    });
  });
}

/**
 * One direction of RFC 7692 in node:zlib (`kind` deflate or inflate), with
 * a window and context takeover (one stream for the whole connection) or
 * not (a fresh stream per message).
 */
export class ZlibDirection {
  constructor(kind, windowBits, noContextTakeover) {
    this.kind = kind;
    // zlib has no raw deflate with an 8-bit window; 9 reaches back at most
    // 250 bytes (512 - 262), so its output is valid for an 8-bit inflater.
    this.windowBits = kind === 'deflate' ? Math.max(9, windowBits) : windowBits;
    this.noContextTakeover = noContextTakeover;
    this.stream = null;
  }

  open() {
    if (this.stream === null) {
      const options = { windowBits: this.windowBits };
      this.stream = this.kind === 'deflate' ? zlib.createDeflateRaw(options) : zlib.createInflateRaw(options);
      this.stream.on('error', () => {});
    }
    return this.stream;
  }

  /** Compresses or inflates one whole message. */
  async message(data) {
    const stream = this.open();
    let out;
    try {
      out = await zlibJob(stream, this.kind === 'deflate' ? data : Buffer.concat([data, TAIL]));
    } finally {
      if (this.noContextTakeover) this.reset();
    }
    if (this.kind === 'deflate' && out.length >= 4 && out.subarray(-4).equals(TAIL)) out = out.subarray(0, -4);
    return out;
  }

  /** Compresses one fragment of a message (the tail is dropped only on the last). */
  async fragment(data, fin) {
    const stream = this.open();
    let out = await zlibJob(stream, data);
    if (fin) {
      if (out.subarray(-4).equals(TAIL)) out = out.subarray(0, -4);
      if (this.noContextTakeover) this.reset();
    }
    return out;
  }

  reset() {
    if (this.stream !== null) this.stream.close();
    this.stream = null;
  }
}

/** Incremental frame reader for what wsx sends. */
class FrameReader {
  constructor() {
    this.buffer = Buffer.alloc(0);
  }

  push(chunk) {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const frames = [];
    for (;;) {
      const b = this.buffer;
      if (b.length < 2) break;
      let length = b[1] & 0x7f;
      let pos = 2;
      if (length === 126) {
        if (b.length < 4) break;
        length = b.readUInt16BE(2);
        pos = 4;
      } else if (length === 127) {
        if (b.length < 10) break;
        length = Number(b.readBigUInt64BE(2));
        pos = 10;
      }
      const masked = (b[1] & 0x80) !== 0;
      const keyAt = pos;
      if (masked) pos += 4;
      if (b.length < pos + length) break;
      const payload = Buffer.from(b.subarray(pos, pos + length));
      if (masked) for (let i = 0; i < payload.length; i++) payload[i] ^= b[keyAt + (i & 3)];
      frames.push({ fin: (b[0] & 0x80) !== 0, rsv: (b[0] >> 4) & 7, opcode: b[0] & 0x0f, masked, payload });
      this.buffer = b.subarray(pos + length);
    }
    return frames;
  }
}

/**
 * The peer's end of an established connection. `agreed` is the negotiated
 * parameter set (null without the extension); `role` is the peer's role.
 */
export class RawDeflatePeer {
  constructor(socket, { role, agreed, leftover, responseHead = '', requestHead = '' }) {
    this.socket = socket;
    this.role = role;
    this.agreed = agreed;
    this.responseHead = responseHead;
    this.requestHead = requestHead;
    this.reader = new FrameReader();
    this.frames = [];
    /** Data messages: { opcode, rsv1, frames, payload } with the payload as sent (compressed or not). */
    this.messages = [];
    this.pongs = [];
    this.closeFrame = null;
    this.ended = false;
    this.partial = null;
    this.waiters = new Set();
    if (agreed) {
      const peerIsServer = role === 'server';
      this.deflater = new ZlibDirection(
        'deflate',
        peerIsServer ? agreed.serverMaxWindowBits : agreed.clientMaxWindowBits,
        peerIsServer ? agreed.serverNoContextTakeover : agreed.clientNoContextTakeover,
      );
      // What wsx compresses with: our inflater keeps exactly the agreed window
      // between messages, so a wsx compressor with a larger window fails
      // "distance too far back" as soon as it refers to an earlier message
      // beyond it (within one message zlib reads back from its own output).
      this.inflater = new ZlibDirection(
        'inflate',
        peerIsServer ? agreed.clientMaxWindowBits : agreed.serverMaxWindowBits,
        peerIsServer ? agreed.clientNoContextTakeover : agreed.serverNoContextTakeover,
      );
    }
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('end', () => {
      this.ended = true;
      this.changed();
    });
    socket.on('close', () => {
      this.ended = true;
      this.changed();
    });
    socket.on('error', () => {});
    if (leftover && leftover.length) this.onData(leftover);
  }

  onData(chunk) {
    for (const f of this.reader.push(chunk)) {
      this.frames.push(f);
      if (f.opcode === OP.CLOSE) {
        const code = f.payload.length >= 2 ? f.payload.readUInt16BE(0) : null;
        this.closeFrame = { code, reason: f.payload.subarray(2).toString() };
        if (!this.socket.destroyed) this.socket.write(this.frame({ opcode: OP.CLOSE, payload: f.payload.subarray(0, 2) }));
        if (this.role === 'server') this.socket.end();
      } else if (f.opcode === OP.PONG) {
        this.pongs.push(f.payload);
      } else if (f.opcode === OP.PING) {
        if (!this.socket.destroyed) this.socket.write(this.frame({ opcode: OP.PONG, payload: f.payload }));
      } else if (f.opcode === OP.CONT) {
        this.partial?.frames.push(f);
        if (f.fin && this.partial) this.finishMessage();
      } else {
        this.partial = { opcode: f.opcode, rsv1: (f.rsv & 4) !== 0, frames: [f] };
        if (f.fin) this.finishMessage();
      }
    }
    this.changed();
  }

  finishMessage() {
    const m = this.partial;
    this.partial = null;
    m.payload = Buffer.concat(m.frames.map((f) => f.payload));
    this.messages.push(m);
  }

  changed() {
    for (const w of this.waiters) {
      if (w.pred()) {
        this.waiters.delete(w);
        clearTimeout(w.timer);
        w.resolve(true);
      }
    }
  }

  waitFor(pred, ms = 5000) {
    if (pred()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const w = { pred, resolve };
      w.timer = setTimeout(() => {
        this.waiters.delete(w);
        resolve(false);
      }, ms);
      this.waiters.add(w);
    });
  }

  async nextMessages(n, ms = 5000) {
    if (!(await this.waitFor(() => this.messages.length >= n || this.closeFrame !== null || this.ended, ms))) {
      throw new Error(`timed out waiting for ${n} messages (have ${this.messages.length})`);
    }
    if (this.messages.length < n) {
      throw new Error(`the connection ended (close ${this.closeFrame?.code ?? 'none'}) after ${this.messages.length} of ${n} messages`);
    }
    return this.messages.slice(0, n);
  }

  async closed(ms = 5000) {
    await this.waitFor(() => this.closeFrame !== null || this.ended, ms);
    return this.closeFrame;
  }

  /** The bytes wsx meant: inflated with our own zlib when RSV1 is set. */
  async decode(message) {
    return message.rsv1 ? this.inflater.message(message.payload) : message.payload;
  }

  frame(spec) {
    return frame(this.role === 'client' ? { mask: CLIENT_KEY, ...spec } : spec);
  }

  write(...specs) {
    this.socket.write(Buffer.concat(specs.map((s) => (Buffer.isBuffer(s) ? s : this.frame(s)))));
  }

  /** Sends a message compressed by our own deflater, in `fragments` frames. */
  async sendCompressed(data, { binary = false, fragments = 1 } = {}) {
    const bytes = Buffer.from(data);
    const step = Math.ceil(bytes.length / fragments) || 1;
    const specs = [];
    for (let i = 0; i < fragments; i++) {
      const fin = i === fragments - 1;
      const part = bytes.subarray(i * step, fin ? bytes.length : (i + 1) * step);
      const payload = fragments === 1 ? await this.deflater.message(part) : await this.deflater.fragment(part, fin);
      specs.push({ opcode: i === 0 ? (binary ? OP.BINARY : OP.TEXT) : OP.CONT, fin, rsv: i === 0 ? 4 : 0, payload });
    }
    this.write(...specs);
  }

  close(code = 1000) {
    if (!this.socket.destroyed) this.write({ opcode: OP.CLOSE, payload: closePayload(code) });
  }

  destroy() {
    this.socket.destroy();
    for (const side of [this.deflater, this.inflater]) side?.reset();
  }
}

function readHead(socket, ms = 5000) {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const timer = setTimeout(() => finish(new Error('no complete HTTP head')), ms);
    function finish(error, value) {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.pause();
      if (error) reject(error);
      else resolve(value);
    }
    function onData(chunk) {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end === -1) return;
      const head = buffered.subarray(0, end).toString('latin1');
      const [startLine, ...lines] = head.split('\r\n');
      const headers = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        const name = line.slice(0, colon).trim().toLowerCase();
        const value = line.slice(colon + 1).trim();
        headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
      }
      finish(null, { head, startLine, headers, leftover: buffered.subarray(end + 4) });
    }
    function onClose() {
      finish(new Error('closed before a complete HTTP head'));
    }
    socket.on('data', onData);
    socket.on('close', onClose);
  });
}

/**
 * Connects to a wsx server on 127.0.0.1:`port` offering `offer` (a
 * Sec-WebSocket-Extensions value, or undefined for none). Resolves with
 * { status, headers, peer } (peer null unless 101).
 */
export async function connectRawClient(port, offer) {
  const socket = net.connect({ port, host: '127.0.0.1' });
  socket.on('error', () => {});
  await new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.setNoDelay(true);
  const key = randomBytes(16).toString('base64');
  const lines = [
    'GET / HTTP/1.1',
    `Host: 127.0.0.1:${port}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${key}`,
    'Sec-WebSocket-Version: 13',
  ];
  if (offer !== undefined) lines.push(`Sec-WebSocket-Extensions: ${offer}`);
  const reading = readHead(socket);
  socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  const response = await reading;
  const status = Number(response.startLine.split(' ')[1]);
  if (status !== 101) {
    socket.destroy();
    return { status, headers: response.headers, peer: null };
  }
  if (response.headers['sec-websocket-accept'] !== acceptFor(key)) throw new Error('wrong Sec-WebSocket-Accept');
  const extensions = response.headers['sec-websocket-extensions'];
  const peer = new RawDeflatePeer(socket, {
    role: 'client',
    agreed: readDeflateParams(extensions),
    leftover: response.leftover,
    responseHead: response.head,
  });
  socket.resume();
  return { status, headers: response.headers, peer };
}

/**
 * A raw server for wsx clients. `accept(respond)` waits for the next
 * connection; `respond(requestHeaders)` returns the Sec-WebSocket-Extensions
 * value to answer with (undefined for none). Resolves with { request, peer }.
 */
export async function startRawServer() {
  const sockets = new Set();
  let pending = null;
  const server = net.createServer({ noDelay: true }, async (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    const p = pending;
    pending = null;
    if (!p) {
      socket.destroy();
      return;
    }
    let request;
    try {
      request = await readHead(socket);
    } catch (error) {
      p.reject(error);
      return;
    }
    const extensions = p.respond(request.headers);
    const lines = [
      'HTTP/1.1 101 Switching Protocols',
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Accept: ${acceptFor(request.headers['sec-websocket-key'])}`,
    ];
    if (extensions !== undefined) lines.push(`Sec-WebSocket-Extensions: ${extensions}`);
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    const peer = new RawDeflatePeer(socket, {
      role: 'server',
      agreed: readDeflateParams(extensions),
      leftover: request.leftover,
      requestHead: request.head,
    });
    socket.resume();
    p.resolve({ request, peer });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    url: `ws://127.0.0.1:${server.address().port}/`,
    accept(respond) {
      return new Promise((resolve, reject) => {
        pending = { respond, resolve, reject };
      });
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * A compressed message that inflates to `mebibytes` MiB of zeros without
 * ever holding them: one sync-flushed segment for 1 MiB repeated (a valid
 * DEFLATE stream), the final tail removed. About 1 KiB per MiB.
 */
export function deflateBomb(mebibytes) {
  const segment = zlib.deflateRawSync(Buffer.alloc(1024 * 1024), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  const whole = Buffer.concat(Array.from({ length: mebibytes }, () => segment));
  return whole.subarray(0, whole.length - 4);
}
