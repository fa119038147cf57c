// Category 2 — ping and pong: payload sizes at the control-frame limit,
// binary payloads, bursts, chopped pings, unsolicited pongs.

import { OP } from '../raw-frames.js';
import { pong, text } from '../verdict.js';
import { binaryPayload, textPayload } from './payloads.js';

const cases = [];
const ping = (payload) => ({ opcode: OP.PING, payload });

const simple = [
  ['ping without payload', Buffer.alloc(0)],
  ['ping with a short text payload', Buffer.from('Hello, world!')],
  ['ping with a binary payload (00 ff fe fd fc fb 00 ff)', Buffer.from([0x00, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0x00, 0xff])],
  ['ping with 125 B payload (the maximum)', binaryPayload(125, 21)],
];
simple.forEach(([desc, payload], i) => {
  cases.push({ id: `2.${i + 1}`, desc, run: (p) => p.sendFrames(ping(payload)), expect: { echo: [pong(payload)] } });
});

cases.push({
  id: '2.5',
  desc: 'ping with 126 B payload (over the control-frame limit)',
  run: (p) => p.sendFrames(ping(binaryPayload(126, 22))),
  expect: { fail: [1002] },
});
{
  const payload = binaryPayload(125, 23);
  cases.push({
    id: '2.6',
    desc: 'ping with 125 B payload, written 1 byte at a time',
    run: (p) => p.sendFrames(ping(payload), { chop: 1 }),
    expect: { echo: [pong(payload)] },
  });
}
cases.push({
  id: '2.7',
  desc: 'unsolicited pong without payload: no answer',
  run: (p) => p.sendFrames({ opcode: OP.PONG }),
  expect: { echo: [] },
});
cases.push({
  id: '2.8',
  desc: 'unsolicited pong with payload: no answer',
  run: (p) => p.sendFrames({ opcode: OP.PONG, payload: 'unsolicited pong payload' }),
  expect: { echo: [] },
});
cases.push({
  id: '2.9',
  desc: 'unsolicited pong, then a ping: one pong for the ping',
  run: (p) => p.sendFrames([{ opcode: OP.PONG, payload: 'unsolicited pong payload' }, ping(Buffer.from('ping payload'))]),
  expect: { echo: [pong('ping payload')] },
});
{
  const payloads = Array.from({ length: 10 }, (_, i) => Buffer.from(`payload-${i}`));
  const all = payloads.map((b) => pong(b));
  const lastOnly = { echo: [pong(payloads[9])], level: 'NON-STRICT', note: 'answered only the last ping (RFC 6455 5.5.3 allows it)' };
  cases.push({
    id: '2.10',
    desc: 'ten pings in one write: ten pongs in order',
    run: (p) => p.sendFrames(payloads.map(ping)),
    expect: [{ echo: all }, lastOnly],
  });
  cases.push({
    id: '2.11',
    desc: 'ten pings written 1 byte at a time: ten pongs in order',
    run: (p) => p.sendFrames(payloads.map(ping), { chop: 1 }),
    expect: [{ echo: all }, lastOnly],
  });
}
cases.push({
  id: '2.12',
  desc: 'a ping between two text messages: answers in order',
  run: (p) => p.sendFrames([{ opcode: OP.TEXT, payload: 'before' }, ping(Buffer.from('between')), { opcode: OP.TEXT, payload: 'after' }]),
  expect: { echo: [text('before'), pong('between'), text('after')] },
});
cases.push({
  id: '2.13',
  desc: 'ping with a 64-bit length field for 5 B (non-minimal control frame length)',
  run: (p) => p.sendFrames({ opcode: OP.PING, payload: 'hello', lengthForm: 64 }),
  expect: [{ echo: [pong('hello')] }, { fail: [1002] }],
});
cases.push({
  id: '2.14',
  desc: 'ping declaring 126 B in a 16-bit length, no payload sent',
  run: (p) => p.sendFrames({ opcode: OP.PING, declaredLength: 126 }),
  expect: { fail: [1002] },
});
cases.push({
  id: '2.15',
  desc: 'ping with 125 B of UTF-8 text payload is echoed byte for byte',
  run: (p) => p.sendFrames(ping(textPayload(125))),
  expect: { echo: [pong(textPayload(125))] },
});

export default { category: '2', title: 'Ping and pong', cases };
