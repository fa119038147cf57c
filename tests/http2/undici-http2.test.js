// undici's WHATWG WebSocket as a second foreign client over HTTP/2. undici 7
// opens a WebSocket as an RFC 8441 extended CONNECT stream when its
// dispatcher is an Agent with `allowH2: true` and the server's SETTINGS allow
// extended CONNECT (experimental there: it prints an ExperimentalWarning).
// It still sends a Sec-WebSocket-Key and checks the Accept; wsx tolerates that.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { WebSocketServer } from '../../dist/index.js';
import { TEST_CERT, startHttp2Server, within } from '../helpers/http2-fixtures.js';

const TIMEOUT = 10_000;
const require = createRequire(import.meta.url);
const undiciVersion = JSON.parse(readFileSync(require.resolve('undici/package.json'), 'utf8')).version;
const undici = await import('undici');
const [major, minor] = undiciVersion.split('.').map(Number);
// WebSocket over HTTP/2 arrived in undici 7.x (client-h2.js sends :protocol websocket).
const supported = major > 7 || (major === 7 && minor >= 10) ? null : `undici ${undiciVersion} has no WebSocket over HTTP/2 (needs 7.10 or later)`;

function nextDomEvent(target, type) {
  return new Promise((resolve) => target.addEventListener(type, resolve, { once: true }));
}

test(`undici ${undiciVersion} WebSocket over HTTP/2 (allowH2) ↔ wsx server`, { skip: supported ?? false }, async () => {
  process.removeAllListeners('warning');
  process.on('warning', () => {});
  const h = await startHttp2Server(WebSocketServer, { secure: true, wssOptions: { perMessageDeflate: true } });
  const dispatcher = new undici.Agent({ allowH2: true, connect: { ca: TEST_CERT } });
  try {
    const arrived = once(h.wss, 'connection');
    const ws = new undici.WebSocket(`${h.wsOrigin}/undici`, { dispatcher, protocols: ['chat'] });
    ws.binaryType = 'arraybuffer';
    await within(nextDomEvent(ws, 'open'), TIMEOUT, 'undici open');
    const [server, req] = await within(arrived, TIMEOUT, 'server connection');
    assert.equal(req.httpVersion, '2.0', 'undici came over HTTP/2');
    assert.equal(server.httpVersion, '2');
    assert.equal(ws.protocol, 'chat');
    assert.match(ws.extensions, /permessage-deflate/);

    server.on('message', (data, isBinary) => server.send(data, { binary: isBinary }));
    ws.send('text over h2 ✓');
    assert.equal((await within(nextDomEvent(ws, 'message'), TIMEOUT, 'text echo')).data, 'text over h2 ✓');
    ws.send(new Uint8Array([1, 2, 3, 250]));
    assert.deepEqual([...new Uint8Array((await within(nextDomEvent(ws, 'message'), TIMEOUT, 'binary echo')).data)], [1, 2, 3, 250]);
    const big = 'zip '.repeat(50_000);
    ws.send(big);
    assert.equal((await within(nextDomEvent(ws, 'message'), TIMEOUT, 'compressed echo')).data, big);

    const serverClosed = new Promise((resolve) => server.once('close', (code, reason) => resolve([code, reason.toString()])));
    ws.close(4000, 'undici done');
    const event = await within(nextDomEvent(ws, 'close'), TIMEOUT, 'undici close');
    assert.equal(event.code, 4000);
    assert.equal(event.reason, 'undici done');
    assert.deepEqual(await within(serverClosed, TIMEOUT, 'server close'), [4000, 'undici done']);
  } finally {
    await dispatcher.close().catch(() => {});
    await h.close();
  }
});
