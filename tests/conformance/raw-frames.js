// Hand-assembled WebSocket frames (RFC 6455 section 5.2), written from the RFC
// and independent of wsx's own frame code, so that a bug there cannot hide
// itself. The encoder can also produce frames no conforming peer would send:
// any RSV bits, any opcode, non-minimal or lying length fields.

import { randomBytes } from 'node:crypto';

export const OP = Object.freeze({
  CONTINUATION: 0x0,
  TEXT: 0x1,
  BINARY: 0x2,
  CLOSE: 0x8,
  PING: 0x9,
  PONG: 0xa,
});

export const RSV1 = 0b100;
export const RSV2 = 0b010;
export const RSV3 = 0b001;

/** XOR `data` in place with the 4-byte `key`, starting at key offset `offset`. */
export function applyMask(data, key, offset = 0) {
  for (let i = 0; i < data.length; i++) data[i] ^= key[(i + offset) & 3];
  return data;
}

/**
 * Encode one frame.
 * @param {object} f
 * @param {number} f.opcode
 * @param {Buffer|string} [f.payload]
 * @param {boolean} [f.fin=true]
 * @param {number} [f.rsv=0] three bits, RSV1 = 0b100
 * @param {boolean|Buffer} [f.mask=false] true for a random key, or the 4-byte key
 * @param {7|16|64} [f.lengthForm] force the length encoding (non-minimal forms)
 * @param {bigint|number} [f.declaredLength] length written in the header
 *   instead of the real payload length (the payload is still appended)
 */
export function encodeFrame(f) {
  const payload = typeof f.payload === 'string' ? Buffer.from(f.payload, 'utf8') : (f.payload ?? Buffer.alloc(0));
  const declared = BigInt(f.declaredLength ?? payload.length);
  let form = f.lengthForm;
  if (form === undefined) form = declared < 126n ? 7 : declared < 65536n ? 16 : 64;
  const fin = f.fin === undefined ? true : f.fin;
  const maskKey = f.mask === true ? randomBytes(4) : f.mask ? f.mask : null;

  const headerLength = 2 + (form === 16 ? 2 : form === 64 ? 8 : 0) + (maskKey ? 4 : 0);
  const frame = Buffer.allocUnsafe(headerLength + payload.length);
  frame[0] = (fin ? 0x80 : 0) | ((f.rsv ?? 0) << 4) | (f.opcode & 0x0f);
  let pos = 2;
  if (form === 7) {
    frame[1] = Number(declared);
  } else if (form === 16) {
    frame[1] = 126;
    frame.writeUInt16BE(Number(declared), 2);
    pos = 4;
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(declared, 2);
    pos = 10;
  }
  if (maskKey) {
    frame[1] |= 0x80;
    maskKey.copy(frame, pos, 0, 4);
    pos += 4;
  }
  payload.copy(frame, pos);
  if (maskKey) applyMask(frame.subarray(pos), maskKey);
  return frame;
}

/** A close frame payload: 2-byte code (if given) followed by the reason bytes. */
export function closePayload(code, reason = Buffer.alloc(0)) {
  const r = typeof reason === 'string' ? Buffer.from(reason, 'utf8') : reason;
  if (code === undefined || code === null) return r;
  const b = Buffer.allocUnsafe(2 + r.length);
  b.writeUInt16BE(code, 0);
  r.copy(b, 2);
  return b;
}

/**
 * Incremental frame reader for what the target sends. Keeps the received
 * chunks in a list and concatenates once per complete frame, so a 16 MiB
 * frame arriving in thousands of reads costs O(n).
 */
export class FrameReader {
  constructor() {
    this.chunks = [];
    this.buffered = 0;
    this.error = null; // a description of the first malformed header seen
  }

  /** Add bytes; return the frames completed by them. */
  push(chunk) {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames = [];
    for (;;) {
      if (this.error) return frames;
      const frame = this.next();
      if (!frame) return frames;
      frames.push(frame);
    }
  }

  peek(n) {
    if (this.chunks[0].length >= n) return this.chunks[0];
    const head = Buffer.concat(this.chunks);
    this.chunks = [head];
    return head;
  }

  consume(n) {
    const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    const taken = all.subarray(0, n);
    const rest = all.subarray(n);
    this.chunks = rest.length ? [rest] : [];
    this.buffered -= n;
    return taken;
  }

  next() {
    if (this.buffered < 2) return null;
    let h = this.peek(2);
    const b1 = h[1];
    const lenField = b1 & 0x7f;
    const masked = (b1 & 0x80) !== 0;
    const headerLength = 2 + (lenField === 126 ? 2 : lenField === 127 ? 8 : 0) + (masked ? 4 : 0);
    if (this.buffered < headerLength) return null;
    h = this.peek(headerLength);
    let length = lenField;
    let pos = 2;
    if (lenField === 126) {
      length = h.readUInt16BE(2);
      pos = 4;
    } else if (lenField === 127) {
      const big = h.readBigUInt64BE(2);
      if (big > BigInt(Number.MAX_SAFE_INTEGER)) {
        this.error = `frame length ${big} from the target is absurd`;
        return null;
      }
      length = Number(big);
      pos = 10;
    }
    if (this.buffered < headerLength + length) return null;
    const raw = this.consume(headerLength + length);
    const maskKey = masked ? Buffer.from(raw.subarray(pos, pos + 4)) : null;
    const payload = Buffer.from(raw.subarray(headerLength));
    if (maskKey) applyMask(payload, maskKey);
    return {
      fin: (raw[0] & 0x80) !== 0,
      rsv: (raw[0] >> 4) & 0x07,
      opcode: raw[0] & 0x0f,
      masked,
      minimalLength: lenField === 126 ? length >= 126 : lenField === 127 ? length >= 65536 : true,
      payload,
    };
  }
}
