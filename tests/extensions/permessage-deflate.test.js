import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { PerMessageDeflate } from '../../dist/extensions/permessage-deflate.js';
import { ZlibLimiter } from '../../dist/extensions/zlib-limiter.js';
import { WebSocketError } from '../../dist/protocol/errors.js';

const MiB = 1024 * 1024;

const TAKEOVER = {
  serverNoContextTakeover: false,
  clientNoContextTakeover: false,
  serverMaxWindowBits: 15,
  clientMaxWindowBits: 15,
};

function codec(params = {}, role = 'server', options = {}) {
  return new PerMessageDeflate({ ...TAKEOVER, ...params }, role, { threshold: 0, maxPayload: 0, ...options });
}

function compress(pmd, data, fin = true) {
  return new Promise((resolve, reject) => {
    pmd.compress(Buffer.from(data), fin, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

function decompress(pmd, data, fin = true) {
  return new Promise((resolve, reject) => {
    pmd.decompress(Buffer.from(data), fin, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

/** A message through compress on one side and decompress on the other, frame by frame. */
async function roundTrip(sender, receiver, fragments) {
  const out = [];
  for (let i = 0; i < fragments.length; i++) {
    const fin = i === fragments.length - 1;
    out.push(await decompress(receiver, await compress(sender, fragments[i], fin), fin));
  }
  return Buffer.concat(out);
}

function hex(text) {
  return Buffer.from(text.replace(/ /g, ''), 'hex');
}

/** Pseudo-random but compressible bytes: words from a small alphabet. */
function sampleText(length, seed = 1) {
  const words = ['alpha ', 'beta ', 'gamma ', 'delta ', 'epsilon ', 'zeta ', 'eta ', 'theta '];
  const parts = [];
  let x = seed;
  let n = 0;
  while (n < length) {
    x = (x * 1103515245 + 12345) >>> 0;
    const word = words[x >>> 29];
    parts.push(word);
    n += word.length;
  }
  return Buffer.from(parts.join('')).subarray(0, length);
}

async function expectError(promise, code, closeCode) {
  await assert.rejects(promise, (error) => {
    assert.ok(error instanceof WebSocketError, String(error));
    assert.equal(error.code, code);
    assert.equal(error.closeCode, closeCode);
    return true;
  });
}

describe('RFC 7692 section 7.2.3 examples, byte for byte', () => {
  test('7.2.3.1 "Hello" as one compressed DEFLATE block, and in two fragments', async () => {
    const pmd = codec();
    assert.deepEqual(await compress(pmd, 'Hello'), hex('f2 48 cd c9 c9 07 00'));
    assert.equal((await decompress(pmd, hex('f2 48 cd c9 c9 07 00'))).toString(), 'Hello');
    const first = await decompress(pmd, hex('f2 48 cd'), false);
    const second = await decompress(pmd, hex('c9 c9 07 00'), true);
    assert.equal(Buffer.concat([first, second]).toString(), 'Hello');
    pmd.close();
  });

  test('7.2.3.2 sharing the LZ77 window: the second "Hello" is f2 00 11 00 00', async () => {
    const sender = codec();
    assert.deepEqual(await compress(sender, 'Hello'), hex('f2 48 cd c9 c9 07 00'));
    assert.deepEqual(await compress(sender, 'Hello'), hex('f2 00 11 00 00'));
    const receiver = codec();
    assert.equal((await decompress(receiver, hex('f2 48 cd c9 c9 07 00'))).toString(), 'Hello');
    assert.equal((await decompress(receiver, hex('f2 00 11 00 00'))).toString(), 'Hello');
    sender.close();
    receiver.close();
  });

  test('7.2.3.2 without context takeover both messages are compressed alike', async () => {
    const sender = codec({ serverNoContextTakeover: true }, 'server');
    assert.deepEqual(await compress(sender, 'Hello'), hex('f2 48 cd c9 c9 07 00'));
    assert.deepEqual(await compress(sender, 'Hello'), hex('f2 48 cd c9 c9 07 00'));
    // The client inflates the server's messages with a fresh context each time.
    const receiver = codec({ serverNoContextTakeover: true }, 'client');
    assert.equal((await decompress(receiver, hex('f2 48 cd c9 c9 07 00'))).toString(), 'Hello');
    assert.equal((await decompress(receiver, hex('f2 48 cd c9 c9 07 00'))).toString(), 'Hello');
    // A message that relies on the previous one cannot be inflated then.
    await expectError(decompress(receiver, hex('f2 00 11 00 00')), 'WSX_ERR_INVALID_COMPRESSED_DATA', 1007);
    sender.close();
    receiver.close();
  });

  test('7.2.3.3 a DEFLATE block with no compression', async () => {
    const pmd = codec();
    assert.equal((await decompress(pmd, hex('00 05 00 fa ff 48 65 6c 6c 6f 00'))).toString(), 'Hello');
    pmd.close();
  });

  test('7.2.3.4 a DEFLATE block with BFINAL set; the next message still inflates', async () => {
    const pmd = codec();
    assert.equal((await decompress(pmd, hex('f3 48 cd c9 c9 07 00 00'))).toString(), 'Hello');
    assert.equal((await decompress(pmd, hex('f2 48 cd c9 c9 07 00'))).toString(), 'Hello');
    pmd.close();
  });

  test('7.2.3.5 two DEFLATE blocks in one message', async () => {
    const pmd = codec();
    assert.equal((await decompress(pmd, hex('f2 48 05 00 00 00 ff ff ca c9 c9 07 00'))).toString(), 'Hello');
    pmd.close();
  });

  test('an empty message compresses to 00 and inflates back to nothing', async () => {
    const pmd = codec();
    assert.deepEqual(await compress(pmd, ''), hex('00'));
    assert.equal((await decompress(pmd, hex('00'))).length, 0);
    pmd.close();
  });
});

describe('round trips', () => {
  const sizes = [0, 1, 100, 5000, 200 * 1024];
  for (const serverNoContextTakeover of [false, true]) {
    for (const clientNoContextTakeover of [false, true]) {
      test(`server_no_context_takeover=${serverNoContextTakeover} client_no_context_takeover=${clientNoContextTakeover}, both directions`, async () => {
        const params = { serverNoContextTakeover, clientNoContextTakeover };
        const server = codec(params, 'server');
        const client = codec(params, 'client');
        for (const size of sizes) {
          const data = sampleText(size, size + 1);
          assert.deepEqual(await roundTrip(server, client, [data]), data, `server→client ${size}`);
          assert.deepEqual(await roundTrip(client, server, [data]), data, `client→server ${size}`);
          // Again, so the second message uses (or resets) the context.
          assert.deepEqual(await roundTrip(server, client, [data]), data);
          assert.deepEqual(await roundTrip(client, server, [data]), data);
        }
        server.close();
        client.close();
      });
    }
  }

  test('a message compressed across three fragments', async () => {
    const server = codec({}, 'server');
    const client = codec({}, 'client');
    const data = sampleText(30000, 7);
    const fragments = [data.subarray(0, 10), data.subarray(10, 20000), data.subarray(20000)];
    for (let round = 0; round < 3; round++) {
      assert.deepEqual(await roundTrip(server, client, fragments), data);
    }
    server.close();
    client.close();
  });

  test('every window size 9-15 both ways, and with zlib tuning', async () => {
    for (let bits = 9; bits <= 15; bits++) {
      const params = { serverMaxWindowBits: bits, clientMaxWindowBits: bits };
      const tuning = { zlibDeflateOptions: { level: 1, memLevel: 1 }, zlibInflateOptions: { chunkSize: 1024 } };
      const server = codec(params, 'server', tuning);
      const client = codec(params, 'client', tuning);
      assert.equal(server.deflateWindowBits, bits);
      assert.equal(server.inflateWindowBits, bits);
      const data = sampleText(70000, bits);
      assert.deepEqual(await roundTrip(server, client, [data]), data);
      assert.deepEqual(await roundTrip(client, server, [data]), data);
      assert.deepEqual(await roundTrip(client, server, [data]), data);
      server.close();
      client.close();
    }
  });

  test('zlibDeflateOptions.windowBits can only lower our window, never below 9', () => {
    assert.equal(codec({}, 'server', { zlibDeflateOptions: { windowBits: 10 } }).deflateWindowBits, 10);
    assert.equal(codec({}, 'server', { zlibDeflateOptions: { windowBits: 8 } }).deflateWindowBits, 9);
    assert.equal(codec({ serverMaxWindowBits: 11 }, 'server', { zlibDeflateOptions: { windowBits: 13 } }).deflateWindowBits, 11);
  });

  test('a peer that compresses with zlib directly (as other implementations do) is understood', async () => {
    const data = sampleText(50000, 3);
    const raw = zlib.deflateRawSync(data, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    assert.deepEqual(raw.subarray(-4), hex('00 00 ff ff'));
    const pmd = codec();
    assert.deepEqual(await decompress(pmd, raw.subarray(0, -4)), data);
    pmd.close();
  });
});

/**
 * Writes raw DEFLATE by hand with the fixed Huffman codes (RFC 1951 3.2.6), so
 * a test can hold an 8-bit-window stream that zlib itself cannot produce.
 */
class FixedHuffmanWriter {
  constructor() {
    this.bytes = [];
    this.current = 0;
    this.count = 0;
  }
  bits(value, n) {
    for (let i = 0; i < n; i++) {
      this.current |= ((value >> i) & 1) << this.count;
      if (++this.count === 8) {
        this.bytes.push(this.current);
        this.current = 0;
        this.count = 0;
      }
    }
  }
  code(value, n) {
    for (let i = n - 1; i >= 0; i--) this.bits((value >> i) & 1, 1);
  }
  startBlock() {
    this.bits(0, 1); // BFINAL 0
    this.bits(1, 2); // fixed Huffman
  }
  literal(byte) {
    if (byte < 144) this.code(0x30 + byte, 8);
    else this.code(0x190 + byte - 144, 9);
  }
  /** A match of length 3 (code 257); distance 256 (code 15 + 6 bits) or 257 (code 16 + 7 bits). */
  match3(distance) {
    this.code(1, 7);
    if (distance === 256) {
      this.code(15, 5);
      this.bits(63, 6);
    } else if (distance === 257) {
      this.code(16, 5);
      this.bits(0, 7);
    } else {
      throw new Error('unsupported distance');
    }
  }
  endBlock() {
    this.code(0, 7);
  }
  /** An empty stored block (the sync flush) whose 00 00 FF FF the sender drops. */
  finishMessage() {
    this.bits(0, 3);
    if (this.count > 0) this.bits(0, 8 - this.count);
    return Buffer.from(this.bytes);
  }
}

describe('window bits', () => {
  test('8-bit window for our side: canCompress is false, compress refuses, messages go uncompressed', () => {
    const server = codec({ serverMaxWindowBits: 8 }, 'server');
    assert.equal(server.canCompress, false);
    assert.equal(server.shouldCompress(1 << 20), false);
    assert.throws(() => server.compress(Buffer.from('x'), true, () => {}), /8-bit window/);
    server.close();
    const client = codec({ clientMaxWindowBits: 8 }, 'client');
    assert.equal(client.canCompress, false);
    client.close();
    // The other side can still compress.
    const other = codec({ serverMaxWindowBits: 8 }, 'client', { threshold: 10 });
    assert.equal(other.canCompress, true);
    assert.equal(other.shouldCompress(9), false);
    assert.equal(other.shouldCompress(10), true);
    other.close();
  });

  function firstMessage(length) {
    const w = new FixedHuffmanWriter();
    w.startBlock();
    for (let i = 0; i < length; i++) w.literal(i & 0xff);
    w.endBlock();
    return w.finishMessage();
  }

  function secondMessage(distance) {
    const w = new FixedHuffmanWriter();
    w.startBlock();
    w.match3(distance);
    w.endBlock();
    return w.finishMessage();
  }

  test('inflating a peer stream made for an 8-bit window, reaching back exactly 256 bytes', async () => {
    const client = codec({ serverMaxWindowBits: 8 }, 'client');
    assert.equal(client.inflateWindowBits, 8);
    const first = await decompress(client, firstMessage(256));
    assert.deepEqual(first, Buffer.from(Array.from({ length: 256 }, (_, i) => i)));
    assert.deepEqual(await decompress(client, secondMessage(256)), Buffer.from([0, 1, 2]));
    client.close();
  });

  test('the negotiated window is the one used: 257 bytes back fails with 8 bits, works with 15', async () => {
    const narrow = codec({ serverMaxWindowBits: 8 }, 'client');
    await decompress(narrow, firstMessage(257));
    await expectError(decompress(narrow, secondMessage(257)), 'WSX_ERR_INVALID_COMPRESSED_DATA', 1007);
    narrow.close();
    const wide = codec({}, 'client');
    await decompress(wide, firstMessage(257));
    assert.deepEqual(await decompress(wide, secondMessage(257)), Buffer.from([0, 1, 2]));
    wide.close();
  });
});

describe('hostile input', () => {
  /**
   * A compressed message that inflates to `segments` MiB of zeros: one sync-
   * flushed segment (about 1 KiB for 1 MiB) repeated, which is a valid stream.
   */
  function bomb(segments) {
    const segment = zlib.deflateRawSync(Buffer.alloc(MiB), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    const whole = Buffer.concat(Array.from({ length: segments }, () => segment));
    return whole.subarray(0, whole.length - 4);
  }

  async function assertBombStopped(params, role, fragmentCount) {
    const payload = bomb(256); // 256 MiB once inflated, ~260 KiB on the wire
    assert.ok(payload.length < 300 * 1024, `bomb is ${payload.length} bytes`);
    const pmd = codec(params, role, { maxPayload: MiB });
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    const step = Math.ceil(payload.length / fragmentCount);
    const results = [];
    for (let i = 0; i < fragmentCount; i++) {
      const fin = i === fragmentCount - 1;
      results.push(
        decompress(pmd, payload.subarray(i * step, fin ? payload.length : (i + 1) * step), fin).then(
          (value) => ({ value }),
          (error) => ({ error }),
        ),
      );
    }
    const settled = await Promise.all(results);
    const rssGrowth = process.memoryUsage().rss - rssBefore;
    if (process.env.WSX_DEBUG) console.log(`bomb RSS growth ${(rssGrowth / MiB).toFixed(1)} MiB`);
    const firstError = settled.find((r) => r.error)?.error;
    assert.ok(firstError instanceof WebSocketError, 'the bomb must fail');
    assert.equal(firstError.code, 'WSX_ERR_MESSAGE_TOO_BIG');
    assert.equal(firstError.closeCode, 1009);
    // Every fragment after the failing one fails the same way: nothing more is inflated.
    const failedFrom = settled.findIndex((r) => r.error);
    for (const r of settled.slice(failedFrom)) assert.equal(r.error, firstError);
    const delivered = settled.slice(0, failedFrom).reduce((n, r) => n + r.value.length, 0);
    assert.ok(delivered <= MiB, `delivered ${delivered} bytes before failing`);
    assert.ok(rssGrowth < 48 * MiB, `RSS grew by ${(rssGrowth / MiB).toFixed(1)} MiB for a 256 MiB bomb`);
    pmd.close();
  }

  test('row 9: a 256 MiB bomb with maxPayload 1 MiB fails with 1009, RSS stays low (server, one frame)', async () => {
    await assertBombStopped({}, 'server', 1);
  });

  test('row 9: the same bomb split over 8 fragments, no context takeover, server to client', async () => {
    await assertBombStopped({ serverNoContextTakeover: true, clientNoContextTakeover: true }, 'client', 8);
  });

  test('row 9: small fragments that are each under the limit but together over it', async () => {
    const pmd = codec({}, 'server', { maxPayload: 100000 });
    const sender = codec({}, 'client');
    const part = sampleText(40000, 5);
    assert.equal((await decompress(pmd, await compress(sender, part, false), false)).length, 40000);
    assert.equal((await decompress(pmd, await compress(sender, part, false), false)).length, 40000);
    await expectError(decompress(pmd, await compress(sender, part, true), true), 'WSX_ERR_MESSAGE_TOO_BIG', 1009);
    pmd.close();
    sender.close();
  });

  test('maxPayload is inclusive, counted per message, and 0 disables it', async () => {
    const sender = codec({}, 'client');
    const exact = codec({}, 'server', { maxPayload: 5000 });
    const data = sampleText(5000, 9);
    assert.equal((await decompress(exact, await compress(sender, data))).length, 5000);
    assert.equal((await decompress(exact, await compress(sender, data))).length, 5000);
    await expectError(
      decompress(exact, await compress(sender, sampleText(5001, 9))),
      'WSX_ERR_MESSAGE_TOO_BIG',
      1009,
    );
    exact.close();
    const unlimited = codec({}, 'server', { maxPayload: 0 });
    assert.equal((await decompress(unlimited, bomb(3))).length, 3 * MiB);
    unlimited.close();
    sender.close();
  });

  test('corrupt data fails with 1007, and so does everything after it', async () => {
    const pmd = codec();
    await expectError(decompress(pmd, hex('ff ff ff ff')), 'WSX_ERR_INVALID_COMPRESSED_DATA', 1007);
    await expectError(decompress(pmd, hex('f2 48 cd c9 c9 07 00')), 'WSX_ERR_INVALID_COMPRESSED_DATA', 1007);
    pmd.close();
    // A reserved block type (BTYPE 11) in a fresh codec.
    const other = codec();
    await expectError(decompress(other, hex('07 00')), 'WSX_ERR_INVALID_COMPRESSED_DATA', 1007);
    other.close();
  });
});

describe('ordering, concurrency and lifecycle', () => {
  test('callbacks are never synchronous', () => {
    const pmd = codec();
    let called = false;
    pmd.compress(Buffer.from('x'), true, () => {
      called = true;
    });
    pmd.decompress(hex('f2 48 cd c9 c9 07 00'), true, () => {
      called = true;
    });
    assert.equal(called, false);
    pmd.close();
  });

  test('per-instance call order is kept; the limiter bounds jobs and hands slots out fairly', async () => {
    const limiter = new ZlibLimiter(1);
    const instances = ['a', 'b', 'c'].map((name) => ({ name, pmd: codec({}, 'server', { limiter }) }));
    const order = [];
    let maxActive = 0;
    const done = [];
    for (let i = 0; i < 4; i++) {
      for (const { name, pmd } of instances) {
        // Sizes vary so that a larger job would finish later if jobs overlapped.
        const data = sampleText(i % 2 === 0 ? 60000 : 10, i);
        done.push(
          new Promise((resolve, reject) => {
            pmd.compress(data, true, (error, result) => {
              maxActive = Math.max(maxActive, limiter.activeCount);
              if (error) reject(error);
              order.push(`${name}${i}`);
              resolve(result);
            });
          }),
        );
      }
    }
    assert.equal(limiter.activeCount, 1);
    assert.equal(limiter.pendingCount, 2);
    await Promise.all(done);
    assert.deepEqual(order, ['a0', 'b0', 'c0', 'a1', 'b1', 'c1', 'a2', 'b2', 'c2', 'a3', 'b3', 'c3']);
    assert.equal(maxActive, 1, 'one job at a time (the next lane already holds the freed slot)');
    assert.equal(limiter.activeCount, 0);
    for (const { pmd } of instances) pmd.close();
  });

  test('compress output of queued messages stays valid and in order for the peer', async () => {
    const server = codec({}, 'server');
    const client = codec({}, 'client');
    const messages = Array.from({ length: 20 }, (_, i) => sampleText(100 + i * 997, i));
    const compressed = await Promise.all(messages.map((m) => compress(server, m)));
    for (let i = 0; i < messages.length; i++) {
      assert.deepEqual(await decompress(client, compressed[i]), messages[i]);
    }
    server.close();
    client.close();
  });

  test('a long backlog (2 500 queued frames) completes in order', async () => {
    const server = codec({}, 'server');
    const client = codec({}, 'client');
    const order = [];
    const outputs = [];
    await new Promise((resolve, reject) => {
      for (let i = 0; i < 2500; i++) {
        server.compress(Buffer.from(`message ${i}`), true, (error, result) => {
          if (error) return reject(error);
          order.push(i);
          outputs.push(result);
          if (i === 2499) resolve();
        });
      }
      assert.equal(server.pendingCompressions, 2500);
    });
    assert.deepEqual(order, Array.from({ length: 2500 }, (_, i) => i));
    assert.equal(server.pendingCompressions, 0);
    // Context takeover: the peer follows only if it inflates every message in order.
    const texts = await Promise.all(outputs.map((output) => decompress(client, output)));
    assert.deepEqual(
      texts.map((t) => t.toString()),
      order.map((i) => `message ${i}`),
    );
    server.close();
    client.close();
  });

  test('the limiter never recurses: 20 000 waiters that release at once', () => {
    const limiter = new ZlibLimiter(2);
    let served = 0;
    const waiter = {
      onZlibSlot() {
        served++;
        limiter.release();
      },
    };
    const blocker = { onZlibSlot() {} };
    limiter.acquire(blocker);
    limiter.acquire(blocker);
    for (let i = 0; i < 20000; i++) limiter.acquire(waiter);
    assert.equal(limiter.pendingCount, 20000);
    limiter.release();
    assert.equal(served, 20000);
    assert.equal(limiter.activeCount, 1);
    assert.equal(limiter.pendingCount, 0);
    assert.throws(() => new ZlibLimiter(0), RangeError);
  });

  test('close() fails running and queued jobs in order, frees the slot, and later calls fail', async () => {
    const limiter = new ZlibLimiter(1);
    const pmd = codec({}, 'server', { limiter });
    const seen = [];
    const record = (label) => (error, result) => seen.push([label, error?.code ?? null, result?.length ?? null]);
    pmd.compress(sampleText(100000), true, record('c1'));
    pmd.compress(sampleText(100), true, record('c2'));
    pmd.decompress(hex('f2 48 cd c9 c9 07 00'), true, record('d1'));
    pmd.close();
    assert.deepEqual(seen, [
      ['c1', 'WSX_ERR_NOT_OPEN', null],
      ['c2', 'WSX_ERR_NOT_OPEN', null],
      ['d1', 'WSX_ERR_NOT_OPEN', null],
    ]);
    assert.equal(limiter.activeCount, 0);
    await expectError(decompress(pmd, hex('00')), 'WSX_ERR_NOT_OPEN', 1006);
    await expectError(compress(pmd, 'x'), 'WSX_ERR_NOT_OPEN', 1006);
    // The lane that was waiting in the limiter gives its slot back.
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(limiter.activeCount, 0);
    assert.equal(limiter.pendingCount, 0);
    pmd.close(); // idempotent
  });
});
