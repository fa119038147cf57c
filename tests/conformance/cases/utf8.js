// Category 6 — UTF-8 in text messages (RFC 6455 8.1): valid text is echoed
// byte for byte however it is cut; invalid text fails the connection with
// 1007, as soon as the bytes received prove it invalid (6.4).

import { OP } from '../raw-frames.js';
import { text } from '../verdict.js';
import { KiB, MiB, fragmentSpecs, splitEvery, textPayload } from './payloads.js';
import { INVALID, VALID } from './utf8-sequences.js';

const T = OP.TEXT;
const C = OP.CONTINUATION;
const FAIL_FAST_WAIT_MS = 500;
const INVALID_UTF8 = { fail: [1007] };

const cases = [];
const frames = (specs, opts) => (p) => p.sendFrames(specs, opts);

// 6.1 empty text.
cases.push({ id: '6.1.1', desc: 'empty text message', run: frames({ opcode: T }), expect: { echo: [text('')] } });
cases.push({ id: '6.1.2', desc: 'empty text message in 3 empty fragments', run: frames(fragmentSpecs(T, [Buffer.alloc(0), Buffer.alloc(0), Buffer.alloc(0)])), expect: { echo: [text('')] } });
cases.push({ id: '6.1.3', desc: 'text: empty fragment, "middle", empty fragment', run: frames(fragmentSpecs(T, [Buffer.alloc(0), Buffer.from('middle'), Buffer.alloc(0)])), expect: { echo: [text('middle')] } });

// 6.2 valid text fragmented at every byte position (2 fragments).
{
  const samples = [Buffer.from('Hello-µ@ßöäüàá-UTF-8!!'), Buffer.from('κόσμε😀€')];
  let n = 0;
  for (const payload of samples) {
    for (let cut = 1; cut < payload.length; cut++) {
      cases.push({
        id: `6.2.${++n}`,
        desc: `valid ${JSON.stringify(payload.toString())} in 2 fragments cut at byte ${cut}`,
        run: frames(fragmentSpecs(T, [payload.subarray(0, cut), payload.subarray(cut)])),
        expect: { echo: [text(payload)] },
      });
    }
  }
}

// 6.3 invalid text fragmented at every byte position (2 fragments).
{
  const payload = INVALID.at(-1)[1]; // "κόσμε", a surrogate, "edited"
  for (let cut = 1; cut < payload.length; cut++) {
    cases.push({
      id: `6.3.${cut}`,
      desc: `invalid "κόσμε<ed a0 80>edited" in 2 fragments cut at byte ${cut}`,
      run: frames(fragmentSpecs(T, [payload.subarray(0, cut), payload.subarray(cut)])),
      expect: INVALID_UTF8,
    });
  }
}

