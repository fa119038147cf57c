// Category 10 — masking (RFC 6455 5.1, 5.3): a client masks every frame, a
// server masks none; a frame with the wrong masking for its sender's role must
// fail the connection with 1002. Any mask key, zero included, is legal.

import { OP, closePayload } from '../raw-frames.js';
import { pong, text, binary } from '../verdict.js';
import { binaryPayload } from './payloads.js';

const cases = [];
/** The wrong masking for the raw peer's role: none from a client, a key from a server. */
const wrongMask = (p) => (p.role === 'client' ? false : Buffer.from([0x12, 0x34, 0x56, 0x78]));

cases.push({
  id: '10.1.1',
  desc: 'text frame with the wrong masking for the sender (unmasked from a client, masked from a server)',
  run: (p) => p.sendFrames({ opcode: OP.TEXT, payload: 'Hello', mask: wrongMask(p) }),
  expect: { fail: [1002] },
});
cases.push({
  id: '10.1.2',
  desc: 'ping with the wrong masking for the sender',
  run: (p) => p.sendFrames({ opcode: OP.PING, payload: 'ping', mask: wrongMask(p) }),
  expect: { fail: [1002] },
});
cases.push({
  id: '10.1.3',
  desc: 'close 1000 with the wrong masking for the sender',
  run: (p) => p.sendFrames({ opcode: OP.CLOSE, payload: closePayload(1000), mask: wrongMask(p) }),
  expect: { fail: [1002] },
});
cases.push({
  id: '10.1.4',
  desc: 'second fragment of a text message with the wrong masking',
  run: (p) => p.sendFrames([{ opcode: OP.TEXT, fin: false, payload: 'first ' }, { opcode: OP.CONTINUATION, payload: 'second', mask: wrongMask(p) }]),
  expect: { fail: [1002] },
});
cases.push({
  id: '10.1.5',
  desc: 'valid text, then an empty binary frame with the wrong masking',
  run: (p) => p.sendFrames([{ opcode: OP.TEXT, payload: 'Hello' }, { opcode: OP.BINARY, mask: wrongMask(p) }]),
  expect: { fail: [1002], before: [text('Hello')] },
});

// Legal mask keys (a client's frames only).
const keys = [
  ['all-zero mask key', Buffer.from([0, 0, 0, 0])],
  ['mask key ff ff ff ff', Buffer.from([0xff, 0xff, 0xff, 0xff])],
  ['mask key 01 02 03 04', Buffer.from([1, 2, 3, 4])],
];
keys.forEach(([name, mask], i) => {
  const payload = binaryPayload(1001, 110 + i);
  cases.push({
    id: `10.2.${i + 1}`,
    desc: `binary 1001 B with ${name}`,
    roles: ['server'],
    run: (p) => p.sendFrames({ opcode: OP.BINARY, payload, mask }),
    expect: { echo: [binary(payload)] },
  });
});
{
  const payload = binaryPayload(37, 113);
  cases.push({
    id: '10.2.4',
    desc: 'binary 37 B, frame cut inside the mask key, 5 ms between the writes',
    roles: ['server'],
    run: async (p) => {
      const f = p.frame({ opcode: OP.BINARY, payload });
      await p.send(f.subarray(0, 4));
      await p.sleep(5);
      await p.send(f.subarray(4));
    },
    expect: { echo: [binary(payload)] },
  });
  const parts = ['a', 'bb', 'ccc', 'dddd', 'eeeee'];
  cases.push({
    id: '10.2.5',
    desc: 'text in 5 fragments, each with a different mask key, and a ping between',
    roles: ['server'],
    run: (p) => p.sendFrames([
      ...parts.slice(0, 2).map((s, i) => ({ opcode: i === 0 ? OP.TEXT : OP.CONTINUATION, fin: false, payload: s, mask: Buffer.from([i, i + 1, i + 2, i + 3]) })),
      { opcode: OP.PING, payload: 'p', mask: Buffer.from([9, 9, 9, 9]) },
      ...parts.slice(2).map((s, i) => ({ opcode: OP.CONTINUATION, fin: i === 2, payload: s, mask: Buffer.from([i * 7, 200, 13, 255 - i]) })),
    ]),
    expect: { echo: [pong('p'), text(parts.join(''))] },
  });
}

export default { category: '10', title: 'Masking', cases };
