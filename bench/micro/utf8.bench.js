// UTF-8 validation of whole messages: wsx's isValidUtf8 (and its streaming Utf8Validator),
// ws's isValidUTF8, and Node's buffer.isUtf8 as the native baseline.

import { isUtf8 } from 'node:buffer';
import { textPayload } from '../load/client-frames.js';
import { repsFor } from './measure.js';
import { WSX_MISSING } from './wsx-pieces.js';

const INPUTS = [
  { name: '16 B ASCII', buf: Buffer.from('hello, websocket') },
  { name: '1 KiB ASCII', buf: Buffer.alloc(1024, 'a') },
  { name: '1 KiB mixed', buf: textPayload(1024) },
  { name: '64 KiB mixed', buf: textPayload(64 * 1024) },
];
const INVALID = Buffer.concat([textPayload(100), Buffer.from([0xed, 0xa0, 0x80])]); // a surrogate

export function utf8Cases({ ws, wsx }) {
  const cases = [];
  const group = 'UTF-8 validation';
  const impls = [];
  if (wsx.isValidUtf8) impls.push(['wsx isValidUtf8', wsx.isValidUtf8]);
  else impls.push(['wsx isValidUtf8', null]);
  if (wsx.Utf8Validator) {
    const v = new wsx.Utf8Validator();
    impls.push([
      'wsx Utf8Validator (streaming)',
      (b) => {
        const ok = v.write(b, 0, b.length);
        return v.finish() && ok;
      },
    ]);
  }
  impls.push(['ws isValidUTF8', ws.validation.isValidUTF8]);
  impls.push(['node buffer.isUtf8', (b) => isUtf8(b)]);
  for (const input of INPUTS) {
    const reps = repsFor(input.buf.length);
    for (const [impl, validate] of impls) {
      if (!validate) {
        cases.push({ group, case: input.name, impl, skipped: true, note: WSX_MISSING });
        continue;
      }
      if (validate(input.buf) !== true || validate(INVALID) !== false) {
        cases.push({ group, case: input.name, impl, skipped: true, note: 'wrong verdict' });
        continue;
      }
      const buf = input.buf;
      cases.push({
        group,
        case: input.name,
        impl,
        reps,
        bytes: buf.length,
        fn: () => {
          let ok = true;
          for (let r = 0; r < reps; r++) ok = validate(buf) && ok;
          if (!ok) throw new Error('invalid');
        },
      });
    }
  }
  return cases;
}
