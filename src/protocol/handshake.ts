/**
 * Opening handshake computations (RFC 6455 sections 1.3, 4.1 and 4.2.2).
 * Pure: hashing and random bytes only, no sockets.
 */
import { createHash, randomBytes } from 'node:crypto';

/** The GUID every server appends to the client's key (RFC 6455 section 1.3). */
export const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** `Sec-WebSocket-Accept` for a `Sec-WebSocket-Key`: base64(SHA-1(key + GUID)). */
export function computeAcceptKey(key: string): string {
  return createHash('sha1').update(key + WEBSOCKET_GUID).digest('base64');
}

/** A fresh `Sec-WebSocket-Key`: 16 random bytes, base64 encoded (24 characters). */
export function generateClientKey(): string {
  return randomBytes(16).toString('base64');
}

function isBase64Char(code: number): boolean {
  return (
    (code >= 0x41 && code <= 0x5a) || // A-Z
    (code >= 0x61 && code <= 0x7a) || // a-z
    (code >= 0x30 && code <= 0x39) || // 0-9
    code === 0x2b || // +
    code === 0x2f // /
  );
}

/**
 * Whether a `Sec-WebSocket-Key` is base64 of exactly 16 bytes: 22 base64
 * characters then `==`. Like ws, the unused low bits of the last character
 * are not required to be zero (every real encoder writes them as zero, and
 * rejecting them would buy nothing: the key is only ever hashed).
 */
export function isValidClientKey(key: string): boolean {
  if (key.length !== 24) return false;
  for (let i = 0; i < 22; i++) {
    if (!isBase64Char(key.charCodeAt(i))) return false;
  }
  return key.charCodeAt(22) === 0x3d && key.charCodeAt(23) === 0x3d;
}