// 6.4 fail fast: the rest of the message is sent only after waiting for the
// target to fail the connection; failing only after the rest is NON-STRICT.
{
  const failFast = (desc, first, rest) => ({
    desc,
    run: async (p) => {
      await p.send(first(p));
      await p.waitTargetGone(FAIL_FAST_WAIT_MS);
      p.mark('rest');
      await p.send(rest(p));
    },
    expect: { fail: [1007], failFastMark: 'rest' },
  });
  const list = [];
  const kosme = Buffer.from('κόσμε');
  const surrogate = Buffer.from('eda080', 'hex');
  const edited = Buffer.from('edited');
  list.push(
    failFast(
      'text in 3 fragments: valid, a surrogate (invalid), valid — wait after the 2nd',
      (p) => [p.frame({ opcode: T, fin: false, payload: kosme }), p.frame({ opcode: C, fin: false, payload: surrogate })],
      (p) => p.frame({ opcode: C, payload: edited }),
    ),
  );
  list.push(
    failFast(
      'text in 3 fragments: the 2nd ends with f4 90, invalid from its 2nd byte — wait after it',
      (p) => [p.frame({ opcode: T, fin: false, payload: kosme }), p.frame({ opcode: C, fin: false, payload: Buffer.from('f490', 'hex') })],
      (p) => p.frame({ opcode: C, payload: Buffer.concat([Buffer.from('8080', 'hex'), edited]) }),
    ),
  );
  {
    const payload = Buffer.concat([kosme, surrogate, edited]);
    const at = kosme.length + surrogate.length;
    list.push(
      failFast(
        'one text frame, chopped: "κόσμε" and a surrogate, wait, then "edited"',
        (p) => (p.cache = p.frame({ opcode: T, payload })).subarray(0, (p.role === 'client' ? 6 : 2) + at),
        (p) => p.cache.subarray((p.role === 'client' ? 6 : 2) + at),
      ),
    );
  }
  {
    const payload = Buffer.concat([kosme, Buffer.from('f49080', 'hex'), Buffer.from('80'), edited]);
    const at = kosme.length + 2;
    list.push(
      failFast(
        'one text frame, chopped right after f4 90 (invalid from that byte), wait, then the rest',
        (p) => (p.cache = p.frame({ opcode: T, payload })).subarray(0, (p.role === 'client' ? 6 : 2) + at),
        (p) => p.cache.subarray((p.role === 'client' ? 6 : 2) + at),
      ),
    );
  }
  const longParts = (badIndex) => {
    const parts = splitEvery(textPayload(MiB), 64 * KiB).map((b) => Buffer.from(b));
    if (badIndex !== null) parts[badIndex][10] = 0xff;
    return parts;
  };
  {
    const parts = longParts(0);
    list.push(
      failFast(
        '1 MiB text in 16 fragments, 0xff in the 1st: wait after it, then the other 15',
        (p) => p.frame({ opcode: T, fin: false, payload: parts[0] }),
        (p) => parts.slice(1).map((b, i) => p.frame({ opcode: C, fin: i === parts.length - 2, payload: b })),
      ),
    );
  }
  {
    const parts = longParts(7);
    const specs = fragmentSpecs(T, parts);
    list.push(
      failFast(
        '1 MiB text in 16 fragments, 0xff in the 8th: wait after it, then the other 8',
        (p) => specs.slice(0, 8).map((s) => p.frame(s)),
        (p) => specs.slice(8).map((s) => p.frame(s)),
      ),
    );
  }
  {
    const parts = longParts(15);
    list.push({
      desc: '1 MiB text in 16 fragments, 0xff in the last',
      run: frames(fragmentSpecs(T, parts)),
      expect: INVALID_UTF8,
    });
  }
  {
    const payload = Buffer.from(textPayload(MiB));
    payload[10] = 0xff;
    list.push(
      failFast(
        '1 MiB text in one frame, 0xff at byte 10: the first 64 KiB, wait, then the rest',
        (p) => (p.cache = p.frame({ opcode: T, payload })).subarray(0, 64 * KiB),
        (p) => p.cache.subarray(64 * KiB),
      ),
    );
  }
  list.push({
    desc: 'text whose final fragment ends inside a sequence: "abc" | e2 82',
    run: frames(fragmentSpecs(T, [Buffer.from('abc'), Buffer.from('e282', 'hex')])),
    expect: INVALID_UTF8,
  });
  list.push({
    desc: 'a sequence spread over the last two fragments, left incomplete: "abc" e2 | 82',
    run: frames(fragmentSpecs(T, [Buffer.concat([Buffer.from('abc'), Buffer.from('e2', 'hex')]), Buffer.from('82', 'hex')])),
    expect: INVALID_UTF8,
  });
  list.push({
    desc: 'a surrogate spread over two fragments: "ab" ed | a0 80',
    run: frames(fragmentSpecs(T, [Buffer.concat([Buffer.from('ab'), Buffer.from('ed', 'hex')]), Buffer.from('a080', 'hex')])),
    expect: INVALID_UTF8,
  });
  list.push({
    desc: 'a valid 3-byte character spread over three fragments: e2 | 82 | ac (€)',
    run: frames(fragmentSpecs(T, [Buffer.from('e2', 'hex'), Buffer.from('82', 'hex'), Buffer.from('ac', 'hex')])),
    expect: { echo: [text('€')] },
  });
  list.forEach((c, i) => cases.push({ id: `6.4.${i + 1}`, ...c }));
}

// 6.5-6.10: every stress-test sequence, sent three ways.
const MODES = [
  ['in one frame', (payload) => frames({ opcode: T, payload })],
  ['in fragments of 1 byte', (payload) => frames(fragmentSpecs(T, splitEvery(payload, 1)))],
  ['in one frame written 1 byte at a time', (payload) => frames({ opcode: T, payload }, { chop: 1 })],
];
MODES.forEach(([how, run], m) => {
  VALID.forEach(([name, payload], i) => {
    cases.push({ id: `6.${5 + m}.${i + 1}`, desc: `valid: ${name}, ${how}`, run: run(payload), expect: { echo: [text(payload)] } });
  });
});
MODES.forEach(([how, run], m) => {
  INVALID.forEach(([name, payload], i) => {
    cases.push({ id: `6.${8 + m}.${i + 1}`, desc: `invalid: ${name}, ${how}`, run: run(payload), expect: INVALID_UTF8 });
  });
});

export default { category: '6', title: 'UTF-8', cases };
