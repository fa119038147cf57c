// Category 9 — limits: large messages in one frame, in many fragments and in
// many small TCP writes (the target runs with maxPayload 64 MiB for those);
// then maxPayload itself (64 KiB here): exceeding it by one byte must close
// with 1009 as soon as a header announces it, before any payload is read.

import { OP } from '../raw-frames.js';
import { binary, text } from '../verdict.js';
import { KiB, MiB, binaryPayload, fragmentSpecs, size, splitEvery, textPayload } from './payloads.js';

const BIG = { maxPayload: 64 * MiB };
const LIMIT = 64 * KiB;
const LIMITED = { maxPayload: LIMIT };
const FAIL_FAST_WAIT_MS = 500;

const cases = [];
const big = (c) => cases.push({ server: BIG, client: BIG, waitMs: 10000, ...c });
const limited = (c) => cases.push({ server: LIMITED, client: LIMITED, ...c });

// 9.1 / 9.2: one frame.
const SINGLE = [64 * KiB, 256 * KiB, MiB, 4 * MiB, 16 * MiB];
SINGLE.forEach((n, i) => {
  const payload = () => textPayload(n);
  big({ id: `9.1.${i + 1}`, desc: `text message of ${size(n)} in one frame`, run: (p) => p.sendFrames({ opcode: OP.TEXT, payload: payload() }), expect: () => ({ echo: [text(payload())] }) });
});
SINGLE.forEach((n, i) => {
  const payload = () => binaryPayload(n, 90 + i);
  big({ id: `9.2.${i + 1}`, desc: `binary message of ${size(n)} in one frame`, run: (p) => p.sendFrames({ opcode: OP.BINARY, payload: payload() }), expect: () => ({ echo: [binary(payload())] }) });
});

// 9.3 / 9.4: fragments from 64 B to 4 MiB; at most 16384 fragments per
// message (ws's default bound; 9.8 goes past it).
const FRAGMENTS = [64, 256, KiB, 4 * KiB, 16 * KiB, 64 * KiB, 256 * KiB, MiB, 4 * MiB];
FRAGMENTS.forEach((f, i) => {
  const n = f === 64 ? MiB : 4 * MiB;
  big({
    id: `9.3.${i + 1}`,
    desc: `text message of ${size(n)} in ${n / f} fragments of ${size(f)}`,
    run: (p) => p.sendFrames(fragmentSpecs(OP.TEXT, splitEvery(textPayload(n), f))),
    expect: () => ({ echo: [text(textPayload(n))] }),
  });
});
[
  [4 * MiB, 256],
  [4 * MiB, 4 * KiB],
  [4 * MiB, 64 * KiB],
  [4 * MiB, MiB],
  [16 * MiB, 64 * KiB],
  [16 * MiB, 4 * MiB],
].forEach(([n, f], i) => {
  const payload = () => binaryPayload(n, 95);
  big({
    id: `9.4.${i + 1}`,
    desc: `binary message of ${size(n)} in ${n / f} fragments of ${size(f)}`,
    run: (p) => p.sendFrames(fragmentSpecs(OP.BINARY, splitEvery(payload(), f))),
    expect: () => ({ echo: [binary(payload())] }),
  });
});

// 9.5 / 9.6: one frame written in small TCP chops.
[
  [256 * KiB, 64],
  [256 * KiB, 256],
  [MiB, 1024],
  [MiB, 4096],
].forEach(([n, chop], i) => {
  big({ id: `9.5.${i + 1}`, desc: `text message of ${size(n)} written in chops of ${chop} B`, run: (p) => p.sendFrames({ opcode: OP.TEXT, payload: textPayload(n) }, { chop }), expect: () => ({ echo: [text(textPayload(n))] }) });
});
[
  [256 * KiB, 128],
  [MiB, 2048],
].forEach(([n, chop], i) => {
  big({ id: `9.6.${i + 1}`, desc: `binary message of ${size(n)} written in chops of ${chop} B`, run: (p) => p.sendFrames({ opcode: OP.BINARY, payload: binaryPayload(n, 97) }, { chop }), expect: () => ({ echo: [binary(binaryPayload(n, 97))] }) });
});

