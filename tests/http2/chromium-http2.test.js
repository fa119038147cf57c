// A real browser over HTTP/2: headless Chromium (Debian package chromium,
// driven by playwright-core) loads a page from a wsx HTTP/2 TLS server
// (allowHTTP1 on) and opens wss:// to the same origin. Chromium then opens the
// WebSocket as an RFC 8441 extended CONNECT stream on the page's connection,
// which the server-side assertions check, before text, binary and compressed
// messages and closes with a code and a reason in both directions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { WebSocketServer } from '../../dist/index.js';
import { chromiumMissing, SYSTEM_CHROMIUM } from '../helpers/peers.js';
import { startHttp2Server, within } from '../helpers/http2-fixtures.js';

const TIMEOUT = 30_000;
const LAUNCH_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--ignore-certificate-errors',
];

// The page keeps the messages each of its WebSockets receives, for Node to read.
const PAGE_SCRIPT = `
'use strict';
const sockets = [];
window.peer = {
  open(url) {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.binaryType = 'arraybuffer';
      const entry = { ws, inbox: [], waiters: [], closed: null };
      ws.onmessage = (event) => {
        const item = typeof event.data === 'string'
          ? { type: 'text', text: event.data }
          : { type: 'binary', bytes: Array.from(new Uint8Array(event.data)) };
        const waiter = entry.waiters.shift();
        if (waiter) waiter(item); else entry.inbox.push(item);
      };
      ws.onclose = (event) => { entry.closed = { code: event.code, reason: event.reason, wasClean: event.wasClean }; };
      ws.onopen = () => { sockets.push(entry); resolve({ id: sockets.length - 1, extensions: ws.extensions, protocol: ws.protocol }); };
      ws.onerror = () => reject(new Error('WebSocket error'));
    });
  },
  send(id, data) {
    sockets[id].ws.send(data.text !== undefined ? data.text : new Uint8Array(data.bytes));
  },
  next(id) {
    const entry = sockets[id];
    if (entry.inbox.length) return Promise.resolve(entry.inbox.shift());
    return new Promise((resolve) => entry.waiters.push(resolve));
  },
  close(id, code, reason) { sockets[id].ws.close(code, reason); },
  closed(id) {
    const entry = sockets[id];
    return new Promise((resolve) => {
      const check = () => entry.closed ? resolve(entry.closed) : setTimeout(check, 10);
      check();
    });
  },
};
`;
const PAGE = '<!doctype html><meta charset="utf-8"><title>wsx over HTTP/2</title><script src="/peer.js"></script>';

const missing = chromiumMissing();

