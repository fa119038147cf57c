// Interop with headless Chromium (Debian package chromium, driven by
// playwright-core) against the implementation's server on 127.0.0.1. The page
// (tests/interop/peers/browser-peer.js) is served by a plain http server; the
// implementation's plain server is attached to that same http server, the
// permessage-deflate one listens on its own port.
// A browser can neither send fragments nor pings, and may only close with
// 1000 or 3000-4999; it answers pings, which the server side checks.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { WebSocketServer, targetName } from '../helpers/wsx-target.js';
import { chromiumMissing, nextEvent, setTimeBudget, settleWithin, withTimeout, SYSTEM_CHROMIUM } from '../helpers/peers.js';
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
const INLINE_LIMIT = 70_000; // larger payloads are generated inside the page

// 16 MiB travels as binary only: a 16 MiB text message costs Chromium several
// seconds per direction (IPC to the renderer) and adds no coverage over the
// 64 KiB multi-byte text case and the 16 MiB binary one.
const browserCases = () => messageCases().filter((c) => !(c.large && !c.binary));
const OPEN = 1;
const missing = chromiumMissing();
setTimeBudget(55_000);
const PAGE_SCRIPT = readFileSync(new URL('./peers/browser-peer.js', import.meta.url));
const PAGE = '<!doctype html><meta charset="utf-8"><title>wsx interop</title><script src="/browser-peer.js"></script>';

const LAUNCH_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function send(ws, data, options) {
  return new Promise((resolve, reject) => ws.send(data, options, (err) => (err ? reject(err) : resolve())));
}

/** The page-side spec that makes the browser send case `c`. */
function browserSpec(c) {
  if (c.bytes.length <= INLINE_LIMIT) return c.binary ? { hex: c.bytes.toString('hex') } : { text: c.data };
  return c.binary ? { kind: 'binary', size: c.bytes.length, seed: c.seed } : { kind: 'text', size: c.bytes.length };
}

function assertBytes(got, expected, what) {
  if (!got.equals(expected)) {
    assert.fail(
      `${what}: received ${got.length} bytes (sha256 ${sha256(got).slice(0, 16)}), ` +
        `expected ${expected.length} bytes (sha256 ${sha256(expected).slice(0, 16)})`,
    );
  }
}

/** A message described by the page matches the bytes and type sent. */
function assertBrowserGot(d, bytes, binary, what) {
  assert.equal(d.type, binary ? 'binary' : 'text', `${what}: type`);
  assert.equal(d.length, bytes.length, `${what}: length`);
  if (d.hex !== undefined) assert.equal(d.hex, bytes.toString('hex'), `${what}: bytes`);
  assert.equal(d.sha256, sha256(bytes), `${what}: sha256`);
}

