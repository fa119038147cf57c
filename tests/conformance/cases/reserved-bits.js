// Category 3 — reserved bits: no extension is negotiated, so any RSV bit on
// any frame must fail the connection with 1002 (RFC 6455 5.2).

import { OP, RSV1, RSV2, RSV3 } from '../raw-frames.js';
import { text } from '../verdict.js';
import { closePayload } from '../raw-frames.js';

const BITS = [
  ['RSV1', RSV1],
  ['RSV2', RSV2],
  ['RSV3', RSV3],
  ['RSV1+RSV2+RSV3', RSV1 | RSV2 | RSV3],
];

const FRAMES = [
  ['text frame', (rsv) => [{ opcode: OP.TEXT, payload: 'Hello, world!', rsv }]],
  ['binary frame', (rsv) => [{ opcode: OP.BINARY, payload: Buffer.from([1, 2, 3, 4]), rsv }]],
  ['ping', (rsv) => [{ opcode: OP.PING, payload: 'ping', rsv }]],
  ['pong', (rsv) => [{ opcode: OP.PONG, payload: 'pong', rsv }]],
  ['close frame', (rsv) => [{ opcode: OP.CLOSE, payload: closePayload(1000), rsv }]],
  ['continuation frame', (rsv) => [{ opcode: OP.TEXT, fin: false, payload: 'first ' }, { opcode: OP.CONTINUATION, payload: 'second', rsv }]],
];

const cases = [];
FRAMES.forEach(([what, specs], f) => {
  BITS.forEach(([name, rsv], b) => {
    cases.push({
      id: `3.${f + 1}.${b + 1}`,
      desc: `${what} with ${name} set`,
      run: (p) => p.sendFrames(specs(rsv)),
      expect: { fail: [1002] },
    });
  });
});

BITS.forEach(([name, rsv], b) => {
  cases.push({
    id: `3.7.${b + 1}`,
    desc: `valid text, then a text frame with ${name}, then a ping: echo the first only, no pong`,
    run: (p) => p.sendFrames([{ opcode: OP.TEXT, payload: 'Hello' }, { opcode: OP.TEXT, payload: 'Hello', rsv }, { opcode: OP.PING, payload: 'ping' }]),
    expect: { fail: [1002], before: [text('Hello')] },
  });
});
cases.push({
  id: '3.7.5',
  desc: 'valid text, then a text frame with RSV1, then a ping, all written 1 byte at a time',
  run: (p) => p.sendFrames([{ opcode: OP.TEXT, payload: 'Hello' }, { opcode: OP.TEXT, payload: 'Hello', rsv: RSV1 }, { opcode: OP.PING, payload: 'ping' }], { chop: 1 }),
  expect: { fail: [1002], before: [text('Hello')] },
});

export default { category: '3', title: 'Reserved bits', cases };
