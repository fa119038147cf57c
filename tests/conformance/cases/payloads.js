// Deterministic payloads for the cases: same bytes on every run.

import { seededRandom } from '../chopped-writer.js';

export const KiB = 1024;
export const MiB = 1024 * 1024;

const TEXT_PATTERN = Buffer.from('wsx conformance: the quick brown fox jumps over the lazy dog 0123456789. ', 'utf8');

// Large payloads are made when a case runs, not when the cases load, and the
// last few are kept so that a case's script and its expectation share one
// buffer. Callers must not modify what they get (copy first).
const recent = new Map();
function remembered(key, make) {
  let b = recent.get(key);
  if (!b) {
    b = make();
    recent.set(key, b);
    if (recent.size > 4) recent.delete(recent.keys().next().value);
  }
  return b;
}

/** `n` bytes of ASCII text. */
export function textPayload(n) {
  return n < 65536 ? makeText(n) : remembered(`t${n}`, () => makeText(n));
}

function makeText(n) {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i += TEXT_PATTERN.length) TEXT_PATTERN.copy(b, i, 0, Math.min(TEXT_PATTERN.length, n - i));
  return b;
}

/** `n` bytes of UTF-8 text mixing 1- to 4-byte characters, cut at a character boundary near `n`. */
export function multibyteText(n) {
  const unit = Buffer.from('aé€😀 κόσμε ', 'utf8');
  const reps = Math.ceil(n / unit.length);
  return Buffer.concat(Array.from({ length: reps }, () => unit)).subarray(0, Math.floor(n / unit.length) * unit.length);
}

/** `n` pseudo-random bytes from `seed`. */
export function binaryPayload(n, seed = 1) {
  return n < 65536 ? makeBinary(n, seed) : remembered(`b${n}/${seed}`, () => makeBinary(n, seed));
}

function makeBinary(n, seed) {
  const next = seededRandom(seed);
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(next() * 256);
  return b;
}

/** Split `buf` into pieces of `size` bytes (the last may be shorter; an empty buffer gives one empty piece). */
export function splitEvery(buf, size) {
  if (buf.length === 0) return [buf];
  const out = [];
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size));
  return out;
}

/** Frame specs for a message sent as the given fragments. */
export function fragmentSpecs(opcode, parts) {
  return parts.map((payload, i) => ({ opcode: i === 0 ? opcode : 0, fin: i === parts.length - 1, payload }));
}

/** Human size: 65536 → "64 KiB". */
export function size(n) {
  if (n >= MiB) return n % MiB === 0 ? `${n / MiB} MiB` : `${Math.floor(n / MiB)} MiB + ${n % MiB} B`;
  if (n >= KiB && n % KiB === 0) return `${n / KiB} KiB`;
  return `${n} B`;
}
