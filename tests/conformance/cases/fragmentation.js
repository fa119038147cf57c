// Category 5 — fragmentation (RFC 6455 5.4): every legal sequence must be
// reassembled, every illegal one must fail the connection with 1002.

import { OP, closePayload } from '../raw-frames.js';
import { binary, pong, text } from '../verdict.js';
import { binaryPayload, fragmentSpecs, splitEvery } from './payloads.js';

const cases = [];
const T = OP.TEXT;
const B = OP.BINARY;
const C = OP.CONTINUATION;

const add = (desc, run, expect, extra = {}) => cases.push({ id: `5.${cases.length + 1}`, desc, run, expect, ...extra });
const frames = (specs, opts) => (p) => p.sendFrames(specs, opts);

// Fragmented control frames.
add('ping fragmented into 2 frames', frames([{ opcode: OP.PING, fin: false, payload: 'fragmented ' }, { opcode: C, payload: 'ping' }]), { fail: [1002] });
add('pong fragmented into 2 frames', frames([{ opcode: OP.PONG, fin: false, payload: 'fragmented ' }, { opcode: C, payload: 'pong' }]), { fail: [1002] });
add('close fragmented into 2 frames', frames([{ opcode: OP.CLOSE, fin: false, payload: closePayload(1000) }, { opcode: C, payload: 'bye' }]), { fail: [1002] });

// Legal sequences.
add('text in 2 fragments', frames(fragmentSpecs(T, [Buffer.from('fragment1'), Buffer.from('fragment2')])), { echo: [text('fragment1fragment2')] });
add('text in 2 fragments, written 1 byte at a time', frames(fragmentSpecs(T, [Buffer.from('fragment1'), Buffer.from('fragment2')]), { chop: 1 }), { echo: [text('fragment1fragment2')] });
add(
  'text in 2 fragments with a ping between them: pong first, then the message',
  frames([{ opcode: T, fin: false, payload: 'fragment1' }, { opcode: OP.PING, payload: 'pongme 2!' }, { opcode: C, payload: 'fragment2' }]),
  { echo: [pong('pongme 2!'), text('fragment1fragment2')] },
);
add(
  'text in 2 fragments with a ping between them, written 1 byte at a time',
  frames([{ opcode: T, fin: false, payload: 'fragment1' }, { opcode: OP.PING, payload: 'pongme 2!' }, { opcode: C, payload: 'fragment2' }], { chop: 1 }),
  { echo: [pong('pongme 2!'), text('fragment1fragment2')] },
);
add(
  'text in 2 fragments with an unsolicited pong between them',
  frames([{ opcode: T, fin: false, payload: 'fragment1' }, { opcode: OP.PONG, payload: 'unsolicited' }, { opcode: C, payload: 'fragment2' }]),
  { echo: [text('fragment1fragment2')] },
);
add(
  'text in 2 fragments with 50 ms between them',
  async (p) => {
    await p.sendFrames({ opcode: T, fin: false, payload: 'fragment1' });
    await p.sleep(50);
    await p.sendFrames({ opcode: C, payload: 'fragment2' });
  },
  { echo: [text('fragment1fragment2')] },
);
{
  const payload = binaryPayload(3000, 51);
  add('binary in 3 fragments (1000 B each)', frames(fragmentSpecs(B, splitEvery(payload, 1000))), { echo: [binary(payload)] });
}
{
  const payload = Buffer.from('x'.repeat(100));
  add('text in 100 fragments of 1 byte', frames(fragmentSpecs(T, splitEvery(payload, 1))), { echo: [text(payload)] });
}
add('text: empty first, empty middle and empty final fragment', frames(fragmentSpecs(T, [Buffer.alloc(0), Buffer.alloc(0), Buffer.alloc(0)])), { echo: [text('')] });
add('text: "frag" then an empty final fragment', frames(fragmentSpecs(T, [Buffer.from('frag'), Buffer.alloc(0)])), { echo: [text('frag')] });
add('text: empty first fragment then "tail"', frames(fragmentSpecs(T, [Buffer.alloc(0), Buffer.from('tail')])), { echo: [text('tail')] });
add('binary: empty first fragment, 3 B middle, empty final', frames(fragmentSpecs(B, [Buffer.alloc(0), Buffer.from([1, 2, 3]), Buffer.alloc(0)])), { echo: [binary([1, 2, 3])] });
{
  const parts = ['f1', 'f2', 'f3', 'f4', 'f5'].map((s) => Buffer.from(s));
  const run = async (p) => {
    for (let i = 0; i < parts.length; i++) {
      await p.sendFrames({ opcode: i === 0 ? T : C, fin: i === parts.length - 1, payload: parts[i] });
      if (i < parts.length - 1) await p.sendFrames({ opcode: OP.PING, payload: `ping ${i}` });
      await p.sleep(10);
    }
  };
  add('text in 5 fragments, a ping after each of the first 4, 10 ms apart', run, { echo: [pong('ping 0'), pong('ping 1'), pong('ping 2'), pong('ping 3'), text('f1f2f3f4f5')] });
}
{
  const payload = binaryPayload(4000, 52);
  const specs = fragmentSpecs(B, splitEvery(payload, 1000));
  const withPings = [specs[0], { opcode: OP.PING, payload: 'a' }, specs[1], specs[2], { opcode: OP.PING, payload: 'b' }, specs[3]];
  add('binary in 4 fragments with 2 pings between, random splits (seed 5)', frames(withPings, { chop: { random: 5, max: 300 } }), { echo: [pong('a'), pong('b'), binary(payload)] });
}
add('two fragmented messages back to back', frames([...fragmentSpecs(T, [Buffer.from('one-'), Buffer.from('a')]), ...fragmentSpecs(B, [Buffer.from('two-'), Buffer.from('b')])]), { echo: [text('one-a'), binary(Buffer.from('two-b'))] });

