// Category 7 — the closing handshake (RFC 6455 5.5.1, 7): the raw peer
// closes; the target must answer with one close frame (echoing the code or
// 1000), send nothing after it, and reject invalid codes (1002) and invalid
// UTF-8 reasons (1007).

import { OP, closePayload } from '../raw-frames.js';
import { text } from '../verdict.js';
import { textPayload } from './payloads.js';

const cases = [];
const frames = (specs, opts) => (p) => p.sendFrames(specs, opts);
const close = (code, reason) => ({ opcode: OP.CLOSE, payload: closePayload(code, reason) });

/** The target answers our close with exactly `codes` (no other error code is NON-STRICT). */
const answers = (codes, extra = {}) => ({ fail: codes, nonStrict: [], ...extra });

// 7.1 basic closing behaviour. The runner treats a close sent by the case as
// ours (initiatedClose), so answers() judges the reply.
const basic = [
  ['text message, then close 1000', async (p) => { await p.sendFrames({ opcode: OP.TEXT, payload: 'Hello World' }); await p.sendClose(1000); }, answers([1000], { before: [text('Hello World')] })],
  ['close 1000 twice: one answer only', async (p) => { await p.sendClose(1000); await p.sendFrames(close(1000)); }, answers([1000])],
  ['close 1000, then a ping: no pong', async (p) => { await p.sendClose(1000); await p.sendFrames({ opcode: OP.PING, payload: 'ping' }); }, answers([1000])],
  ['close 1000, then a text message: not echoed', async (p) => { await p.sendClose(1000); await p.sendFrames({ opcode: OP.TEXT, payload: 'after close' }); }, answers([1000])],
  [
    'first fragment, close 1000, last fragment: no message',
    async (p) => {
      await p.sendFrames({ opcode: OP.TEXT, fin: false, payload: 'fragment1' });
      await p.sendClose(1000);
      await p.sendFrames({ opcode: OP.CONTINUATION, payload: 'fragment2' });
    },
    answers([1000]),
  ],
  [
    '256 KiB text message immediately followed by close 1000, then a ping',
    async (p) => {
      await p.sendFrames({ opcode: OP.TEXT, payload: textPayload(256 * 1024) });
      await p.sendClose(1000);
      await p.sendFrames({ opcode: OP.PING, payload: 'ping' });
    },
    [answers([1000], { before: [text(textPayload(256 * 1024))] }), answers([1000], { level: 'INFORMATIONAL', note: 'dropped the message that preceded the close' })],
  ],
  ['close 1000 with a reason, written 1 byte at a time', (p) => p.sendClose(1000, 'bye bye', { chop: 1 }), answers([1000])],
  ['close 1000 in the same write as a text message and a ping', (p) => p.sendFrames([{ opcode: OP.TEXT, payload: 'last' }, { opcode: OP.PING, payload: 'p' }, close(1000)]), [answers([1000], { before: [text('last'), { type: 'pong', data: Buffer.from('p') }] })]],
];
basic.forEach(([desc, run, expect], i) => cases.push({ id: `7.1.${i + 1}`, desc, run, expect }));

// 7.3 payload sizes.
const payloads = [
  ['close with an empty payload', (p) => p.sendClose(), answers([1000], { emptyOk: true })],
  ['close with a 1-byte payload', (p) => p.sendFrames({ opcode: OP.CLOSE, payload: Buffer.from([0x03]) }), { fail: [1002] }],
  ['close 1000 without a reason', (p) => p.sendClose(1000), answers([1000])],
  ['close 1000 with reason "Hello World!"', (p) => p.sendClose(1000, 'Hello World!'), answers([1000])],
  ['close 1000 with a 123 B reason (125 B payload, the maximum)', (p) => p.sendClose(1000, 'r'.repeat(123)), answers([1000])],
  ['close 1000 with a 124 B reason (126 B payload, too long)', (p) => p.sendClose(1000, 'r'.repeat(124)), { fail: [1002] }],
  ['close 1000 with a 123 B reason of 2-byte characters and one 1-byte', (p) => p.sendClose(1000, 'é'.repeat(61) + 'e'), answers([1000])],
];
payloads.forEach(([desc, run, expect], i) => cases.push({ id: `7.3.${i + 1}`, desc, run, expect }));

// 7.5 close reasons that are not UTF-8.
const reasons = [
  ['close 1000 with an invalid UTF-8 reason "κόσμε<ed a0 80>edited"', Buffer.concat([Buffer.from('κόσμε'), Buffer.from('eda080', 'hex'), Buffer.from('edited')])],
  ['close 1000 with a reason ending inside a sequence "abc<e2 82>"', Buffer.concat([Buffer.from('abc'), Buffer.from('e282', 'hex')])],
  ['close 1000 with reason 0xff', Buffer.from('ff', 'hex')],
  ['close 1000 with an overlong "/" (c0 af) reason', Buffer.from('c0af', 'hex')],
];
reasons.forEach(([desc, reason], i) => cases.push({ id: `7.5.${i + 1}`, desc, run: (p) => p.sendClose(1000, reason), expect: { fail: [1007] } }));

// 7.7 valid codes: the answer is the same code or 1000.
const VALID = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3500, 3999, 4000, 4500, 4999];
VALID.forEach((code, i) => {
  cases.push({ id: `7.7.${i + 1}`, desc: `close with valid code ${code}`, run: (p) => p.sendClose(code, 'reason'), expect: answers([code, 1000]) });
});

// 7.9 invalid codes: fail with 1002.
const INVALID = [0, 1, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 6000, 65535];
INVALID.forEach((code, i) => {
  cases.push({ id: `7.9.${i + 1}`, desc: `close with invalid code ${code}`, run: (p) => p.sendClose(code), expect: { fail: [1002] } });
});

// 7.11 codes swept through each range (every 7th-13th code and the range
// ends), each on its own connection; the case takes the worst verdict of its
// codes and names the codes behind it.
const RANGES = [
  ['0-999', [...range(0, 999, 7), 999]],
  ['1000-1015 (registered; the valid ones are echoed)', range(1000, 1015, 1)],
  ['1016-2999 (unassigned, reserved for extensions)', [...range(1016, 2999, 13), 2999]],
  ['3000-4999 (registered and private use)', [...range(3000, 4999, 11), 4999]],
  ['5000-65535', [...range(5000, 65535, 997), 65535]],
];
function range(from, to, step) {
  const out = [];
  for (let c = from; c <= to; c += step) out.push(c);
  return out;
}
const wireValid = (code) => (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
RANGES.forEach(([name, codes], i) => {
  cases.push({
    id: `7.11.${i + 1}`,
    desc: `close codes ${name}: ${codes.length} codes, one connection each`,
    sweep: codes.map((code) => ({
      id: `7.11.${i + 1}-${code}`,
      label: String(code),
      run: (p) => p.sendClose(code, 'sweep'),
      expect: wireValid(code) ? answers([code, 1000]) : { fail: [1002] },
    })),
  });
});

export default { category: '7', title: 'Close', cases };