// 9.8: past a fragment bound. RFC 6455 10.4 lets an implementation limit
// what it buffers; stopping with 1008 or 1009 is as good as echoing.
big({
  id: '9.8.1',
  desc: 'text message of 4 MiB in 65536 fragments of 64 B (past common fragment bounds)',
  run: (p) => p.sendFrames(fragmentSpecs(OP.TEXT, splitEvery(textPayload(4 * MiB), 64))),
  expect: () => [{ echo: [text(textPayload(4 * MiB))] }, { fail: [1008, 1009], note: 'stopped at its fragment bound (RFC 6455 10.4)' }],
});

big({
  id: '9.8.2',
  desc: '20000 empty text fragments, then an empty final one (a bound on retained fragments may stop it)',
  run: (p) => p.sendFrames([...Array.from({ length: 20000 }, (_, i) => ({ opcode: i === 0 ? OP.TEXT : OP.CONTINUATION, fin: false })), { opcode: OP.CONTINUATION }]),
  expect: [{ echo: [text('')] }, { fail: [1008, 1009], note: 'stopped at its fragment bound (RFC 6455 10.4)' }],
});

// 9.7: maxPayload = 64 KiB.
/** Send a header announcing `declared` bytes, wait for the target, then the payload. */
const announceThenWait = (opcode, declared, payloadLength, before = []) => async (p) => {
  if (before.length) await p.sendFrames(before);
  const frame = p.frame({ opcode, payload: binaryPayload(payloadLength, 98), declaredLength: declared });
  const headerLength = frame.length - payloadLength;
  await p.send(frame.subarray(0, headerLength));
  await p.waitTargetGone(FAIL_FAST_WAIT_MS);
  p.mark('rest');
  await p.send(frame.subarray(headerLength));
};
const TOO_BIG = { fail: [1009], failFastMark: 'rest' };
{
  const exact = binaryPayload(LIMIT, 99);
  limited({ id: '9.7.1', desc: `binary message of exactly maxPayload (${size(LIMIT)})`, run: (p) => p.sendFrames({ opcode: OP.BINARY, payload: exact }), expect: { echo: [binary(exact)] } });
  const exactText = textPayload(LIMIT);
  limited({ id: '9.7.2', desc: 'text message of exactly maxPayload in 64 fragments of 1 KiB', run: (p) => p.sendFrames(fragmentSpecs(OP.TEXT, splitEvery(exactText, KiB))), expect: { echo: [text(exactText)] } });
}
limited({ id: '9.7.3', desc: 'binary frame announcing maxPayload + 1: header alone, wait, then the payload', run: announceThenWait(OP.BINARY, LIMIT + 1, LIMIT + 1), expect: TOO_BIG });
limited({ id: '9.7.4', desc: 'text frame announcing maxPayload + 1: header alone, wait, then the payload', run: announceThenWait(OP.TEXT, LIMIT + 1, LIMIT + 1), expect: TOO_BIG });
limited({ id: '9.7.5', desc: 'binary frame announcing 2^63 − 1 bytes', run: announceThenWait(OP.BINARY, 2n ** 63n - 1n, 16), expect: { fail: [1009, 1002], failFastMark: 'rest' } });
limited({
  id: '9.7.6',
  desc: 'fragments of 40000 + 25537 B (maxPayload + 1 in total): 2nd header alone, wait, then its payload',
  run: announceThenWait(OP.CONTINUATION, 25537, 25537, [{ opcode: OP.BINARY, fin: false, payload: binaryPayload(40000, 100) }]),
  expect: TOO_BIG,
});
limited({
  id: '9.7.7',
  desc: 'maxPayload + 1 in 65 fragments of 1 KiB and one of 1 B',
  run: (p) => p.sendFrames(fragmentSpecs(OP.BINARY, [...splitEvery(binaryPayload(LIMIT, 101), KiB), Buffer.from([1])])),
  expect: { fail: [1009] },
});
limited({
  id: '9.7.8',
  desc: 'binary message of maxPayload + 1 in one frame, written whole',
  run: (p) => p.sendFrames({ opcode: OP.BINARY, payload: binaryPayload(LIMIT + 1, 102) }),
  expect: { fail: [1009] },
});
{
  const exact = binaryPayload(LIMIT, 103);
  limited({
    id: '9.7.9',
    desc: 'two messages of exactly maxPayload in a row (the limit is per message)',
    run: (p) => p.sendFrames([{ opcode: OP.BINARY, payload: exact }, ...fragmentSpecs(OP.BINARY, splitEvery(exact, 16 * KiB))]),
    expect: { echo: [binary(exact), binary(exact)] },
  });
}

export default { category: '9', title: 'Limits', cases };
