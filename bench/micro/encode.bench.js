// Framing one message: wsx's encodeFrame against ws's Sender.frame, unmasked (server role)
// and masked (client role). Both return the buffers to write; neither writes.

import { binaryPayload } from '../load/client-frames.js';
import { repsFor } from './measure.js';
import { WSX_MISSING } from './wsx-pieces.js';

const SIZES = [16, 1024, 64 * 1024];
const MASK_KEY = 0x37fa213d;

function wsFrame(ws, payload, masked) {
  const maskBuffer = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);
  const options = masked
    ? { fin: true, rsv1: false, opcode: 2, mask: true, maskBuffer, readOnly: true, generateMask: () => {} }
    : { fin: true, rsv1: false, opcode: 2, mask: false, readOnly: true };
  return () => ws.Sender.frame(payload, options);
}

function wsxFrame(wsx, payload, masked) {
  const out = [];
  const key = masked ? MASK_KEY : wsx.NO_MASK;
  return () => {
    out.length = 0;
    wsx.encodeFrame(out, 2, payload, true, false, key);
    return out;
  };
}

export function encodeCases({ ws, wsx }) {
  const cases = [];
  for (const masked of [false, true]) {
    const group = masked ? 'frame encode, masked (client role)' : 'frame encode, unmasked (server role)';
    for (const size of SIZES) {
      const payload = binaryPayload(size);
      const name = size >= 1024 ? `${size / 1024} KiB` : `${size} B`;
      const reps = Math.min(repsFor(size), 1024);
      const expected = Buffer.concat(wsFrame(ws, payload, masked)());
      const add = (impl, make) => {
        const encode = make();
        const got = Buffer.concat(encode());
        if (!got.equals(expected)) {
          cases.push({ group, case: name, impl, skipped: true, note: 'bytes differ from ws' });
          return;
        }
        cases.push({
          group,
          case: name,
          impl,
          reps,
          bytes: size,
          fn: () => {
            for (let r = 0; r < reps; r++) encode();
          },
        });
      };
      if (wsx.encodeFrame) add('wsx encodeFrame', () => wsxFrame(wsx, payload, masked));
      else cases.push({ group, case: name, impl: 'wsx encodeFrame', skipped: true, note: WSX_MISSING });
      add('ws Sender.frame', () => wsFrame(ws, payload, masked));
    }
  }
  return cases;
}
