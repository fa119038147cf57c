// Interop with undici's WHATWG WebSocket client (npm undici 7) against the
// implementation's server on 127.0.0.1. undici cannot send fragments and, as
// a WHATWG client, may only close with 1000 or 3000-4999; its pings and the
// pings/pongs it receives are observed through undici's `ping()` export and
// its diagnostics channels.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import diagnosticsChannel from 'node:diagnostics_channel';
import { WebSocket as UndiciWebSocket, ping as undiciPing } from 'undici';
import { WebSocketServer, targetName } from '../helpers/wsx-target.js';
import { budgeted, nextEvent, setTimeBudget, settleWithin } from '../helpers/peers.js';
import {
  MiB,
  UTF8_SAMPLE,
  WHATWG_CLIENT_CLOSE_CODES,
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
const OPEN = 1;

/** Resolves with the next DOM-style event `type` on `target`. */
function nextDomEvent(target, type, ms = 10_000) {
  ms = budgeted(ms);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      target.removeEventListener(type, onEvent);
      reject(new Error(`timed out after ${ms} ms waiting for '${type}'`));
    }, ms);
    function onEvent(event) {
      clearTimeout(timer);
      target.removeEventListener(type, onEvent);
      resolve(event);
    }
    target.addEventListener(type, onEvent);
  });
}

/** Resolves with the payload of the next undici ping/pong seen by `client`. */
function nextControl(channel, client, ms = 10_000) {
  ms = budgeted(ms);
  return new Promise((resolve, reject) => {
    const onMessage = ({ payload, websocket }) => {
      if (websocket !== client) return;
      clearTimeout(timer);
      diagnosticsChannel.unsubscribe(channel, onMessage);
      resolve(Buffer.from(payload));
    };
    const timer = setTimeout(() => {
      diagnosticsChannel.unsubscribe(channel, onMessage);
      reject(new Error(`timed out after ${ms} ms waiting for ${channel}`));
    }, ms);
    diagnosticsChannel.subscribe(channel, onMessage);
  });
}

function send(ws, data, options) {
  return new Promise((resolve, reject) => ws.send(data, options, (err) => (err ? reject(err) : resolve())));
}

function assertBytes(got, expected, what) {
  if (!got.equals(expected)) {
    assert.fail(
      `${what}: received ${got.length} bytes (sha256 ${sha256(got).slice(0, 16)}), ` +
        `expected ${expected.length} bytes (sha256 ${sha256(expected).slice(0, 16)})`,
    );
  }
}

/** Bytes and kind of an undici MessageEvent (binaryType 'arraybuffer'). */
function eventBytes(event) {
  return typeof event.data === 'string'
    ? { binary: false, bytes: Buffer.from(event.data, 'utf8') }
    : { binary: true, bytes: Buffer.from(event.data) };
}

