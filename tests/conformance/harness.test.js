// Tests of the conformance harness itself: the hand-made frames match the
// RFC's own examples byte for byte, the reader parses what it is fed however it
// is cut, verdicts come out as documented, and the whole loop both passes a
// correct peer (ws) and catches a broken one (ws with UTF-8 checks switched off).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameReader, OP, RSV1, applyMask, closePayload, encodeFrame } from './raw-frames.js';
import { pieces } from './chopped-writer.js';
import { acceptFor, parseHead, headerTokens } from './http-head.js';
import { judge, text, pong } from './verdict.js';
import { Runner } from './runner.js';
import { loadTarget } from './targets.js';
import { allCases } from './cases/index.js';

test('frames: the RFC 6455 5.7 examples, byte for byte', () => {
  assert.deepEqual(encodeFrame({ opcode: OP.TEXT, payload: 'Hello' }), Buffer.from('810548656c6c6f', 'hex'));
  const key = Buffer.from('37fa213d', 'hex');
  assert.deepEqual(encodeFrame({ opcode: OP.TEXT, payload: 'Hello', mask: key }), Buffer.from('818537fa213d7f9f4d5158', 'hex'));
  assert.deepEqual(encodeFrame({ opcode: OP.TEXT, fin: false, payload: 'Hel' }), Buffer.from('010348656c', 'hex'));
  assert.deepEqual(encodeFrame({ opcode: OP.CONTINUATION, payload: 'lo' }), Buffer.from('80026c6f', 'hex'));
  assert.deepEqual(encodeFrame({ opcode: OP.PING, payload: 'Hello' }), Buffer.from('890548656c6c6f', 'hex'));
  assert.deepEqual(encodeFrame({ opcode: OP.BINARY, payload: Buffer.alloc(256) }).subarray(0, 4), Buffer.from('827e0100', 'hex'));
  assert.deepEqual(encodeFrame({ opcode: OP.BINARY, payload: Buffer.alloc(65536) }).subarray(0, 10), Buffer.from('827f0000000000010000', 'hex'));
});

test('frames: forced length forms, declared lengths and RSV bits', () => {
  assert.deepEqual(encodeFrame({ opcode: OP.TEXT, payload: 'a', lengthForm: 16 }), Buffer.from('817e000161', 'hex'));
  assert.deepEqual(encodeFrame({ opcode: OP.TEXT, payload: 'a', lengthForm: 64 }), Buffer.from('817f000000000000000161', 'hex'));
  assert.deepEqual(encodeFrame({ opcode: OP.BINARY, declaredLength: 2n ** 63n - 1n }), Buffer.from('827f7fffffffffffffff', 'hex'));
  assert.deepEqual(encodeFrame({ opcode: OP.TEXT, rsv: RSV1 }), Buffer.from('c100', 'hex'));
  assert.deepEqual(encodeFrame({ opcode: 0xb }), Buffer.from('8b00', 'hex'));
  assert.deepEqual(closePayload(1000, 'ok'), Buffer.from('03e86f6b', 'hex'));
  assert.deepEqual(closePayload(undefined), Buffer.alloc(0));
});

test('reader: parses masked and unmasked frames fed one byte at a time', () => {
  const payload = Buffer.alloc(70000, 0x61);
  const bytes = Buffer.concat([
    encodeFrame({ opcode: OP.TEXT, payload: 'Hello', mask: Buffer.from('37fa213d', 'hex') }),
    encodeFrame({ opcode: OP.BINARY, payload, fin: false }),
    encodeFrame({ opcode: OP.CLOSE, payload: closePayload(1002) }),
  ]);
  for (const chop of [1, 7, bytes.length]) {
    const reader = new FrameReader();
    const frames = pieces(bytes, chop).flatMap((p) => reader.push(p));
    assert.equal(frames.length, 3, `chop ${chop}`);
    assert.deepEqual(frames[0], { fin: true, rsv: 0, opcode: OP.TEXT, masked: true, minimalLength: true, payload: Buffer.from('Hello') });
    assert.equal(frames[1].fin, false);
    assert.deepEqual(frames[1].payload, payload);
    assert.deepEqual(frames[2].payload, Buffer.from('03ea', 'hex'));
  }
});

test('reader: flags non-minimal lengths and absurd ones', () => {
  const reader = new FrameReader();
  const [f] = reader.push(encodeFrame({ opcode: OP.TEXT, payload: 'a', lengthForm: 64 }));
  assert.equal(f.minimalLength, false);
  assert.deepEqual(reader.push(encodeFrame({ opcode: OP.BINARY, declaredLength: 2n ** 63n })), []);
  assert.match(reader.error, /absurd/);
});