describe(`${targetName} server ↔ headless Chromium`, { skip: missing ?? false }, () => {
  let http;
  let plain;
  let deflate;
  let browser;
  let page;
  const origin = () => `http://127.0.0.1:${http.address().port}`;

  before(async () => {
    const { chromium } = await import('playwright-core');
    http = createServer((req, res) => {
      const script = req.url === '/browser-peer.js';
      res.writeHead(200, { 'content-type': script ? 'text/javascript; charset=utf-8' : 'text/html; charset=utf-8' });
      res.end(script ? PAGE_SCRIPT : PAGE);
    });
    plain = new WebSocketServer({ server: http, perMessageDeflate: false, ...LIMITS });
    await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
    deflate = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: true, ...LIMITS });
    await nextEvent(deflate, 'listening', 5_000);
    browser = await chromium.launch({ executablePath: SYSTEM_CHROMIUM, args: LAUNCH_ARGS, timeout: 30_000 });
    page = await browser.newPage();
    await page.goto(`${origin()}/`);
  });

  after(async () => {
    if (browser) await settleWithin(browser.close(), 10_000);
    for (const server of [plain, deflate]) {
      if (!server) continue;
      for (const ws of server.clients ?? []) ws.terminate();
      await settleWithin(new Promise((resolve) => server.close(() => resolve())), 5_000);
    }
    if (http) {
      http.closeAllConnections();
      await settleWithin(new Promise((resolve) => http.close(resolve)), 5_000);
    }
  });

  const evaluate = (fn, arg) => withTimeout(page.evaluate(fn, arg), CASE_TIMEOUT, 'page.evaluate');

  /** Opens a page WebSocket to `server`; resolves with the page id and the server's end. */
  async function open(server) {
    const connection = nextEvent(server, 'connection', 10_000);
    const url = server === plain ? `ws://127.0.0.1:${http.address().port}/interop` : `ws://127.0.0.1:${server.address().port}/interop`;
    const opened = await evaluate((u) => window.peer.open(u), url);
    const [ws] = await connection;
    return { id: opened.id, browserExtensions: opened.extensions, ws };
  }

  let pair;
  async function ready() {
    if (!pair || pair.ws.readyState !== OPEN) pair = await open(plain);
    return pair;
  }

  describe(`chromium → ${targetName}`, () => {
    for (const c of browserCases()) {
      test(c.name, { timeout: CASE_TIMEOUT }, async () => {
        const p = await ready();
        const received = nextEvent(p.ws, 'message', CASE_TIMEOUT);
        await evaluate(([id, spec]) => window.peer.send(id, spec), [p.id, browserSpec(c)]);
        const [data, isBinary] = await received;
        assert.equal(isBinary, c.binary, 'isBinary');
        assertBytes(toBytes(data), c.bytes, c.name);
      });
    }
  });

  describe(`${targetName} → chromium`, () => {
    const nextMessage = (p) => evaluate((id) => window.peer.nextMessage(id), p.id);

    for (const c of browserCases()) {
      test(c.name, { timeout: CASE_TIMEOUT }, async () => {
        const p = await ready();
        await send(p.ws, c.data, { binary: c.binary });
        assertBrowserGot(await nextMessage(p), c.bytes, c.binary, c.name);
      });
    }

    test('fragmented text split inside UTF-8 sequences', { timeout: CASE_TIMEOUT }, async () => {
      const p = await ready();
      const whole = Buffer.from(UTF8_SAMPLE, 'utf8');
      for (let i = 0; i < whole.length; i += 5) {
        const fin = i + 5 >= whole.length;
        const part = whole.subarray(i, i + 5);
        if (fin) await send(p.ws, part, { binary: false, fin });
        else p.ws.send(part, { binary: false, fin });
      }
      assertBrowserGot(await nextMessage(p), whole, false, 'fragmented text');
    });

    test('16 MiB binary in 16 fragments of 1 MiB', { timeout: CASE_TIMEOUT }, async () => {
      const p = await ready();
      const whole = binaryPayload(16 * MiB, 99);
      for (let i = 0; i < 16; i++) {
        const chunk = whole.subarray(i * MiB, (i + 1) * MiB);
        if (i === 15) await send(p.ws, chunk, { binary: true, fin: true });
        else p.ws.send(chunk, { binary: true, fin: false });
      }
      assertBrowserGot(await nextMessage(p), whole, true, 'fragmented 16 MiB');
    });

    test('a ping between the fragments of a message is answered', { timeout: CASE_TIMEOUT }, async () => {
      const p = await ready();
      const ponged = nextEvent(p.ws, 'pong');
      p.ws.send('first half, ', { fin: false });
      p.ws.ping(Buffer.from('between'));
      await send(p.ws, 'second half', { fin: true });
      assert.deepEqual(toBytes((await ponged)[0]), Buffer.from('between'));
      assertBrowserGot(await nextMessage(p), Buffer.from('first half, second half'), false, 'interleaved');
    });

    for (const [name, payload] of [
      ['empty', Buffer.alloc(0)],
      ['"hello"', Buffer.from('hello')],
      ['125 binary bytes', binaryPayload(125, 125)],
    ]) {
      test(`ping with ${name} payload: chromium answers with the same payload`, { timeout: CASE_TIMEOUT }, async () => {
        const p = await ready();
        const ponged = nextEvent(p.ws, 'pong');
        p.ws.ping(payload);
        assert.deepEqual(toBytes((await ponged)[0]), payload);
      });
    }
  });

  describe('close', () => {
    const closed = (p) => evaluate((id) => window.peer.closed(id), p.id);

    for (const code of WHATWG_CLIENT_CLOSE_CODES) {
      test(`chromium closes with ${code} and a reason`, { timeout: CASE_TIMEOUT }, async () => {
        const p = await open(plain);
        const reason = closeReason(code);
        const closedServer = nextEvent(p.ws, 'close');
        await evaluate(([id, c, r]) => window.peer.close(id, c, r), [p.id, code, reason]);
        const [gotCode, gotReason] = await closedServer;
        assert.equal(gotCode, code, `${targetName} sees the code`);
        assert.equal(toBytes(gotReason).toString(), reason, `${targetName} sees the reason`);
        const event = await closed(p);
        assert.equal(event.code, code, 'chromium sees the echoed code');
        assert.equal(event.wasClean, true);
      });
    }

    for (const code of WIRE_CLOSE_CODES) {
      test(`${targetName} closes with ${code} and a reason`, { timeout: CASE_TIMEOUT }, async () => {
        const p = await open(plain);
        const reason = closeReason(code);
        const closedServer = nextEvent(p.ws, 'close');
        p.ws.close(code, reason);
        assert.deepEqual(await closed(p), { code, reason, wasClean: true }, 'chromium sees code and reason');
        const [gotCode] = await closedServer;
        assert.equal(gotCode, code, `${targetName} sees the echoed code`);
      });
    }

    test(`${targetName} closes without a code: chromium reports 1005`, { timeout: CASE_TIMEOUT }, async () => {
      const p = await open(plain);
      p.ws.close();
      assert.deepEqual(await closed(p), { code: 1005, reason: '', wasClean: true });
    });

    test(`${targetName} terminates: chromium reports 1006, not clean`, { timeout: CASE_TIMEOUT }, async () => {
      const p = await open(plain);
      p.ws.terminate();
      assert.deepEqual(await closed(p), { code: 1006, reason: '', wasClean: false });
    });
  });

  describe('permessage-deflate', () => {
    let dpair;
    async function negotiated(t) {
      if (!dpair || dpair.ws.readyState !== OPEN) dpair = await open(deflate);
      if (!String(dpair.ws.extensions ?? '').includes('permessage-deflate')) {
        t.skip(`permessage-deflate not negotiated by ${targetName} (extensions: ${JSON.stringify(dpair.ws.extensions)})`);
        return null;
      }
      assert.match(dpair.browserExtensions, /permessage-deflate/, 'chromium agrees on the extension');
      return dpair;
    }

    const cases = [
      { name: 'compressible text', binary: false, data: 'compress me '.repeat(100) },
      { name: 'multi-byte UTF-8 text', binary: false, data: UTF8_SAMPLE },
      { name: 'empty binary', binary: true, data: Buffer.alloc(0) },
      { name: 'incompressible 64 KiB binary', binary: true, seed: 3, data: binaryPayload(65536, 3) },
      { name: 'compressible 1 MiB text', binary: false, data: textPayload(MiB) },
      { name: 'incompressible 16 MiB binary', binary: true, seed: 4, data: binaryPayload(16 * MiB, 4) },
    ];
    for (const c of cases) {
      c.bytes = toBytes(c.data);
      test(`chromium → ${targetName}: ${c.name}`, { timeout: CASE_TIMEOUT }, async (t) => {
        const p = await negotiated(t);
        if (!p) return;
        const received = nextEvent(p.ws, 'message', CASE_TIMEOUT);
        await evaluate(([id, spec]) => window.peer.send(id, spec), [p.id, browserSpec(c)]);
        const [data, isBinary] = await received;
        assert.equal(isBinary, c.binary, 'isBinary');
        assertBytes(toBytes(data), c.bytes, c.name);
      });
      test(`${targetName} → chromium: ${c.name}`, { timeout: CASE_TIMEOUT }, async (t) => {
        const p = await negotiated(t);
        if (!p) return;
        await send(p.ws, c.data, { binary: c.binary, compress: true });
        assertBrowserGot(await evaluate((id) => window.peer.nextMessage(id), p.id), c.bytes, c.binary, c.name);
      });
    }

    test(`${targetName} → chromium: fragmented compressed text`, { timeout: CASE_TIMEOUT }, async (t) => {
      const p = await negotiated(t);
      if (!p) return;
      p.ws.send('deflated ', { fin: false, compress: true });
      await send(p.ws, 'in two fragments', { fin: true, compress: true });
      const d = await evaluate((id) => window.peer.nextMessage(id), p.id);
      assertBrowserGot(d, Buffer.from('deflated in two fragments'), false, 'fragmented deflate');
    });

    test('close code and reason after compressed traffic', { timeout: CASE_TIMEOUT }, async (t) => {
      const p = await negotiated(t);
      if (!p) return;
      const closedServer = nextEvent(p.ws, 'close');
      await evaluate(([id]) => window.peer.close(id, 4000, 'deflate done ✓'), [p.id]);
      const [code, reason] = await closedServer;
      assert.equal(code, 4000);
      assert.equal(toBytes(reason).toString(), 'deflate done ✓');
    });
  });
});
