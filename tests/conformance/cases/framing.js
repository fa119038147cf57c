// Category 1 — framing: every payload-length encoding at its boundaries,
// text and binary, sent whole, chopped and in random splits; non-minimal and
// absurd length fields.

import { OP } from '../raw-frames.js';
import { text, binary } from '../verdict.js';
import { MiB, binaryPayload, multibyteText, size, textPayload } from './payloads.js';

const LENGTHS = [0, 1, 125, 126, 127, 128, 65535, 65536, 65537, MiB + 3, 4 * MiB];

const cases = [];

LENGTHS.forEach((n, i) => {
  cases.push({
    id: `1.1.${i + 1}`,
    desc: `text message, payload ${size(n)}, one frame`,
    run: (p) => p.sendFrames({ opcode: OP.TEXT, payload: textPayload(n) }),
    expect: () => ({ echo: [text(textPayload(n))] }),
  });
});

LENGTHS.forEach((n, i) => {
  cases.push({
    id: `1.2.${i + 1}`,
    desc: `binary message, payload ${size(n)}, one frame`,
    run: (p) => p.sendFrames({ opcode: OP.BINARY, payload: binaryPayload(n, 100 + i) }),
    expect: () => ({ echo: [binary(binaryPayload(n, 100 + i))] }),
  });
});

// 1.3: the same bytes cut differently on the wire.
const chopped = [
  ['text 125 B, written 1 byte at a time', OP.TEXT, textPayload(125), { chop: 1 }],
  ['text 126 B (16-bit length), written 1 byte at a time', OP.TEXT, textPayload(126), { chop: 1 }],
  ['text 300 B of 1- to 4-byte characters, written 1 byte at a time', OP.TEXT, multibyteText(300), { chop: 1 }],
  ['binary 64 KiB, written in chops of 997 bytes', OP.BINARY, binaryPayload(65536, 7), { chop: 997 }],
  ['text 65535 B, random splits (seed 1, up to 1500 B)', OP.TEXT, textPayload(65535), { chop: { random: 1, max: 1500 } }],
  ['binary 1 MiB, random splits (seed 2, up to 64 KiB)', OP.BINARY, () => binaryPayload(MiB, 8), { chop: { random: 2, max: 65536 } }],
  ['binary 200 B, chops of 3 bytes with 2 ms between them', OP.BINARY, binaryPayload(200, 9), { chop: 3, delayMs: 2 }],
];
chopped.forEach(([desc, opcode, bytes, opts], i) => {
  const payload = typeof bytes === 'function' ? bytes : () => bytes;
  cases.push({
    id: `1.3.${i + 1}`,
    desc,
    run: (p) => p.sendFrames({ opcode, payload: payload() }, opts),
    expect: () => ({ echo: [opcode === OP.TEXT ? text(payload()) : binary(payload())] }),
  });
});

{
  const big = binaryPayload(65536, 10);
  cases.push({
    id: '1.3.8',
    desc: 'binary 64 KiB (64-bit length): header 1 byte at a time, then the payload',
    run: async (p) => {
      const f = p.frame({ opcode: OP.BINARY, payload: big });
      const headerLength = p.role === 'client' ? 14 : 10;
      await p.send(f.subarray(0, headerLength), { chop: 1 });
      await p.send(f.subarray(headerLength));
    },
    expect: { echo: [binary(big)] },
  });
  const small = textPayload(50);
  cases.push({
    id: '1.3.9',
    desc: 'text 50 B with a 50 ms pause between header and payload',
    run: async (p) => {
      const f = p.frame({ opcode: OP.TEXT, payload: small });
      const headerLength = p.role === 'client' ? 6 : 2;
      await p.send(f.subarray(0, headerLength));
      await p.sleep(50);
      await p.send(f.subarray(headerLength));
    },
    expect: { echo: [text(small)] },
  });
  const three = [text('first'), binary(binaryPayload(300, 11)), text('third')];
  cases.push({
    id: '1.3.10',
    desc: 'three messages (text, binary 300 B, text) in one write',
    run: (p) => p.sendFrames(three.map((m) => ({ opcode: m.type === 'text' ? OP.TEXT : OP.BINARY, payload: m.data }))),
    expect: { echo: three },
  });
  const hundred = Array.from({ length: 100 }, (_, i) => text(`message ${i}`));
  cases.push({
    id: '1.3.11',
    desc: '100 small text messages in one write',
    run: (p) => p.sendFrames(hundred.map((m) => ({ opcode: OP.TEXT, payload: m.data }))),
    expect: { echo: hundred },
  });
  cases.push({
    id: '1.3.12',
    desc: '100 small text messages, random splits (seed 3, up to 7 B)',
    run: (p) => p.sendFrames(hundred.map((m) => ({ opcode: OP.TEXT, payload: m.data })), { chop: { random: 3, max: 7 } }),
    expect: { echo: hundred },
  });
}

// 1.4: length fields a conforming sender never writes.
{
  const nonMinimal = [
    ['text 5 B with a 16-bit length field', 5, 16],
    ['text 125 B with a 64-bit length field', 125, 64],
    ['binary 65535 B with a 64-bit length field', 65535, 64],
  ];
  nonMinimal.forEach(([desc, n, lengthForm], i) => {
    const payload = textPayload(n);
    const isText = desc.startsWith('text');
    cases.push({
      id: `1.4.${i + 1}`,
      desc: `${desc} (non-minimal: the RFC tells senders not to; a receiver may accept or fail)`,
      run: (p) => p.sendFrames({ opcode: isText ? OP.TEXT : OP.BINARY, payload, lengthForm }),
      expect: [{ echo: [isText ? text(payload) : binary(payload)] }, { fail: [1002] }],
    });
  });
  cases.push({
    id: '1.4.4',
    desc: '64-bit length with the most significant bit set (2^63 + 5), 5 B payload',
    run: (p) => p.sendFrames({ opcode: OP.BINARY, payload: Buffer.from('hello'), declaredLength: 2n ** 63n + 5n }),
    expect: { fail: [1002, 1009] },
  });
  cases.push({
    id: '1.4.5',
    desc: '64-bit length 2^63 − 1, no payload',
    run: (p) => p.sendFrames({ opcode: OP.BINARY, declaredLength: 2n ** 63n - 1n }),
    expect: { fail: [1009, 1002] },
  });
  cases.push({
    id: '1.4.6',
    desc: '64-bit length 2^32 + 5 (non-zero upper word), 5 B payload: must not be read as 5',
    run: (p) => p.sendFrames({ opcode: OP.BINARY, payload: Buffer.from('hello'), declaredLength: 2n ** 32n + 5n }),
    expect: { fail: [1009] },
  });
}

export default { category: '1', title: 'Framing', cases };
