// Builds and reads WebSocket frames byte by byte from RFC 6455 section 5.2,
// without any wsx code, so that the protocol tests do not check wsx against
// itself. It can build frames no conforming peer sends (any RSV bits or
// opcode, lying or non-minimal length fields).

/** The masking key of the RFC 6455 section 5.7 examples. */
export const RFC_KEY = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);
export const RFC_KEY_U32 = 0x37fa213d;

export const OP = Object.freeze({ CONT: 0x0, TEXT: 0x1, BINARY: 0x2, CLOSE: 0x8, PING: 0x9, PONG: 0xa });

/**
 * @param {object} f
 * @param {number} f.opcode
 * @param {Buffer|string|number[]} [f.payload]
 * @param {boolean} [f.fin=true]
 * @param {number} [f.rsv=0] RSV bits as 0b100 = RSV1, 0b010 = RSV2, 0b001 = RSV3
 * @param {Buffer|null} [f.mask] 4-byte key, or null/undefined for unmasked
 * @param {bigint|number} [f.length] length to announce instead of the payload's
 * @param {7|16|64} [f.form] force this length encoding
 */
export function frame(f) {
  const payload = toBuffer(f.payload);
  const announced = BigInt(f.length ?? payload.length);
  const form = f.form ?? (announced < 126n ? 7 : announced < 65536n ? 16 : 64);
  const head = [((f.fin ?? true) ? 0x80 : 0) | ((f.rsv ?? 0) << 4) | (f.opcode & 0x0f)];
  const maskBit = f.mask ? 0x80 : 0;
  if (form === 7) head.push(maskBit | Number(announced));
  else if (form === 16) head.push(maskBit | 126, Number(announced >> 8n) & 0xff, Number(announced) & 0xff);
  else {
    head.push(maskBit | 127);
    for (let shift = 56n; shift >= 0n; shift -= 8n) head.push(Number((announced >> shift) & 0xffn));
  }
  const body = Buffer.from(payload);
  if (f.mask) {
    head.push(...f.mask);
    for (let i = 0; i < body.length; i++) body[i] ^= f.mask[i & 3];
  }
  return Buffer.concat([Buffer.from(head), body]);
}

/** A frame as a client sends it (masked, with a fixed key unless one is given). */
export function clientFrame(f) {
  return frame({ mask: Buffer.from([0x11, 0x22, 0x33, 0x44]), ...f });
}

/** A close payload: 2-byte code then the reason. */
export function closePayload(code, reason = '') {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(code);
  return Buffer.concat([b, toBuffer(reason)]);
}

/**
 * Reads complete frames from `bytes` (throws on a truncated stream) and
 * returns them unmasked: { fin, rsv, opcode, masked, key, payload }.
 */
export function readFrames(bytes) {
  const frames = [];
  let p = 0;
  while (p < bytes.length) {
    if (bytes.length - p < 2) throw new Error(`truncated frame header at ${p}`);
    const b0 = bytes[p];
    const b1 = bytes[p + 1];
    let length = b1 & 0x7f;
    p += 2;
    if (length === 126) {
      length = bytes.readUInt16BE(p);
      p += 2;
    } else if (length === 127) {
      length = Number(bytes.readBigUInt64BE(p));
      p += 8;
    }
    const masked = (b1 & 0x80) !== 0;
    let key = null;
    if (masked) {
      key = Buffer.from(bytes.subarray(p, p + 4));
      p += 4;
    }
    if (bytes.length - p < length) throw new Error(`truncated payload at ${p}`);
    const payload = Buffer.from(bytes.subarray(p, p + length));
    if (key) for (let i = 0; i < payload.length; i++) payload[i] ^= key[i & 3];
    p += length;
    frames.push({ fin: (b0 & 0x80) !== 0, rsv: (b0 >> 4) & 7, opcode: b0 & 0x0f, masked, key, payload });
  }
  return frames;
}

export function hex(s) {
  return Buffer.from(s.replace(/\s+/g, ''), 'hex');
}

function toBuffer(p) {
  if (p === undefined) return Buffer.alloc(0);
  if (typeof p === 'string') return Buffer.from(p, 'utf8');
  return Buffer.from(p);
}
