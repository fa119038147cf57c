// The raw peer's side of an established WebSocket connection: sends
// hand-assembled frames (chopped, delayed) and records everything the target
// does — messages, pongs, its close frame, when it closed TCP, and any frame
// that breaks the RFC. It answers the target's close frame like Autobahn's
// fuzzing peer does (echoes the code; as the server, then closes TCP).

import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { FrameReader, OP, encodeFrame, closePayload } from './raw-frames.js';
import { writeChopped } from './chopped-writer.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

function isValidUtf8(buf) {
  try {
    utf8.decode(buf);
    return true;
  } catch {
    return false;
  }
}

/** RFC 6455 7.4: the codes an endpoint may send (1004-1006 and 1015 are reserved or local-only). */
function isWireCloseCode(code) {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

export class PeerSession {
  /**
   * @param {import('node:net').Socket} socket
   * @param {{ role: 'client'|'server', leftover?: Buffer, t0?: number }} opts
   *   role is the raw peer's role: a raw client masks and expects unmasked frames.
   */
  constructor(socket, opts) {
    this.socket = socket;
    this.role = opts.role;
    this.t0 = opts.t0 ?? performance.now();
    this.reader = new FrameReader();
    this.items = []; // { type: 'text'|'binary'|'pong'|'ping', data: Buffer, at }
    this.anomalies = []; // target frames that break the RFC
    this.closeFrame = null; // { code, reason, payload, at }
    this.closeSentAt = null; // when the raw peer sent its close frame
    this.initiatedClose = false; // the raw peer started the closing handshake
    this.endedAt = null; // target half-closed TCP (FIN received)
    this.closedAt = null; // socket fully closed
    this.socketError = null;
    this.marks = new Map();
    this.partial = null; // { opcode, parts } of a fragmented message from the target
    this.waiters = new Set();

    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('end', () => {
      this.endedAt ??= this.now();
      this.changed();
    });
    socket.on('close', () => {
      this.closedAt ??= this.now();
      this.endedAt ??= this.closedAt;
      this.changed();
    });
    socket.on('error', (err) => {
      // EPIPE / ECONNRESET when writing after the target failed the connection.
      this.socketError ??= err.code ?? err.message;
    });
    if (opts.leftover?.length) this.onData(opts.leftover);
    socket.resume(); // the handshake reader paused it
  }

  now() {
    return performance.now() - this.t0;
  }

  mark(name) {
    this.marks.set(name, this.now());
  }

  get closed() {
    return this.closedAt !== null;
  }

  /** True once the target failed or closed: a close frame or the end of TCP. */
  get targetGone() {
    return this.closeFrame !== null || this.endedAt !== null;
  }

  /** When the target first signalled the end: its close frame or its FIN. */
  get targetGoneAt() {
    if (this.closeFrame) return this.closeFrame.at;
    return this.endedAt;
  }

  // ---- sending -------------------------------------------------------------

  /** Encode a frame with the masking the raw peer's role requires (override with spec.mask). */
  frame(spec) {
    return encodeFrame({ ...spec, mask: spec.mask === undefined ? this.role === 'client' : spec.mask });
  }

  /** Send raw bytes (or several, concatenated) with optional chop and delay. */
  async send(bytes, opts) {
    const buf = Array.isArray(bytes) ? Buffer.concat(bytes) : bytes;
    return writeChopped(this.socket, buf, opts);
  }

  /** Encode and send frames; `opts` applies to the concatenated bytes. */
  async sendFrames(specs, opts) {
    const list = Array.isArray(specs) ? specs : [specs];
    if (list.some((s) => s.opcode === OP.CLOSE)) this.noteCloseSent();
    return this.send(list.map((s) => this.frame(s)), opts);
  }

  /** Start the closing handshake from the raw peer's side. */
  async sendClose(code, reason, opts) {
    return this.sendFrames({ opcode: OP.CLOSE, payload: closePayload(code, reason) }, opts);
  }

  noteCloseSent() {
    if (this.closeFrame === null && this.closeSentAt === null) this.initiatedClose = true;
    this.closeSentAt ??= this.now();
  }

  sleep(ms) {
    return sleep(ms);
  }

  // ---- waiting -------------------------------------------------------------

  changed() {
    for (const w of this.waiters) {
      if (w.pred()) {
        this.waiters.delete(w);
        clearTimeout(w.timer);
        w.resolve(true);
      }
    }
  }

  /** Resolve true when `pred()` holds, false after `ms`. */
  waitFor(pred, ms) {
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

  /** Wait until `n` items (messages, pongs) have arrived, or the target is gone. */
  waitItems(n, ms) {
    return this.waitFor(() => this.items.length >= n || this.targetGone, ms);
  }

  /** Wait for the target's close frame or FIN. */
  waitTargetGone(ms) {
    return this.waitFor(() => this.targetGone, ms);
  }

  waitClosed(ms) {
    return this.waitFor(() => this.closed, ms);
  }

  /** Close our side and wait for the socket to be gone; destroy after `ms`. */
  async shutdown(ms = 500) {
    if (!this.socket.destroyed) this.socket.end();
    if (!(await this.waitClosed(ms))) this.socket.destroy();
  }

  // ---- receiving -----------------------------------------------------------

  onData(chunk) {
    const frames = this.reader.push(chunk);
    if (this.reader.error && !this.anomalies.includes(this.reader.error)) this.anomalies.push(this.reader.error);
    for (const f of frames) this.onFrame(f);
    if (frames.length) this.changed();
  }

  anomaly(text) {
    if (this.anomalies.length < 10) this.anomalies.push(text);
  }

  onFrame(f) {
    const at = this.now();
    const expectMasked = this.role === 'server';
    if (f.masked !== expectMasked) {
      this.anomaly(`target sent a ${f.masked ? 'masked' : 'unmasked'} frame (opcode ${f.opcode}) as a ${expectMasked ? 'client' : 'server'}`);
    }
    if (f.rsv !== 0) this.anomaly(`target set RSV bits ${f.rsv.toString(2)} without an extension`);
    if (!f.minimalLength) this.anomaly('target used a non-minimal length encoding');
    if (this.closeFrame) {
      this.anomaly(`target sent a frame (opcode ${f.opcode}) after its close frame`);
      return;
    }
    switch (f.opcode) {
      case OP.CONTINUATION:
      case OP.TEXT:
      case OP.BINARY:
        this.onDataFrame(f, at);
        return;
      case OP.PING:
      case OP.PONG:
        if (!f.fin) this.anomaly('target fragmented a control frame');
        if (f.payload.length > 125) this.anomaly('target sent a control frame longer than 125 bytes');
        this.items.push({ type: f.opcode === OP.PING ? 'ping' : 'pong', data: f.payload, at });
        if (f.opcode === OP.PING && this.closeSentAt === null && !this.socket.destroyed) {
          this.socket.write(this.frame({ opcode: OP.PONG, payload: f.payload }));
        }
        return;
      case OP.CLOSE:
        this.onCloseFrame(f, at);
        return;
      default:
        this.anomaly(`target sent reserved opcode ${f.opcode}`);
    }
  }

  onDataFrame(f, at) {
    if (f.opcode === OP.CONTINUATION) {
      if (!this.partial) {
        this.anomaly('target sent a continuation frame with no message in progress');
        return;
      }
      this.partial.parts.push(f.payload);
    } else {
      if (this.partial) this.anomaly('target started a new message inside a fragmented one');
      this.partial = { opcode: f.opcode, parts: [f.payload] };
    }
    if (!f.fin) return;
    const data = this.partial.parts.length === 1 ? this.partial.parts[0] : Buffer.concat(this.partial.parts);
    const type = this.partial.opcode === OP.TEXT ? 'text' : 'binary';
    this.partial = null;
    if (type === 'text' && !isValidUtf8(data)) this.anomaly('target sent a text message that is not valid UTF-8');
    this.items.push({ type, data, at });
  }

  onCloseFrame(f, at) {
    const p = f.payload;
    let code = null;
    let reason = Buffer.alloc(0);
    if (p.length === 1) this.anomaly('target sent a close frame with a 1-byte payload');
    if (p.length >= 2) {
      code = p.readUInt16BE(0);
      reason = p.subarray(2);
      if (!isWireCloseCode(code)) this.anomaly(`target sent close code ${code}, which may not appear on the wire`);
      if (!isValidUtf8(reason)) this.anomaly('target sent a close reason that is not valid UTF-8');
    }
    if (!f.fin) this.anomaly('target fragmented its close frame');
    if (p.length > 125) this.anomaly('target sent a close frame longer than 125 bytes');
    this.closeFrame = { code, reason: reason.toString('utf8'), at };
    if (this.socket.destroyed) return;
    if (this.closeSentAt === null) {
      // Echo the code, as the closing handshake asks (RFC 6455 5.5.1).
      this.closeSentAt = this.now();
      this.socket.write(this.frame({ opcode: OP.CLOSE, payload: closePayload(code) }));
    }
    // The server closes TCP first (RFC 6455 7.1.1); a client waits for it.
    if (this.role === 'server') this.socket.end();
  }
}