function defineUndiciSuite({ title, deflate }) {
  describe(title, () => {
    let server;
    const clients = new Set();
    before(async () => {
      server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: deflate, ...LIMITS });
      await nextEvent(server, 'listening', 5_000);
    });
    after(async () => {
      for (const client of clients) if (client.readyState === OPEN) client.close();
      for (const ws of server.clients ?? []) ws.terminate();
      await settleWithin(new Promise((resolve) => server.close(() => resolve())), 5_000);
    });

    /** A fresh undici client and the server's end of it. */
    async function open() {
      const connection = nextEvent(server, 'connection', 10_000);
      const client = new UndiciWebSocket(`ws://127.0.0.1:${server.address().port}/interop`);
      client.binaryType = 'arraybuffer';
      clients.add(client);
      await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('undici did not open in time')), budgeted(10_000));
        client.onopen = () => {
          clearTimeout(timer);
          resolve();
        };
        client.onerror = (e) => {
          clearTimeout(timer);
          reject(new Error(`undici could not connect: ${e.message}`));
        };
      });
      client.onopen = client.onerror = null;
      const [ws] = await connection;
      return { client, ws };
    }

    let pair;
    async function ready(t) {
      if (!pair || pair.client.readyState !== OPEN || pair.ws.readyState !== OPEN) pair = await open();
      if (deflate && !String(pair.ws.extensions ?? '').includes('permessage-deflate')) {
        t.skip(`permessage-deflate not negotiated by ${targetName} (extensions: ${JSON.stringify(pair.ws.extensions)})`);
        return null;
      }
      return pair;
    }

    const cases = deflate
      ? [
          { name: 'compressible text', binary: false, data: 'compress me '.repeat(100) },
          { name: 'incompressible 64 KiB binary', binary: true, data: binaryPayload(65536, 3) },
          { name: 'compressible 16 MiB text', binary: false, data: textPayload(16 * MiB) },
        ].map((c) => ({ ...c, bytes: toBytes(c.data) }))
      : messageCases();

    for (const c of cases) {
      test(`undici → ${targetName}: ${c.name}`, { timeout: CASE_TIMEOUT }, async (t) => {
        const p = await ready(t);
        if (!p) return;
        const received = nextEvent(p.ws, 'message', CASE_TIMEOUT);
        p.client.send(c.binary ? new Uint8Array(c.bytes) : c.data);
        const [data, isBinary] = await received;
        assert.equal(isBinary, c.binary, 'isBinary');
        assertBytes(toBytes(data), c.bytes, c.name);
      });

      test(`${targetName} → undici: ${c.name}`, { timeout: CASE_TIMEOUT }, async (t) => {
        const p = await ready(t);
        if (!p) return;
        const received = nextDomEvent(p.client, 'message', CASE_TIMEOUT);
        await send(p.ws, c.data, { binary: c.binary, compress: deflate });
        const got = eventBytes(await received);
        assert.equal(got.binary, c.binary, 'binary');
        assertBytes(got.bytes, c.bytes, c.name);
      });
    }

    test(`${targetName} → undici: fragmented text, split inside UTF-8 sequences`, { timeout: CASE_TIMEOUT }, async (t) => {
      const p = await ready(t);
      if (!p) return;
      const whole = Buffer.from(UTF8_SAMPLE, 'utf8');
      const received = nextDomEvent(p.client, 'message');
      for (let i = 0; i < whole.length; i += 5) {
        const fin = i + 5 >= whole.length;
        const part = whole.subarray(i, i + 5);
        if (fin) await send(p.ws, part, { binary: false, fin, compress: deflate });
        else p.ws.send(part, { binary: false, fin, compress: deflate });
      }
      const got = eventBytes(await received);
      assert.equal(got.binary, false);
      assertBytes(got.bytes, whole, 'fragmented text');
    });

    if (deflate) return; // the remaining cases do not depend on the extension

    test(`${targetName} → undici: 16 MiB binary in 16 fragments`, { timeout: CASE_TIMEOUT }, async (t) => {
      const p = await ready(t);
      const whole = binaryPayload(16 * MiB, 99);
      const received = nextDomEvent(p.client, 'message', CASE_TIMEOUT);
      for (let i = 0; i < 16; i++) {
        const chunk = whole.subarray(i * MiB, (i + 1) * MiB);
        if (i === 15) await send(p.ws, chunk, { binary: true, fin: true });
        else p.ws.send(chunk, { binary: true, fin: false });
      }
      const got = eventBytes(await received);
      assert.equal(got.binary, true);
      assertBytes(got.bytes, whole, 'fragmented 16 MiB');
    });

    for (const [name, payload] of [
      ['empty', Buffer.alloc(0)],
      ['"hello"', Buffer.from('hello')],
      ['125 binary bytes', binaryPayload(125, 125)],
    ]) {
      test(`undici pings with ${name} payload: ${targetName} sees the ping, undici the pong`, { timeout: CASE_TIMEOUT }, async (t) => {
        const p = await ready(t);
        const pinged = nextEvent(p.ws, 'ping');
        const ponged = nextControl('undici:websocket:pong', p.client);
        undiciPing(p.client, payload);
        assert.deepEqual(toBytes((await pinged)[0]), payload);
        assert.deepEqual(await ponged, payload);
      });

      test(`${targetName} pings with ${name} payload: undici sees the ping, ${targetName} the pong`, { timeout: CASE_TIMEOUT }, async (t) => {
        const p = await ready(t);
        const pinged = nextControl('undici:websocket:ping', p.client);
        const ponged = nextEvent(p.ws, 'pong');
        p.ws.ping(payload);
        assert.deepEqual(await pinged, payload);
        assert.deepEqual(toBytes((await ponged)[0]), payload);
      });
    }

    for (const code of WHATWG_CLIENT_CLOSE_CODES) {
      test(`undici closes with ${code} and a reason`, { timeout: CASE_TIMEOUT }, async () => {
        const p = await open();
        const reason = closeReason(code);
        const closedServer = nextEvent(p.ws, 'close');
        const closedClient = nextDomEvent(p.client, 'close');
        p.client.close(code, reason);
        const [gotCode, gotReason] = await closedServer;
        assert.equal(gotCode, code, `${targetName} sees the code`);
        assert.equal(toBytes(gotReason).toString(), reason, `${targetName} sees the reason`);
        const event = await closedClient;
        assert.equal(event.code, code, 'undici sees the echoed code');
        assert.equal(event.wasClean, true);
      });
    }

    for (const code of WIRE_CLOSE_CODES) {
      test(`${targetName} closes with ${code} and a reason`, { timeout: CASE_TIMEOUT }, async () => {
        const p = await open();
        const reason = closeReason(code);
        const closedServer = nextEvent(p.ws, 'close');
        const closedClient = nextDomEvent(p.client, 'close');
        p.ws.close(code, reason);
        const event = await closedClient;
        assert.equal(event.code, code, 'undici sees the code');
        assert.equal(event.reason, reason, 'undici sees the reason');
        assert.equal(event.wasClean, true);
        const [gotCode] = await closedServer;
        assert.equal(gotCode, code, `${targetName} sees the echoed code`);
      });
    }

    test(`${targetName} closes without a code: undici reports 1005`, { timeout: CASE_TIMEOUT }, async () => {
      const p = await open();
      const closedClient = nextDomEvent(p.client, 'close');
      p.ws.close();
      const event = await closedClient;
      assert.equal(event.code, 1005);
      assert.equal(event.reason, '');
    });

    test(`${targetName} terminates: undici reports 1006, not clean`, { timeout: CASE_TIMEOUT }, async () => {
      const p = await open();
      const closedClient = nextDomEvent(p.client, 'close');
      p.ws.terminate();
      const event = await closedClient;
      assert.equal(event.code, 1006);
      assert.equal(event.wasClean, false);
    });
  });
}

defineUndiciSuite({ title: `${targetName} server ↔ undici client`, deflate: false });
defineUndiciSuite({ title: `${targetName} server ↔ undici client, permessage-deflate`, deflate: true });
