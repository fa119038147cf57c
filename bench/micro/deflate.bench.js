// permessage-deflate round trip (compress one message, then decompress it) with context
// takeover and 15-bit windows on both sides: wsx's PerMessageDeflate against ws's.

import { textPayload } from '../load/client-frames.js';
import { WSX_MISSING } from './wsx-pieces.js';

const INPUTS = [
  { name: '1 KiB text', buf: textPayload(1024) },
  { name: '64 KiB text', buf: textPayload(64 * 1024) },
];

function roundTrip(codec) {
  return (buf) =>
    new Promise((resolve, reject) => {
      codec.compress(buf, true, (err, compressed) => {
        if (err) return reject(err);
        codec.decompress(compressed, true, (err2, plain) => (err2 ? reject(err2) : resolve(plain)));
      });
    });
}

function wsCodec(ws) {
  const codec = new ws.PerMessageDeflate({ threshold: 0 }, true, 0);
  codec.accept([{}]);
  return codec;
}

function wsxCodec(wsx) {
  return new wsx.PerMessageDeflate(
    { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 },
    'server',
    { threshold: 0, maxPayload: 0 },
  );
}

export async function deflateCases({ ws, wsx }) {
  const cases = [];
  const group = 'permessage-deflate round trip';
  for (const input of INPUTS) {
    const add = async (impl, make) => {
      let trip;
      try {
        trip = roundTrip(make());
        const back = await trip(input.buf);
        if (!Buffer.from(back).equals(input.buf)) throw new Error('round trip changed the data');
      } catch (err) {
        cases.push({ group, case: input.name, impl, skipped: true, note: `failed: ${err.message}` });
        return;
      }
      cases.push({ group, case: input.name, impl, reps: 1, bytes: input.buf.length, fn: () => trip(input.buf) });
    };
    if (wsx.PerMessageDeflate) await add('wsx PerMessageDeflate', () => wsxCodec(wsx));
    else cases.push({ group, case: input.name, impl: 'wsx PerMessageDeflate', skipped: true, note: WSX_MISSING });
    await add('ws PerMessageDeflate', () => wsCodec(ws));
  }
  return cases;
}