test('masking is an involution and honours the key offset', () => {
  const data = Buffer.from('conformance');
  const key = Buffer.from([1, 2, 3, 4]);
  assert.deepEqual(applyMask(applyMask(Buffer.from(data), key), key), data);
  const whole = applyMask(Buffer.from(data), key);
  const tail = applyMask(Buffer.from(data.subarray(5)), key, 5);
  assert.deepEqual(tail, whole.subarray(5));
});

test('chops: fixed, whole and seeded random splits cover every byte in order', () => {
  const buf = Buffer.from('0123456789');
  assert.deepEqual(pieces(buf, 3).map(String), ['012', '345', '678', '9']);
  assert.deepEqual(pieces(buf, 'whole'), [buf]);
  const a = pieces(buf, { random: 7, max: 4 });
  assert.deepEqual(Buffer.concat(a), buf);
  assert.deepEqual(pieces(buf, { random: 7, max: 4 }).map(String), a.map(String), 'same seed, same splits');
});

test('http: the RFC 6455 sample accept value and header parsing', () => {
  assert.equal(acceptFor('dGhlIHNhbXBsZSBub25jZQ=='), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  const head = parseHead('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nconnection: keep-alive, Upgrade\r\nConnection: x');
  assert.equal(head.startLine, 'HTTP/1.1 101 Switching Protocols');
  assert.deepEqual(headerTokens(head.headers, 'Connection'), ['keep-alive', 'upgrade', 'x']);
});

/** A recorded session, as a PeerSession would leave it. */
function session(over) {
  return { items: [], anomalies: [], closeFrame: null, endedAt: null, marks: new Map(), initiatedClose: false, get targetGone() { return this.closeFrame !== null || this.endedAt !== null; }, get targetGoneAt() { return this.closeFrame?.at ?? this.endedAt; }, ...over };
}

test('verdicts: echo, fail, wrong code, drop, fail-fast and anomalies', () => {
  const echoed = session({ items: [{ ...text('hi'), at: 1 }], closeFrame: { code: 1000, at: 2 }, initiatedClose: true });
  assert.equal(judge({ echo: [text('hi')] }, echoed).verdict, 'OK');
  assert.equal(judge({ echo: [text('ho')] }, echoed).verdict, 'FAILED');
  assert.equal(judge({ echo: [text('hi'), pong('x')] }, echoed).verdict, 'FAILED');

  const failed = (code, over = {}) => session({ closeFrame: { code, at: 5 }, ...over });
  assert.equal(judge({ fail: [1002] }, failed(1002)).verdict, 'OK');
  assert.equal(judge({ fail: [1007] }, failed(1002)).verdict, 'NON-STRICT');
  assert.equal(judge({ fail: [1002] }, failed(1000)).verdict, 'FAILED');
  assert.equal(judge({ fail: [1002] }, failed(null)).verdict, 'NON-STRICT');
  assert.equal(judge({ fail: [1002] }, session({ endedAt: 3 })).verdict, 'NON-STRICT');
  assert.equal(judge({ fail: [1002] }, session({})).verdict, 'FAILED');
  assert.equal(judge({ fail: [1002] }, failed(1002, { anomalies: ['target sent a masked frame'] })).verdict, 'FAILED');
  const late = failed(1007, { marks: new Map([['rest', 4]]) });
  assert.equal(judge({ fail: [1007], failFastMark: 'rest' }, late).verdict, 'NON-STRICT');
  const early = failed(1007, { marks: new Map([['rest', 6]]) });
  assert.equal(judge({ fail: [1007], failFastMark: 'rest' }, early).verdict, 'OK');
  assert.equal(judge([{ echo: [text('x')] }, { fail: [1002], level: 'NON-STRICT' }], failed(1002)).verdict, 'NON-STRICT');
});

test('the loop passes ws and catches ws with UTF-8 validation switched off', async () => {
  const ws = await loadTarget('ws');
  const picked = allCases().filter((c) => ['1.1.3', '2.10', '5.6', '6.8.30', '7.9.4', '9.7.3'].includes(c.id));
  assert.equal(picked.length, 6);
  const runner = new Runner(ws);
  try {
    for (const c of picked) {
      for (const role of ['server', 'client']) {
        const r = await runner.runCase(c, role);
        assert.equal(r.verdict, 'OK', `${role} ${c.id}: ${r.note}`);
      }
    }
    const lax = { skipUTF8Validation: true };
    const invalid = allCases().find((c) => c.id === '6.8.30');
    for (const role of ['server', 'client']) {
      const r = await runner.runCase({ ...invalid, server: lax, client: lax }, role);
      assert.equal(r.verdict, 'FAILED', role);
      assert.match(r.note, /did not fail the connection \(expected 1007\)/);
    }
  } finally {
    await runner.close();
  }
});
