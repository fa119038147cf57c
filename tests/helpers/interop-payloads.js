// Payloads, sizes and close codes shared by every interop pair, so that each
// peer is exercised with exactly the same bytes.
import { createHash } from 'node:crypto';

export const MiB = 1024 * 1024;

/** Payload lengths at every header-encoding boundary (7-bit, 16-bit, 64-bit). */
export const BOUNDARY_LENGTHS = [0, 1, 125, 126, 127, 65535, 65536, 65537];

/** The large message every pair exchanges in both directions. */
export const LARGE_LENGTH = 16 * MiB;

/** Every close code that may appear on the wire, with a spread of 3xxx/4xxx. */
export const WIRE_CLOSE_CODES = [
  1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4999,
];

/** The close codes a WHATWG client (browser, undici) may pass to close(). */
export const WHATWG_CLIENT_CLOSE_CODES = [1000, 3000, 4999];

/** A reason with multi-byte UTF-8 that stays under the 123-byte limit. */
export function closeReason(code) {
  return `bye ${code} — naïve café ✓ 😀`;
}

/** Text covering 1-, 2-, 3- and 4-byte UTF-8 sequences and a BMP edge. */
export const UTF8_SAMPLE = 'hello é ß € ✓ 日本語 😀 🎉 \u{10FFFF} \uFFFD end';

/**
 * Deterministic pseudo-random bytes (xorshift32), so a failure is
 * reproducible and a shifted or repeated block cannot compare equal.
 */
export function binaryPayload(length, seed = 1) {
  const buf = Buffer.allocUnsafe(length);
  let x = (seed * 2654435761) >>> 0 || 1;
  const words = length >>> 2;
  for (let i = 0; i < words; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    buf.writeUInt32LE(x >>> 0, i * 4);
  }
  for (let i = words * 4; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    buf[i] = x & 0xff;
  }
  return buf;
}

// 1 + 2 + 3 + 4 bytes: every UTF-8 sequence length in one 10-byte unit.
const TEXT_UNIT = 'aé€😀';
const TEXT_UNIT_BYTES = 10;

/** A string whose UTF-8 encoding is exactly `byteLength` bytes long. */
export function textPayload(byteLength) {
  const units = Math.floor(byteLength / TEXT_UNIT_BYTES);
  return TEXT_UNIT.repeat(units) + 'x'.repeat(byteLength - units * TEXT_UNIT_BYTES);
}

/** Bytes of a message as the wire carries them. */
export function toBytes(data) {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (Array.isArray(data)) return Buffer.concat(data.map(toBytes));
  throw new TypeError(`unexpected message data: ${Object.prototype.toString.call(data)}`);
}

export function sha256(data) {
  return createHash('sha256').update(toBytes(data)).digest('hex');
}

/**
 * The message cases every pair runs in both directions: `data` is what the
 * sender passes, `binary` the frame type, `bytes` the exact payload expected,
 * `seed` (binary cases) the binaryPayload() seed that reproduces `data`.
 */
export function messageCases() {
  const cases = [
    { name: 'text "hello"', binary: false, data: 'hello' },
    { name: 'empty text', binary: false, data: '' },
    { name: 'multi-byte UTF-8 text', binary: false, data: UTF8_SAMPLE },
    { name: 'text of 65536 bytes (mixed 1-4 byte sequences)', binary: false, data: textPayload(65536) },
  ];
  for (const length of BOUNDARY_LENGTHS) {
    const seed = length + 7;
    cases.push({ name: `binary of ${length} bytes`, binary: true, seed, data: binaryPayload(length, seed) });
  }
  cases.push({ name: 'binary of 16 MiB', binary: true, seed: 16, data: binaryPayload(LARGE_LENGTH, 16), large: true });
  cases.push({ name: 'text of 16 MiB', binary: false, data: textPayload(LARGE_LENGTH), large: true });
  for (const c of cases) c.bytes = toBytes(c.data);
  return cases;
}