// Illegal sequences.
add('continuation frame (fin=1) with no message started', frames({ opcode: C, payload: 'non-continuation payload' }), { fail: [1002] });
add('continuation frame (fin=0) with no message started, then a final continuation', frames([{ opcode: C, fin: false, payload: 'a' }, { opcode: C, payload: 'b' }]), { fail: [1002] });
add('valid text, then a continuation frame (fin=1) with no message started', frames([{ opcode: T, payload: 'Hello' }, { opcode: C, payload: 'orphan' }]), { fail: [1002], before: [text('Hello')] });
add('valid text, then an orphan continuation, written 1 byte at a time', frames([{ opcode: T, payload: 'Hello' }, { opcode: C, payload: 'orphan' }], { chop: 1 }), { fail: [1002], before: [text('Hello')] });
add('text fin=0, then a new text frame (fin=1) inside the message', frames([{ opcode: T, fin: false, payload: 'first' }, { opcode: T, payload: 'second' }]), { fail: [1002] });
add('text fin=0, then a new text frame fin=0 inside the message', frames([{ opcode: T, fin: false, payload: 'first' }, { opcode: T, fin: false, payload: 'second' }, { opcode: C, payload: 'end' }]), { fail: [1002] });
add('text fin=0, then a binary frame inside the message', frames([{ opcode: T, fin: false, payload: 'first' }, { opcode: B, payload: 'second' }]), { fail: [1002] });
add('binary fin=0, then a text frame fin=0 inside the message', frames([{ opcode: B, fin: false, payload: 'first' }, { opcode: T, fin: false, payload: 'second' }]), { fail: [1002] });
add('a complete fragmented message, then one more continuation frame', frames([...fragmentSpecs(T, [Buffer.from('frag'), Buffer.from('ment')]), { opcode: C, payload: 'extra' }]), { fail: [1002], before: [text('fragment')] });
add('empty text fin=0, then an empty text fin=1 inside the message', frames([{ opcode: T, fin: false }, { opcode: T }]), { fail: [1002] });

export default { category: '5', title: 'Fragmentation', cases };
