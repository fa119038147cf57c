// Client-side frame bytes for the load generator, built once before a run.
// Deliberately independent of wsx and ws: the load must not share code with a target.

const MASK_KEY = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);

/** One FIN frame with the given opcode, masked as a client must (RFC 6455 5.3). */
export function encodeMaskedFrame(opcode, payload) {
  const len = payload.length;
  const lenBytes = len < 126 ? 0 : len < 65536 ? 2 : 8;
  const header = 2 + lenBytes + 4;
  const frame = Buffer.allocUnsafe(header + len);
  frame[0] = 0x80 | opcode;
  if (lenBytes === 0) {
    frame[1] = 0x80 | len;
  } else if (lenBytes === 2) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(len, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeUInt32BE(Math.floor(len / 0x100000000), 2);
    frame.writeUInt32BE(len >>> 0, 6);
  }
  MASK_KEY.copy(frame, 2 + lenBytes);
  for (let i = 0; i < len; i++) frame[header + i] = payload[i] ^ MASK_KEY[i & 3];
  return frame;
}

/** `count` copies of a frame back to back, so n frames are sent as one subarray. */
export function repeatFrame(frame, count) {
  const out = Buffer.allocUnsafe(frame.length * count);
  for (let i = 0; i < count; i++) frame.copy(out, i * frame.length);
  return out;
}

/** Deterministic pseudo-random bytes (xorshift32), so every target echoes the same data. */
export function binaryPayload(size, seed = 0x9e3779b9) {
  const out = Buffer.allocUnsafe(size);
  let x = seed | 0;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/**
 * Exactly `size` bytes of valid UTF-8 that look like a chat/JSON message: mostly ASCII
 * with some 2-, 3- and 4-byte sequences, so a validator cannot take an all-ASCII shortcut.
 */
export function textPayload(size) {
  const pieces = ['{"user":"zoë","text":"', 'héllo wörld ', 'ping ', '数据 ', '🚀 ', 'abcdefghij ', '0123456789 '];
  const parts = [];
  let used = 0;
  for (let i = 0; used < size; i++) {
    const piece = Buffer.from(pieces[i % pieces.length], 'utf8');
    if (used + piece.length > size) break;
    parts.push(piece);
    used += piece.length;
  }
  parts.push(Buffer.alloc(size - used, 0x2e)); // pad with '.'
  return Buffer.concat(parts, size);
}

/** The fixed key and its accept value (RFC 6455 section 1.3 example). */
export const UPGRADE_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
export const UPGRADE_ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=';

export function upgradeRequest(port, path) {
  return Buffer.from(
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${UPGRADE_KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    'latin1',
  );
}