test('Chromium opens wss:// as an HTTP/2 extended CONNECT stream on the page connection', { skip: missing ?? false, timeout: 60_000 }, async () => {
  const { chromium } = await import('playwright-core');
  const pageRequests = [];
  const h = await startHttp2Server(WebSocketServer, {
    secure: true,
    serverOptions: { allowHTTP1: true },
    wssOptions: { path: '/ws', perMessageDeflate: true },
    onRequest: (req, res) => {
      pageRequests.push([req.url, req.httpVersion]);
      const script = req.url === '/peer.js';
      res.writeHead(script || req.url === '/' ? 200 : 404, {
        'content-type': script ? 'text/javascript; charset=utf-8' : 'text/html; charset=utf-8',
      });
      res.end(script ? PAGE_SCRIPT : PAGE);
    },
  });
  const sessions = [];
  h.server.on('session', (session) => sessions.push(session));
  let browser;
  try {
    browser = await chromium.launch({ executablePath: SYSTEM_CHROMIUM, args: LAUNCH_ARGS, timeout: TIMEOUT });
    const page = await browser.newPage();
    const evaluate = (fn, arg) => within(page.evaluate(fn, arg), TIMEOUT, 'page.evaluate');
    await within(page.goto(`${h.origin}/`), TIMEOUT, 'page load');
    assert.deepEqual(pageRequests[0], ['/', '2.0'], 'the page itself came over HTTP/2');

    const arrived = once(h.wss, 'connection');
    const opened = await evaluate((url) => window.peer.open(url), `${h.wsOrigin}/ws?room=1`);
    const [ws, req] = await within(arrived, TIMEOUT, 'server connection');

    // Server side: an HTTP/2 CONNECT stream, not an HTTP/1.1 upgrade.
    assert.equal(req.httpVersion, '2.0');
    assert.equal(req.method, 'CONNECT');
    assert.equal(req.headers[':protocol'], 'websocket');
    assert.equal(req.url, '/ws?room=1');
    assert.equal(req.headers['sec-websocket-version'], '13');
    assert.equal(req.headers['sec-websocket-key'], undefined);
    assert.equal(req.headers.origin, h.origin);
    assert.equal(ws.httpVersion, '2');
    assert.equal(sessions.length, 1, 'the WebSocket rode on the page connection');
    assert.equal(ws._socket.session, sessions[0]);
    assert.match(ws.extensions, /permessage-deflate/);
    assert.match(opened.extensions, /permessage-deflate/);

    // Browser → server: text and binary.
    const text = 'héllo from Chromium over h2 ✓';
    let message = once(ws, 'message');
    await evaluate(([id, t]) => window.peer.send(id, { text: t }), [opened.id, text]);
    let [data, isBinary] = await within(message, TIMEOUT, 'text from the browser');
    assert.equal(isBinary, false);
    assert.equal(data.toString(), text);

    const bytes = Array.from({ length: 1000 }, (_, i) => (i * 7) & 0xff);
    message = once(ws, 'message');
    await evaluate(([id, b]) => window.peer.send(id, { bytes: b }), [opened.id, bytes]);
    [data, isBinary] = await within(message, TIMEOUT, 'binary from the browser');
    assert.equal(isBinary, true);
    assert.deepEqual([...data], bytes);

    // Compressed both ways: a large, very compressible text.
    const big = 'compressible line of text\n'.repeat(4000);
    message = once(ws, 'message');
    await evaluate(([id, t]) => window.peer.send(id, { text: t }), [opened.id, big]);
    [data] = await within(message, TIMEOUT, 'compressed text from the browser');
    assert.equal(data.toString(), big);

    // Server → browser.
    ws.send('server says hi');
    assert.deepEqual(await evaluate((id) => window.peer.next(id), opened.id), { type: 'text', text: 'server says hi' });
    ws.send(Buffer.from([0, 1, 2, 254, 255]));
    assert.deepEqual(await evaluate((id) => window.peer.next(id), opened.id), { type: 'binary', bytes: [0, 1, 2, 254, 255] });
    ws.send(big);
    assert.deepEqual(await evaluate((id) => window.peer.next(id), opened.id), { type: 'text', text: big });

    // The browser closes with a code and a reason.
    const serverClosed = new Promise((resolve) => ws.once('close', (code, reason) => resolve([code, reason.toString()])));
    await evaluate(([id]) => window.peer.close(id, 4001, 'bye from the page'), [opened.id]);
    assert.deepEqual(await within(serverClosed, TIMEOUT, 'server close'), [4001, 'bye from the page']);
    assert.deepEqual(await evaluate((id) => window.peer.closed(id), opened.id), {
      code: 4001,
      reason: 'bye from the page',
      wasClean: true,
    });

    // A second WebSocket on the same connection; the server closes it.
    const second = once(h.wss, 'connection');
    const opened2 = await evaluate((url) => window.peer.open(url), `${h.wsOrigin}/ws`);
    const [ws2, req2] = await within(second, TIMEOUT, 'second connection');
    assert.equal(req2.httpVersion, '2.0');
    assert.equal(ws2._socket.session, sessions[0]);
    ws2.close(4002, 'bye from the server');
    assert.deepEqual(await evaluate((id) => window.peer.closed(id), opened2.id), {
      code: 4002,
      reason: 'bye from the server',
      wasClean: true,
    });
  } finally {
    if (browser) await browser.close().catch(() => {});
    await h.close();
  }
});
