// toPayload() and isBlob() from src/api/payload.ts: what send(), ping(),
// pong() and close() turn their arguments into. The bytes of a view are
// exactly its own, never its neighbours' (SECURITY-CASES row 1).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isBlob, toPayload } from '../../dist/api/payload.js';
import { closeAll, closeOf, nextEvent, openPair } from './api-harness.js';

after(closeAll);

const hexOf = (data) => toPayload(data, 'data').toString('hex');

describe('toPayload', () => {
  test('strings become their UTF-8 bytes; a lone surrogate becomes U+FFFD', () => {
    assert.equal(hexOf(''), '');
    assert.equal(hexOf('A'), '41');
    assert.equal(hexOf('é€😀'), 'c3a9e282acf09f9880');
    assert.equal(hexOf('\ud800'), 'efbfbd');
  });

  test('a Buffer is used as it is, without a copy', () => {
    const buffer = Buffer.from('abc');
    assert.equal(toPayload(buffer, 'data'), buffer);
    const slice = Buffer.from('0123456789').subarray(2, 5);
    assert.equal(toPayload(slice, 'data').toString(), '234');
  });

  test('numbers become their decimal text', () => {
    assert.deepEqual(
      [42, 0, -1.5, 1e21, NaN, Infinity].map((n) => toPayload(n, 'data').toString()),
      ['42', '0', '-1.5', '1e+21', 'NaN', 'Infinity'],
    );
  });

  test('ArrayBuffer and SharedArrayBuffer give all their bytes', () => {
    const ab = new Uint8Array([1, 2, 3]).buffer;
    assert.equal(hexOf(ab), '010203');
    assert.equal(hexOf(new ArrayBuffer(0)), '');
    const shared = new SharedArrayBuffer(2);
    new Uint8Array(shared).set([0xaa, 0xbb]);
    assert.equal(hexOf(shared), 'aabb');
  });

  test('a view gives exactly the bytes it covers, whatever its offset, length and element size', () => {
    const backing = new ArrayBuffer(32);
    new Uint8Array(backing).forEach((_, i, a) => (a[i] = i));
    const cases = [
      [new Uint8Array(backing, 5, 3), '050607'],
      [new Uint8Array(backing, 31), '1f'],
      [new Uint8Array(backing, 8, 0), ''],
      [new Int8Array(backing, 1, 2), '0102'],
      [new Uint16Array(backing, 2, 2), '02030405'],
      [new Uint32Array(backing, 4, 1), '04050607'],
      [new Float32Array(backing, 8, 1), '08090a0b'],
      [new BigUint64Array(backing, 16, 1), '1011121314151617'],
      [new DataView(backing, 30, 2), '1e1f'],
      [new Uint8ClampedArray(backing, 0, 2), '0001'],
    ];
    for (const [view, expected] of cases) {
      assert.equal(hexOf(view), expected, `${view.constructor.name}(${view.byteOffset}, ${view.byteLength})`);
      assert.equal(toPayload(view, 'data').length, view.byteLength);
    }
  });

  test('a view into the Buffer pool carries only its own bytes', () => {
    const pooled = Buffer.from('secret-before|mine|secret-after');
    const view = new Uint8Array(pooled.buffer, pooled.byteOffset + 14, 4);
    assert.equal(toPayload(view, 'data').toString(), 'mine');
  });

  test('undefined is an empty payload', () => {
    assert.equal(toPayload(undefined, 'data').length, 0);
  });

  test('anything else is a TypeError naming the argument and what it got', () => {
    const cases = [
      [null, /null/],
      [{}, /Object/],
      [[1, 2], /Array/],
      [true, /boolean/],
      [Symbol('s'), /symbol/],
      [() => {}, /function/],
      [new Blob(['x']), /Blob/],
      [Object.create(null), /object/],
      [10n, /bigint/],
    ];
    for (const [value, got] of cases) {
      assert.throws(
        () => toPayload(value, 'ping data'),
        (error) => error instanceof TypeError && error.message.startsWith('ping data must be') && got.test(error.message),
        String(typeof value),
      );
    }
  });
});

describe('isBlob', () => {
  test('true for Blob and File, false for bytes and look-alikes', () => {
    assert.equal(isBlob(new Blob(['x'])), true);
    assert.equal(isBlob(new File(['x'], 'x.txt')), true);
    for (const value of [Buffer.from('x'), new ArrayBuffer(1), 'x', null, undefined, { size: 1, arrayBuffer() {} }]) {
      assert.equal(isBlob(value), false);
    }
  });
});

describe('payloads through a real connection', () => {
  test('a close reason may be a Buffer or a view; it reaches the peer as its exact bytes', async () => {
    const backing = Buffer.from('xxbye!xx');
    for (const reason of [Buffer.from('bye!'), new Uint8Array(backing.buffer, backing.byteOffset + 2, 4)]) {
      const { client, server } = await openPair();
      const serverClose = closeOf(server);
      client.close(4000, reason);
      assert.deepEqual(await serverClose, [4000, 'bye!']);
    }
  });

  test('a close reason that is not text or bytes is a TypeError; the socket stays open', async () => {
    const { client, server } = await openPair();
    assert.throws(() => client.close(1000, {}), TypeError);
    assert.equal(client.readyState, 1);
    const message = nextEvent(server, 'message');
    client.send('still open');
    assert.equal((await message)[0].toString(), 'still open');
  });

  test('File (a Blob) is sent as its bytes', async () => {
    const { client, server } = await openPair();
    const message = nextEvent(server, 'message');
    client.send(new File(['file body'], 'f.txt'));
    const [data, isBinary] = await message;
    assert.deepEqual([data.toString(), isBinary], ['file body', true]);
  });
});
