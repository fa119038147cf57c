// Unmasking in place, 16 B … 1 MiB: wsx as it runs (word loop, WebAssembly SIMD from 2 KiB),
// wsx's word loop alone, ws's pure-JS loop (what ws runs without bufferutil, and always below
// 32 bytes), and bufferutil's native code when present.

import { binaryPayload } from '../load/client-frames.js';
import { repsFor } from './measure.js';
import { WSX_MISSING } from './wsx-pieces.js';

// offset 2: where a payload starts after a 14-byte (or 6-byte) masked header in a read
// buffer, i.e. the usual case on a server, where 4-byte alignment cannot be assumed.
const SIZES = [
  { size: 16, offset: 0 },
  { size: 128, offset: 0 },
  { size: 1024, offset: 0 },
  { size: 1024, offset: 2 },
  { size: 16 * 1024, offset: 0 },
  { size: 64 * 1024, offset: 0 },
  { size: 64 * 1024, offset: 2 },
  { size: 1024 * 1024, offset: 0 },
  { size: 1024 * 1024, offset: 2 },
];
const KEY_BYTES = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);
const KEY = KEY_BYTES.readUInt32BE(0);

function reference(buf) {
  const out = Buffer.from(buf);
  for (let i = 0; i < out.length; i++) out[i] ^= KEY_BYTES[i & 3];
  return out;
}

function checked(group, name, impl, size, offset, unmask, reps) {
  const probe = binaryPayload(size + 3).subarray(3); // unaligned on purpose for the check
  const expected = reference(probe);
  const work = Buffer.from(probe);
  try {
    unmask(work);
  } catch (err) {
    return { group, case: name, impl, skipped: true, note: `threw: ${err.message}` };
  }
  if (!work.equals(expected)) return { group, case: name, impl, skipped: true, note: 'wrong output' };
  const buf = binaryPayload(size + 8).subarray(offset, offset + size);
  return {
    group,
    case: name,
    impl,
    reps,
    bytes: size,
    fn: () => {
      for (let r = 0; r < reps; r++) unmask(buf);
    },
  };
}

export function maskCases({ ws, bufferutil, wsx }) {
  const cases = [];
  for (const { size, offset } of SIZES) {
    const name =
      (size >= 1024 * 1024 ? `${size / 1048576} MiB` : size >= 1024 ? `${size / 1024} KiB` : `${size} B`) +
      (offset ? ` at offset ${offset}` : '');
    const reps = repsFor(size);
    const group = 'mask/unmask in place';
    if (wsx.unmaskInPlace) {
      const f = wsx.unmaskInPlace;
      cases.push(checked(group, name, 'wsx', size, offset, (b) => f(b, 0, b.length, KEY, 0), reps));
      const simd = wsx.useSimdUnmask;
      if (simd && size >= wsx.SIMD_MIN) {
        const wordLoop = (b) => {
          simd(false);
          try {
            f(b, 0, b.length, KEY, 0);
          } finally {
            simd(true);
          }
        };
        cases.push(checked(group, name, 'wsx (word loop, no SIMD)', size, offset, wordLoop, reps));
      }
    } else cases.push({ group, case: name, impl: 'wsx', skipped: true, note: WSX_MISSING });
    const jsUnmask = ws.bufferUtil.unmask;
    cases.push(checked(group, name, 'ws (JS)', size, offset, (b) => jsUnmask(b, KEY_BYTES), reps));
    if (bufferutil) {
      cases.push(checked(group, name, 'bufferutil (native)', size, offset, (b) => bufferutil.unmask(b, KEY_BYTES), reps));
    }
  }
  return cases;
}
