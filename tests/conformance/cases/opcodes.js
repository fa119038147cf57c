// Category 4 — opcodes: the reserved non-control (3-7) and control (11-15)
// opcodes must fail the connection with 1002 (RFC 6455 5.2).

import { OP } from '../raw-frames.js';
import { text } from '../verdict.js';

const RESERVED = [3, 4, 5, 6, 7, 11, 12, 13, 14, 15];
const cases = [];

RESERVED.forEach((opcode, i) => {
  cases.push({
    id: `4.1.${i + 1}`,
    desc: `reserved opcode ${opcode}, empty payload`,
    run: (p) => p.sendFrames({ opcode }),
    expect: { fail: [1002] },
  });
});
RESERVED.forEach((opcode, i) => {
  cases.push({
    id: `4.2.${i + 1}`,
    desc: `reserved opcode ${opcode}, 23 B payload`,
    run: (p) => p.sendFrames({ opcode, payload: 'reserved opcode payload' }),
    expect: { fail: [1002] },
  });
});
RESERVED.forEach((opcode, i) => {
  cases.push({
    id: `4.3.${i + 1}`,
    desc: `valid text, then reserved opcode ${opcode}, then a ping: echo the first only, no pong`,
    run: (p) => p.sendFrames([{ opcode: OP.TEXT, payload: 'Hello' }, { opcode, payload: 'x' }, { opcode: OP.PING, payload: 'ping' }]),
    expect: { fail: [1002], before: [text('Hello')] },
  });
});
cases.push({
  id: '4.4.1',
  desc: 'reserved opcode 4 as the second fragment of a text message',
  run: (p) => p.sendFrames([{ opcode: OP.TEXT, fin: false, payload: 'first ' }, { opcode: 4, payload: 'second' }]),
  expect: { fail: [1002] },
});
cases.push({
  id: '4.4.2',
  desc: 'reserved control opcode 11 between two fragments of a text message',
  run: (p) => p.sendFrames([{ opcode: OP.TEXT, fin: false, payload: 'first ' }, { opcode: 11 }, { opcode: OP.CONTINUATION, payload: 'second' }]),
  expect: { fail: [1002] },
});
cases.push({
  id: '4.4.3',
  desc: 'reserved opcode 7 with fin=0 (a "fragmented" unknown message)',
  run: (p) => p.sendFrames([{ opcode: 7, fin: false, payload: 'a' }, { opcode: OP.CONTINUATION, payload: 'b' }]),
  expect: { fail: [1002] },
});

export default { category: '4', title: 'Opcodes', cases };
