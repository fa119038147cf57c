// Interop with the `ws` package over real sockets on 127.0.0.1, both ways:
// the implementation under test as server with a ws client, and as client
// with a ws server. WSX_TARGET=ws runs ws against itself to validate the harness.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket as WsClient, WebSocketServer as WsServer } from 'ws';
import { WebSocket, WebSocketServer, targetName } from '../helpers/wsx-target.js';
import { NodePairFactory } from '../helpers/node-pair.js';
import { nextEvent, setTimeBudget } from '../helpers/peers.js';
import {
  MiB,
  WIRE_CLOSE_CODES,
  binaryPayload,
  closeReason,
  messageCases,
  sha256,
  textPayload,
  toBytes,
} from '../helpers/interop-payloads.js';

const CASE_TIMEOUT = 20_000;
const LIMITS = { maxPayload: 64 * MiB };
setTimeBudget(50_000);

/** Asserts that a received message is exactly `bytes` with the given type. */
function assertMessage([data, isBinary], expected, binary, what) {
  const got = toBytes(data);
  assert.equal(isBinary, binary, `${what}: isBinary`);
  if (!got.equals(expected)) {
    assert.fail(
      `${what}: received ${got.length} bytes (sha256 ${sha256(got).slice(0, 16)}), ` +
        `expected ${expected.length} bytes (sha256 ${sha256(expected).slice(0, 16)})`,
    );
  }
}

function send(ws, data, options) {
  return new Promise((resolve, reject) => ws.send(data, options, (err) => (err ? reject(err) : resolve())));
}

function hasDeflate(ws) {
  return String(ws.extensions ?? '').includes('permessage-deflate');
}

/**
 * The same cases for both arrangements. `target` names the side ('server' or
 * 'client') that is the implementation under test.
 */
function definePairSuite({ title, Server, Client, target }) {
  describe(title, () => {
    const plain = new NodePairFactory({
      Server,
      Client,
      serverOptions: { perMessageDeflate: false, ...LIMITS },
      clientOptions: { perMessageDeflate: false, ...LIMITS },
    });
    before(() => plain.start());
    after(() => plain.stop());

    for (const [from, to] of [
      ['client', 'server'],
      ['server', 'client'],
    ]) {
      describe(`${from} → ${to}`, () => {
        let pair;
        const ready = async () => (pair = await plain.reuse(pair));

        for (const c of messageCases()) {
          test(c.name, { timeout: CASE_TIMEOUT }, async () => {
            const p = await ready();
            const received = nextEvent(p[to], 'message', CASE_TIMEOUT);
            await send(p[from], c.data, { binary: c.binary });
            assertMessage(await received, c.bytes, c.binary, c.name);
          });
        }

        test('fragmented text "Hel" + "lo"', { timeout: CASE_TIMEOUT }, async () => {
          const p = await ready();
          const received = nextEvent(p[to], 'message');
          p[from].send('Hel', { fin: false });
          await send(p[from], 'lo', { fin: true });
          assertMessage(await received, Buffer.from('Hello'), false, 'fragmented text');
        });

        test('fragmented text split inside a 4-byte UTF-8 sequence', { timeout: CASE_TIMEOUT }, async () => {
          const p = await ready();
          const whole = Buffer.from('a😀b€', 'utf8');
          const received = nextEvent(p[to], 'message');
          // Cuts after 'a' + two bytes of the emoji, then inside the euro sign.
          p[from].send(whole.subarray(0, 3), { binary: false, fin: false });
          p[from].send(whole.subarray(3, 7), { binary: false, fin: false });
          await send(p[from], whole.subarray(7), { binary: false, fin: true });
          assertMessage(await received, whole, false, 'split UTF-8');
        });

        test('fragmented binary with an empty middle fragment', { timeout: CASE_TIMEOUT }, async () => {
          const p = await ready();
          const parts = [binaryPayload(100, 1), Buffer.alloc(0), binaryPayload(70_000, 2)];
          const received = nextEvent(p[to], 'message');
          p[from].send(parts[0], { binary: true, fin: false });
          p[from].send(parts[1], { binary: true, fin: false });
          await send(p[from], parts[2], { binary: true, fin: true });
          assertMessage(await received, Buffer.concat(parts), true, 'fragmented binary');
        });

        test('16 MiB binary in 16 fragments of 1 MiB', { timeout: CASE_TIMEOUT }, async () => {
          const p = await ready();
          const whole = binaryPayload(16 * MiB, 99);
          const received = nextEvent(p[to], 'message', CASE_TIMEOUT);
          for (let i = 0; i < 16; i++) {
            const fin = i === 15;
            const chunk = whole.subarray(i * MiB, (i + 1) * MiB);
            if (fin) await send(p[from], chunk, { binary: true, fin });
            else p[from].send(chunk, { binary: true, fin });
          }
          assertMessage(await received, whole, true, 'fragmented 16 MiB');
        });

        test('a ping between the fragments of a message', { timeout: CASE_TIMEOUT }, async () => {
          const p = await ready();
          const received = nextEvent(p[to], 'message');
          const pinged = nextEvent(p[to], 'ping');
          const ponged = nextEvent(p[from], 'pong');
          p[from].send('first half, ', { fin: false });
          p[from].ping(Buffer.from('between'));
          await send(p[from], 'second half', { fin: true });
          const [pingData] = await pinged;
          assert.deepEqual(toBytes(pingData), Buffer.from('between'));
          const [pongData] = await ponged;
          assert.deepEqual(toBytes(pongData), Buffer.from('between'));
          assertMessage(await received, Buffer.from('first half, second half'), false, 'interleaved');
        });

        for (const [name, payload] of [
          ['empty', Buffer.alloc(0)],
          ['"hello"', Buffer.from('hello')],
          ['125 binary bytes', binaryPayload(125, 125)],
        ]) {
          test(`ping with ${name} payload: ${to} sees the ping, ${from} sees the pong`, { timeout: CASE_TIMEOUT }, async () => {
            const p = await ready();
            const pinged = nextEvent(p[to], 'ping');
            const ponged = nextEvent(p[from], 'pong');
            p[from].ping(payload);
            assert.deepEqual(toBytes((await pinged)[0]), payload);
            assert.deepEqual(toBytes((await ponged)[0]), payload);
          });
        }

        test('an unsolicited pong reaches the API', { timeout: CASE_TIMEOUT }, async () => {
          const p = await ready();
          const ponged = nextEvent(p[to], 'pong');
          p[from].pong(Buffer.from('unsolicited'));
          assert.deepEqual(toBytes((await ponged)[0]), Buffer.from('unsolicited'));
        });

        for (const code of WIRE_CLOSE_CODES) {
          test(`close ${code} with a reason`, { timeout: CASE_TIMEOUT }, async () => {
            const p = await plain.open();
            const reason = closeReason(code);
            const closedTo = nextEvent(p[to], 'close');
            const closedFrom = nextEvent(p[from], 'close');
            p[from].close(code, reason);
            const [codeTo, reasonTo] = await closedTo;
            assert.equal(codeTo, code, `${to} sees the code`);
            assert.deepEqual(toBytes(reasonTo), Buffer.from(reason), `${to} sees the reason`);
            const [codeFrom] = await closedFrom;
            assert.equal(codeFrom, code, `${from} sees the echoed code`);
          });
        }

        test('close without a code: the other side reports 1005 and an empty reason', { timeout: CASE_TIMEOUT }, async () => {
          const p = await plain.open();
          const closedTo = nextEvent(p[to], 'close');
          p[from].close();
          const [code, reason] = await closedTo;
          assert.equal(code, 1005);
          assert.equal(toBytes(reason).length, 0);
        });

        test('terminate(): the other side reports 1006', { timeout: CASE_TIMEOUT }, async () => {
          const p = await plain.open();
          const closedTo = nextEvent(p[to], 'close');
          p[from].terminate();
          const [code] = await closedTo;
          assert.equal(code, 1006);
        });
      });
    }
  });

  describe(`${title}, permessage-deflate`, () => {
    const deflate = new NodePairFactory({
      Server,
      Client,
      serverOptions: { perMessageDeflate: true, ...LIMITS },
      clientOptions: { perMessageDeflate: true, ...LIMITS },
    });
    let pair;
    before(() => deflate.start());
    after(() => deflate.stop());

    /** The pair when the side under test negotiated the extension, else null. */
    async function negotiated(t) {
      pair = await deflate.reuse(pair);
      if (!hasDeflate(pair[target])) {
        t.skip(`permessage-deflate not negotiated by ${targetName} (extensions: ${JSON.stringify(pair[target].extensions)})`);
        return null;
      }
      return pair;
    }

    for (const [from, to] of [
      ['client', 'server'],
      ['server', 'client'],
    ]) {
      const cases = [
        { name: 'text', binary: false, data: 'compress me '.repeat(100) },
        { name: 'empty binary', binary: true, data: Buffer.alloc(0) },
        { name: 'incompressible 64 KiB', binary: true, data: binaryPayload(65536, 3) },
        { name: 'compressible 16 MiB text', binary: false, data: textPayload(16 * MiB) },
        { name: 'incompressible 16 MiB', binary: true, data: binaryPayload(16 * MiB, 4) },
      ];
      for (const c of cases) {
        test(`${from} → ${to}: ${c.name}`, { timeout: CASE_TIMEOUT }, async (t) => {
          const p = await negotiated(t);
          if (!p) return;
          const received = nextEvent(p[to], 'message', CASE_TIMEOUT);
          await send(p[from], c.data, { binary: c.binary, compress: true });
          assertMessage(await received, toBytes(c.data), c.binary, c.name);
        });
      }

      test(`${from} → ${to}: fragmented compressed text`, { timeout: CASE_TIMEOUT }, async (t) => {
        const p = await negotiated(t);
        if (!p) return;
        const received = nextEvent(p[to], 'message');
        p[from].send('deflated ', { fin: false, compress: true });
        p[from].send('in three ', { fin: false, compress: true });
        await send(p[from], 'fragments', { fin: true, compress: true });
        assertMessage(await received, Buffer.from('deflated in three fragments'), false, 'fragmented deflate');
      });

      test(`${from} → ${to}: three messages in a row share the context`, { timeout: CASE_TIMEOUT }, async (t) => {
        const p = await negotiated(t);
        if (!p) return;
        const got = [];
        const all = new Promise((resolve) => {
          const onMessage = (data, isBinary) => {
            got.push([toBytes(data).toString(), isBinary]);
            if (got.length === 3) {
              p[to].off('message', onMessage);
              resolve();
            }
          };
          p[to].on('message', onMessage);
        });
        for (const word of ['same words', 'same words', 'same words again']) {
          await send(p[from], word, { compress: true });
        }
        await all;
        assert.deepEqual(got, [
          ['same words', false],
          ['same words', false],
          ['same words again', false],
        ]);
      });
    }

    test('close code and reason after compressed traffic', { timeout: CASE_TIMEOUT }, async (t) => {
      const p = await negotiated(t);
      if (!p) return;
      const closed = nextEvent(p.server, 'close');
      p.client.close(4000, 'deflate done ✓');
      const [code, reason] = await closed;
      assert.equal(code, 4000);
      assert.equal(toBytes(reason).toString(), 'deflate done ✓');
    });
  });
}

definePairSuite({ title: `${targetName} server ↔ ws client`, Server: WebSocketServer, Client: WsClient, target: 'server' });
definePairSuite({ title: `${targetName} client ↔ ws server`, Server: WsServer, Client: WebSocket, target: 'client' });
