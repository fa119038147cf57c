// Raw `net` sockets on 127.0.0.1 send hand-written upgrade requests to a real
// WebSocketServer and check the exact bytes that come back.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import http from 'node:http';
import { once } from 'node:events';

import { WebSocketServer, HandshakeRejectedError } from '../../dist/api/websocket-server.js';
import { WebSocket } from '../../dist/api/websocket.js';

const RFC_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const RFC_ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=';
const RFC_101 =
  'HTTP/1.1 101 Switching Protocols\r\n' +
  'Upgrade: websocket\r\n' +
  'Connection: Upgrade\r\n' +
  `Sec-WebSocket-Accept: ${RFC_ACCEPT}\r\n\r\n`;

// RFC 6455 section 5.7: a masked "Hello" from the client, and the unmasked echo.
const MASKED_HELLO = Buffer.from([0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]);
const UNMASKED_HELLO = Buffer.from([0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]);

/** Every server a test starts, closed at the end whatever happens. */
const servers = [];
after(async () => {
  for (const server of servers) {
    for (const ws of server.clients ?? []) ws.terminate();
    await new Promise((resolve) => server.close(() => resolve()));
  }
});

async function startServer(options = {}) {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', ...options });
  servers.push(wss);
  await once(wss, 'listening');
  wss.on('connection', (ws) => {
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    ws.on('error', () => {});
  });
  return { wss, port: wss.address().port };
}

async function startHttpServer(handler = (req, res) => res.end('plain')) {
  const server = http.createServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

function closeHttpServer(server) {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** An upgrade request; `headers` entries replace the defaults (null removes one). */
function upgradeRequest({ method = 'GET', path = '/', version = '1.1', headers = {}, raw = '' } = {}) {
  const all = {
    Host: 'localhost',
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': RFC_KEY,
    'Sec-WebSocket-Version': '13',
    ...headers,
  };
  let text = `${method} ${path} HTTP/${version}\r\n`;
  for (const [name, value] of Object.entries(all)) {
    if (value !== null) text += `${name}: ${value}\r\n`;
  }
  return `${text}${raw}\r\n`;
}

function connect(port) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Collects everything the server sends until it closes the connection (or `timeoutMs`). */
function collectUntilClose(socket, timeoutMs = 5000) {
  const chunks = [];
  socket.on('data', (chunk) => chunks.push(chunk));
  socket.on('error', () => {});
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text: Buffer.concat(chunks).toString('latin1'), closed: false });
    }, timeoutMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve({ text: Buffer.concat(chunks).toString('latin1'), closed: true });
    });
  });
}

/** Sends `request` and returns the whole answer of a server that refuses it. */
async function refused(port, request) {
  const socket = await connect(port);
  const done = collectUntilClose(socket);
  socket.write(request);
  return done;
}

/** Sends `request` (plus optional bytes) and resolves with the response head and any bytes after it. */
async function upgrade(port, request, extra) {
  const socket = await connect(port);
  socket.on('error', () => {});
  let buffer = Buffer.alloc(0);
  const result = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no response head; got ${JSON.stringify(buffer.toString('latin1'))}`)), 5000);
    const onData = (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      const end = buffer.indexOf('\r\n\r\n');
      if (end === -1) return;
      clearTimeout(timer);
      socket.removeListener('data', onData);
      resolve({ socket, head: buffer.subarray(0, end + 4).toString('latin1'), rest: buffer.subarray(end + 4) });
    };
    socket.on('data', onData);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve({ socket, head: buffer.toString('latin1'), rest: Buffer.alloc(0), closed: true });
    });
  });
  socket.write(extra ? Buffer.concat([Buffer.from(request, 'latin1'), extra]) : request);
  return result;
}

/** Reads exactly `n` bytes that follow `initial` on the socket. */
function readBytes(socket, n, initial = Buffer.alloc(0)) {
  return new Promise((resolve, reject) => {
    let buffer = initial;
    if (buffer.length >= n) return resolve(buffer.subarray(0, n));
    const timer = setTimeout(() => reject(new Error(`timed out after ${buffer.length} of ${n} bytes`)), 5000);
    const onData = (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (buffer.length < n) return;
      clearTimeout(timer);
      socket.removeListener('data', onData);
      resolve(buffer.subarray(0, n));
    };
    socket.on('data', onData);
  });
}

function parseResponse(text) {
  const headEnd = text.indexOf('\r\n\r\n');
  const head = headEnd === -1 ? text : text.slice(0, headEnd);
  const [statusLine, ...lines] = head.split('\r\n');
  const headers = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { statusLine, headers, body: headEnd === -1 ? '' : text.slice(headEnd + 4) };
}

function assertRefused(result, status, reason, body) {
  assert.equal(result.closed, true, 'the server closes the connection');
  const response = parseResponse(result.text);
  assert.equal(response.statusLine, `HTTP/1.1 ${status} ${reason}`, result.text);
  if (body !== undefined) {
    assert.equal(response.body, body);
    assert.equal(response.headers['content-length'], String(Buffer.byteLength(body)));
    assert.equal(response.headers.connection, 'close');
  }
  return response;
}

describe('successful handshakes', { timeout: 30_000 }, () => {
  test('101 with the RFC accept value, exact bytes, then frames flow (head bytes included)', async () => {
    const { wss, port } = await startServer();
    const connection = once(wss, 'connection');
    // The first frame rides in the same write as the request: it arrives as `head`.
    const { socket, head, rest } = await upgrade(port, upgradeRequest({ path: '/chat?room=1' }), MASKED_HELLO);
    assert.equal(head, RFC_101);
    const [ws, req] = await connection;
    assert.ok(ws instanceof WebSocket);
    assert.equal(ws.readyState, WebSocket.OPEN);
    assert.equal(ws.protocol, '');
    assert.equal(req.url, '/chat?room=1');
    assert.deepEqual(await readBytes(socket, UNMASKED_HELLO.length, rest), UNMASKED_HELLO);
    assert.equal(wss.clients.size, 1);
    const closed = once(ws, 'close');
    socket.destroy();
    await closed;
    assert.equal(wss.clients.size, 0);
  });

  test('header names and token values are case-insensitive', async () => {
    const { port } = await startServer();
    const request =
      'GET / HTTP/1.1\r\nhOsT: localhost\r\nUPGRADE: WebSocket\r\ncOnNeCtIoN: UPGRADE\r\n' +
      `sec-websocket-KEY: ${RFC_KEY}\r\nSEC-WEBSOCKET-VERSION: 13\r\n\r\n`;
    const { socket, head } = await upgrade(port, request);
    assert.equal(head, RFC_101);
    socket.destroy();
  });

  test('Connection with several tokens, on one line or on several lines', async () => {
    const { port } = await startServer();
    const variants = [
      { headers: { Connection: 'keep-alive, Upgrade' } },
      { headers: { Connection: 'Upgrade,keep-alive' } },
      { headers: { Connection: 'keep-alive,  ,Upgrade ' } },
      { headers: { Connection: null }, raw: 'Connection: keep-alive\r\nConnection: Upgrade\r\n' },
    ];
    for (const variant of variants) {
      const { socket, head } = await upgrade(port, upgradeRequest(variant));
      assert.equal(head, RFC_101, JSON.stringify(variant));
      socket.destroy();
    }
  });

  test('with perMessageDeflate: true the offer is accepted in the answer (tests/integration/permessage-deflate.test.js has the rest)', async () => {
    const { wss, port } = await startServer({ perMessageDeflate: true });
    const connection = once(wss, 'connection');
    const { socket, head } = await upgrade(
      port,
      upgradeRequest({ headers: { 'Sec-WebSocket-Extensions': 'permessage-deflate; client_max_window_bits' } }),
    );
    assert.equal(head, RFC_101.replace('\r\n\r\n', '\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n'));
    const [ws] = await connection;
    assert.equal(ws.extensions, 'permessage-deflate');
    socket.destroy();
  });

  test('the headers event can add lines before the 101 is written', async () => {
    const { wss, port } = await startServer();
    let seenReq = null;
    wss.on('headers', (lines, req) => {
      seenReq = req;
      lines.push('X-Powered-By: wsx-test');
    });
    const { socket, head } = await upgrade(port, upgradeRequest());
    assert.equal(head, RFC_101.replace('\r\n\r\n', '\r\nX-Powered-By: wsx-test\r\n\r\n'));
    assert.equal(seenReq.headers['sec-websocket-key'], RFC_KEY);
    socket.destroy();
  });
});

describe('subprotocol selection', { timeout: 30_000 }, () => {
  test('without handleProtocols, the first protocol the client offered', async () => {
    const { wss, port } = await startServer();
    const connection = once(wss, 'connection');
    const { socket, head } = await upgrade(port, upgradeRequest({ headers: { 'Sec-WebSocket-Protocol': 'chat, superchat' } }));
    assert.equal(head, RFC_101.replace('\r\n\r\n', '\r\nSec-WebSocket-Protocol: chat\r\n\r\n'));
    const [ws] = await connection;
    assert.equal(ws.protocol, 'chat');
    socket.destroy();
  });

  test('handleProtocols receives a Set in client order and picks one', async () => {
    let received;
    const { wss, port } = await startServer({
      handleProtocols: (protocols, req) => {
        received = [protocols, req.url];
        return 'superchat';
      },
    });
    const connection = once(wss, 'connection');
    const { socket, head } = await upgrade(port, upgradeRequest({ headers: { 'Sec-WebSocket-Protocol': 'chat,superchat' } }));
    assert.equal(head, RFC_101.replace('\r\n\r\n', '\r\nSec-WebSocket-Protocol: superchat\r\n\r\n'));
    assert.ok(received[0] instanceof Set);
    assert.deepEqual([...received[0]], ['chat', 'superchat']);
    assert.equal(received[1], '/');
    assert.equal((await connection)[0].protocol, 'superchat');
    socket.destroy();
  });

  test('handleProtocols returning false answers without a subprotocol', async () => {
    const { port } = await startServer({ handleProtocols: () => false });
    const { socket, head } = await upgrade(port, upgradeRequest({ headers: { 'Sec-WebSocket-Protocol': 'chat' } }));
    assert.equal(head, RFC_101);
    socket.destroy();
  });

  test('handleProtocols is not called when the client offers none', async () => {
    let called = false;
    const { port } = await startServer({ handleProtocols: () => ((called = true), 'x') });
    const { socket, head } = await upgrade(port, upgradeRequest());
    assert.equal(head, RFC_101);
    assert.equal(called, false);
    socket.destroy();
  });

  test('a subprotocol the client did not offer is a server bug: 500, never a bad 101', async () => {
    const { port } = await startServer({ handleProtocols: () => 'other\r\nX-Injected: 1' });
    const result = await refused(port, upgradeRequest({ headers: { 'Sec-WebSocket-Protocol': 'chat' } }));
    assertRefused(result, 500, 'Internal Server Error', 'handleProtocols returned a subprotocol the client did not offer');
  });
});

describe('malformed requests get their status, then the socket is closed', { timeout: 30_000 }, () => {
  const cases = [
    ['POST', { method: 'POST' }, 400, 'Bad Request', 'Invalid HTTP method'],
    ['HTTP/1.0', { version: '1.0' }, 400, 'Bad Request', 'Unsupported HTTP version'],
    ['no Upgrade header', { headers: { Upgrade: null } }, 400, 'Bad Request', 'Invalid Upgrade header'],
    ['Upgrade: h2c', { headers: { Upgrade: 'h2c' } }, 400, 'Bad Request', 'Invalid Upgrade header'],
    ['Connection without upgrade', { headers: { Connection: 'keep-alive, upgraded' } }, 400, 'Bad Request', 'Invalid Connection header'],
    ['no key', { headers: { 'Sec-WebSocket-Key': null } }, 400, 'Bad Request', 'Missing or invalid Sec-WebSocket-Key header'],
    ['short key', { headers: { 'Sec-WebSocket-Key': 'AAAA' } }, 400, 'Bad Request', 'Missing or invalid Sec-WebSocket-Key header'],
    [
      'key of 17 bytes',
      { headers: { 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZXk=' } },
      400,
      'Bad Request',
      'Missing or invalid Sec-WebSocket-Key header',
    ],
    [
      'bad subprotocol list',
      { headers: { 'Sec-WebSocket-Protocol': 'chat, chat' } },
      400,
      'Bad Request',
      'Invalid Sec-WebSocket-Protocol header',
    ],
    [
      'bad extension list',
      { headers: { 'Sec-WebSocket-Extensions': 'permessage-deflate; x="' } },
      400,
      'Bad Request',
      'Invalid Sec-WebSocket-Extensions header',
    ],
    ['SECURITY-CASES row 4: ,;constructor', { headers: { 'Sec-WebSocket-Extensions': ',;constructor' } }, 400, 'Bad Request', 'Invalid Sec-WebSocket-Extensions header'],
  ];

  for (const [name, request, status, reason, body] of cases) {
    test(`${name} → ${status}`, async () => {
      const { port } = await startServer();
      assertRefused(await refused(port, upgradeRequest(request)), status, reason, body);
    });
  }

  test('no Host → 400', async () => {
    const { port } = await startServer();
    const result = await refused(port, upgradeRequest({ headers: { Host: null } }));
    assertRefused(result, 400, 'Bad Request', 'Missing Host header');
  });

  for (const version of ['8', '14', null]) {
    test(`Sec-WebSocket-Version ${version} → 426 with Sec-WebSocket-Version: 13`, async () => {
      const { port } = await startServer();
      const result = await refused(port, upgradeRequest({ headers: { 'Sec-WebSocket-Version': version } }));
      const response = assertRefused(result, 426, 'Upgrade Required', 'Unsupported WebSocket version');
      assert.equal(response.headers['sec-websocket-version'], '13');
    });
  }

  test('SECURITY-CASES row 4: inherited-key extension names are accepted as unknown extensions', async () => {
    const { port } = await startServer({ perMessageDeflate: true });
    for (const value of ['constructor', 'hasOwnProperty, toString', 'foo; constructor', '__proto__; __proto__=1']) {
      const { socket, head } = await upgrade(port, upgradeRequest({ headers: { 'Sec-WebSocket-Extensions': value } }));
      assert.equal(head, RFC_101, value);
      socket.destroy();
    }
  });

  test('a plain HTTP request to the port server gets 426 Upgrade Required', async () => {
    const { port } = await startServer();
    const result = await refused(port, 'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
    assert.equal(result.closed, true);
    const response = parseResponse(result.text);
    assert.equal(response.statusLine, 'HTTP/1.1 426 Upgrade Required');
    assert.equal(response.headers.upgrade, 'websocket');
    assert.equal(response.headers.connection, 'Upgrade, close');
    assert.equal(response.headers['sec-websocket-version'], '13');
    assert.equal(response.body, 'Upgrade Required');
  });

  test('wsClientError listeners answer instead of wsx', async () => {
    const { wss, port } = await startServer();
    let seen;
    wss.on('wsClientError', (error, socket, req) => {
      seen = { error, url: req.url };
      socket.end('HTTP/1.1 418 I\'m a Teapot\r\nConnection: close\r\n\r\n');
    });
    const result = await refused(port, upgradeRequest({ path: '/x', headers: { 'Sec-WebSocket-Version': '8' } }));
    assert.equal(result.text, 'HTTP/1.1 418 I\'m a Teapot\r\nConnection: close\r\n\r\n');
    assert.ok(seen.error instanceof HandshakeRejectedError);
    assert.equal(seen.error.code, 'WSX_ERR_HANDSHAKE');
    assert.equal(seen.error.statusCode, 426);
    assert.deepEqual(seen.error.headers, { 'Sec-WebSocket-Version': '13' });
    assert.equal(seen.error.message, 'Unsupported WebSocket version');
    assert.equal(seen.url, '/x');
  });
});

describe('path', { timeout: 30_000 }, () => {
  test('a path that is not served → 400; the query string is ignored', async () => {
    const { port } = await startServer({ path: '/ws' });
    assertRefused(await refused(port, upgradeRequest({ path: '/other' })), 400, 'Bad Request', 'Bad Request');
    assertRefused(await refused(port, upgradeRequest({ path: '/ws/' })), 400, 'Bad Request');
    const { socket, head } = await upgrade(port, upgradeRequest({ path: '/ws?token=1' }));
    assert.equal(head, RFC_101);
    socket.destroy();
  });
});

describe('verifyClient', { timeout: 30_000 }, () => {
  test('sync false → 401; info carries origin, secure and req', async () => {
    let info;
    const { port } = await startServer({
      verifyClient: (i) => {
        info = i;
        return false;
      },
    });
    const result = await refused(port, upgradeRequest({ headers: { Origin: 'https://app.example' } }));
    assertRefused(result, 401, 'Unauthorized', 'Unauthorized');
    assert.equal(info.origin, 'https://app.example');
    assert.equal(info.secure, false);
    assert.equal(info.req.headers['sec-websocket-key'], RFC_KEY);
  });

  test('sync true → 101', async () => {
    const { port } = await startServer({ verifyClient: () => true });
    const { socket, head } = await upgrade(port, upgradeRequest());
    assert.equal(head, RFC_101);
    socket.destroy();
  });

  test('async refusal with status, message and headers → 403', async () => {
    const { port } = await startServer({
      verifyClient: (info, cb) => setImmediate(() => cb(false, 403, 'Go away', { 'X-Reason': 'origin' })),
    });
    const response = assertRefused(await refused(port, upgradeRequest()), 403, 'Forbidden', 'Go away');
    assert.equal(response.headers['x-reason'], 'origin');
  });

  test('async refusal without a usable status → 401', async () => {
    for (const code of [undefined, 0, 1000]) {
      const { port } = await startServer({ verifyClient: (info, cb) => cb(false, code) });
      assertRefused(await refused(port, upgradeRequest()), 401, 'Unauthorized', 'Unauthorized');
    }
  });

  test('async refusal headers that would split the response are dropped', async () => {
    const { port } = await startServer({
      verifyClient: (info, cb) => cb(false, 403, undefined, { 'X-Bad': 'a\r\nSet-Cookie: x=1', 'X-Good': 'ok' }),
    });
    const response = assertRefused(await refused(port, upgradeRequest()), 403, 'Forbidden', 'Forbidden');
    assert.equal(response.headers['set-cookie'], undefined);
    assert.equal(response.headers['x-bad'], undefined);
    assert.equal(response.headers['x-good'], 'ok');
  });

  test('async acceptance → 101; a second callback call is ignored', async () => {
    const { wss, port } = await startServer({
      verifyClient: (info, cb) =>
        setImmediate(() => {
          cb(true);
          cb(false, 500);
        }),
    });
    const connection = once(wss, 'connection');
    const { socket, head } = await upgrade(port, upgradeRequest());
    assert.equal(head, RFC_101);
    await connection;
    socket.destroy();
  });

  test('SECURITY-CASES row 15: a headers listener that destroys the socket; no connection, process alive', async () => {
    const { wss, port } = await startServer();
    wss.on('headers', (lines, req) => req.socket.destroy());
    let connected = false;
    wss.on('connection', () => (connected = true));
    const result = await refused(port, upgradeRequest());
    assert.deepEqual(result, { text: '', closed: true });
    assert.equal(connected, false);
    assert.equal(wss.clients.size, 0);
  });

  test('SECURITY-CASES row 15: the client leaves during an async verifyClient; the process survives', async () => {
    let release;
    const verifying = new Promise((resolve) => {
      release = resolve;
    });
    const { wss, port } = await startServer({ verifyClient: (info, cb) => release(cb) });
    let connected = false;
    wss.on('connection', () => (connected = true));
    const socket = await connect(port);
    socket.write(upgradeRequest());
    const cb = await verifying;
    socket.resetAndDestroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    cb(true);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(connected, false);
    assert.equal(wss.clients.size, 0);
  });
});

describe('SECURITY-CASES row 14: allowedOrigins', { timeout: 30_000 }, () => {
  test('a list: other origins → 403; listed (any case) and absent origins → 101', async () => {
    const { port } = await startServer({ allowedOrigins: ['https://app.example', 'http://localhost:8080'] });
    const result = await refused(port, upgradeRequest({ headers: { Origin: 'https://evil.example' } }));
    assertRefused(result, 403, 'Forbidden', 'Origin not allowed');
    assertRefused(await refused(port, upgradeRequest({ headers: { Origin: 'null' } })), 403, 'Forbidden');
    assertRefused(await refused(port, upgradeRequest({ headers: { Origin: 'https://app.example.evil' } })), 403, 'Forbidden');
    for (const origin of ['https://app.example', 'HTTPS://APP.EXAMPLE', 'http://localhost:8080', null]) {
      const { socket, head } = await upgrade(port, upgradeRequest({ headers: { Origin: origin } }));
      assert.equal(head, RFC_101, String(origin));
      socket.destroy();
    }
  });

  test('a function decides every request, the missing Origin included', async () => {
    const seen = [];
    const { port } = await startServer({
      allowedOrigins: (origin, req) => {
        seen.push([origin, req.url]);
        return origin === 'https://app.example';
      },
    });
    assertRefused(await refused(port, upgradeRequest({ path: '/a', headers: { Origin: null } })), 403, 'Forbidden');
    const { socket, head } = await upgrade(port, upgradeRequest({ path: '/b', headers: { Origin: 'https://app.example' } }));
    assert.equal(head, RFC_101);
    socket.destroy();
    assert.deepEqual(seen, [[undefined, '/a'], ['https://app.example', '/b']]);
  });

  test('the origin check runs before verifyClient', async () => {
    let verified = false;
    const { port } = await startServer({
      allowedOrigins: ['https://app.example'],
      verifyClient: () => (verified = true),
    });
    assertRefused(await refused(port, upgradeRequest({ headers: { Origin: 'https://evil.example' } })), 403, 'Forbidden');
    assert.equal(verified, false);
  });

  test('entries that are not bare origins are refused at construction', () => {
    for (const entry of ['https://app.example/', 'https://app.example/path', 'app.example', '*']) {
      assert.throws(() => new WebSocketServer({ noServer: true, allowedOrigins: [entry] }), TypeError, entry);
    }
  });
});

describe('attached to an existing HTTP server', { timeout: 30_000 }, () => {
  test('normal requests are still served; upgrades get 101', async () => {
    const server = await startHttpServer((req, res) => res.end(`hello ${req.url}`));
    const wss = new WebSocketServer({ server });
    servers.push(wss);
    const connection = once(wss, 'connection');
    const port = server.address().port;

    const response = await fetch(`http://127.0.0.1:${port}/page`);
    assert.equal(response.status, 200);
    assert.equal(await response.text(), 'hello /page');

    const { socket, head } = await upgrade(port, upgradeRequest());
    assert.equal(head, RFC_101);
    const [ws] = await connection;
    assert.deepEqual(wss.address(), server.address());

    // close() leaves the user's server running and waits for the open connection.
    let closed = false;
    wss.close(() => (closed = true));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(closed, false);
    const again = await fetch(`http://127.0.0.1:${port}/again`);
    assert.equal(await again.text(), 'hello /again');
    const wsClosed = once(ws, 'close');
    const wssClosed = once(wss, 'close');
    socket.destroy();
    await wsClosed;
    await wssClosed;
    assert.equal(closed, true);
    assert.equal(wss.address(), null);
    await closeHttpServer(server);
  });

  test('listening and error of the HTTP server are re-emitted', async () => {
    const server = http.createServer();
    const wss = new WebSocketServer({ server });
    const listening = once(wss, 'listening');
    server.listen(0, '127.0.0.1');
    await listening;
    const error = once(wss, 'error');
    server.emit('error', new Error('boom'));
    assert.equal((await error)[0].message, 'boom');
    await new Promise((resolve) => wss.close(resolve));
    await closeHttpServer(server);
  });
});

describe('noServer mode and handleUpgrade', { timeout: 30_000 }, () => {
  test('handleUpgrade completes a handshake; calling it twice with one socket throws', async () => {
    const wss = new WebSocketServer({ noServer: true });
    servers.push(wss);
    assert.throws(() => wss.address(), /noServer/);
    const server = await startHttpServer();
    const upgraded = new Promise((resolve) => {
      server.on('upgrade', (req, socket, head) => {
        wss.handleUpgrade(req, socket, head, (ws) => {
          ws.on('error', () => {});
          assert.throws(() => wss.handleUpgrade(req, socket, head, () => {}), /more than once/);
          resolve(ws);
        });
      });
    });
    const { socket, head } = await upgrade(server.address().port, upgradeRequest());
    assert.equal(head, RFC_101);
    const ws = await upgraded;
    assert.equal(wss.clients.has(ws), true);
    socket.destroy();
    await once(ws, 'close');
    await closeHttpServer(server);
  });

  test('a closing server answers 503', async () => {
    const wss = new WebSocketServer({ noServer: true });
    const server = await startHttpServer();
    server.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, () => assert.fail('upgraded')));
    wss.close();
    await once(wss, 'close');
    const result = await refused(server.address().port, upgradeRequest());
    assertRefused(result, 503, 'Service Unavailable', 'Service Unavailable');
    await closeHttpServer(server);
  });

  test('clientTracking false keeps clients empty', async () => {
    const wss = new WebSocketServer({ noServer: true, clientTracking: false });
    const server = await startHttpServer();
    const upgraded = new Promise((resolve) => {
      server.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, resolve));
    });
    const { socket } = await upgrade(server.address().port, upgradeRequest());
    const ws = await upgraded;
    ws.on('error', () => {});
    assert.equal(wss.clients.size, 0);
    socket.destroy();
    await once(ws, 'close');
    await new Promise((resolve) => wss.close(resolve));
    await closeHttpServer(server);
  });

  test('the WebSocket option constructs a subclass, given the server-side options', async () => {
    class TaggedWebSocket extends WebSocket {
      tag = 'mine';
    }
    const wss = new WebSocketServer({ noServer: true, WebSocket: TaggedWebSocket, maxPayload: 10 });
    const server = await startHttpServer();
    const upgraded = new Promise((resolve) => {
      server.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, resolve));
    });
    const { socket } = await upgrade(server.address().port, upgradeRequest());
    const ws = await upgraded;
    assert.ok(ws instanceof TaggedWebSocket);
    assert.equal(ws.tag, 'mine');
    // maxPayload reached the connection: an 11-byte message closes it with 1009.
    ws.on('error', () => {});
    const closed = new Promise((resolve) => ws.on('close', (...args) => resolve(args)));
    socket.write(Buffer.from([0x82, 0x8b, 0, 0, 0, 0, ...Buffer.alloc(11)]));
    const [code] = await closed;
    assert.equal(code, 1009);
    socket.destroy();
    await new Promise((resolve) => wss.close(resolve));
    await closeHttpServer(server);
  });
});

describe('options and lifecycle', { timeout: 30_000 }, () => {
  test('exactly one of port, server and noServer', () => {
    assert.throws(() => new WebSocketServer({}), TypeError);
    assert.throws(() => new WebSocketServer({ port: 0, noServer: true }), TypeError);
    assert.throws(() => new WebSocketServer({ server: http.createServer(), noServer: true }), TypeError);
    assert.throws(() => new WebSocketServer({ noServer: true, handshakeTimeout: -1 }), RangeError);
  });

  test('defaults follow ws', () => {
    const wss = new WebSocketServer({ noServer: true });
    assert.equal(wss.options.maxPayload, 100 * 1024 * 1024);
    assert.equal(wss.options.clientTracking, true);
    assert.equal(wss.options.autoPong, true);
    assert.equal(wss.options.allowSynchronousEvents, true);
    assert.equal(wss.options.skipUTF8Validation, false);
    assert.equal(wss.options.perMessageDeflate, false);
    assert.equal(wss.options.handshakeTimeout, 10_000);
    assert.ok(wss.clients instanceof Set);
  });

  test('close() on the port server waits for open connections, then a second close() reports an error', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await once(wss, 'listening');
    const connection = once(wss, 'connection');
    const { socket } = await upgrade(wss.address().port, upgradeRequest());
    const [ws] = await connection;
    ws.on('error', () => {});
    let closed = false;
    wss.close(() => (closed = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(closed, false);
    assert.equal(ws.readyState, WebSocket.OPEN);
    const wssClosed = once(wss, 'close');
    socket.destroy();
    await wssClosed;
    assert.equal(closed, true);
    const [error] = await new Promise((resolve) => wss.close((...args) => resolve(args)));
    assert.equal(error.message, 'The server is not running');
  });

  test('the listening callback and a listen error', async () => {
    const first = await new Promise((resolve) => {
      const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' }, () => resolve(wss));
    });
    servers.push(first);
    const second = new WebSocketServer({ port: first.address().port, host: '127.0.0.1' });
    const [error] = await once(second, 'error');
    assert.equal(error.code, 'EADDRINUSE');
    await new Promise((resolve) => second.close(() => resolve()));
  });
});

describe('hostile clients', { timeout: 30_000 }, () => {
  test('SECURITY-CASES row 6: more headers than maxHeadersCount → 400, process alive', async () => {
    const { port } = await startServer();
    // Node keeps the first 2000 headers: Upgrade and the key come after them and are dropped.
    const filler = 'a:1\r\n'.repeat(2000);
    const request =
      `GET / HTTP/1.1\r\nHost: localhost\r\n${filler}` +
      `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${RFC_KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n`;
    assertRefused(await refused(port, request), 400, 'Bad Request', 'Invalid Upgrade header');
    // Still serving.
    const { socket, head } = await upgrade(port, upgradeRequest());
    assert.equal(head, RFC_101);
    socket.destroy();
  });

  test('SECURITY-CASES row 7: a header block dribbled one byte per write → 431 past the size cap', async () => {
    const { port } = await startServer();
    const socket = await connect(port);
    socket.setNoDelay(true);
    const done = collectUntilClose(socket, 20_000);
    let closed = false;
    socket.once('close', () => (closed = true));
    socket.write('GET / HTTP/1.1\r\nHost: localhost\r\nX-Filler: ');
    let sent = 0;
    // Past Node's 16 KiB cap; the loop is bounded at 60 KiB.
    while (!closed && sent < 60 * 1024) {
      socket.write('a');
      sent++;
      if (sent % 16 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    const result = await done;
    assertRefused(result, 431, 'Request Header Fields Too Large', 'Request Header Fields Too Large');
    assert.ok(sent < 60 * 1024, `closed after ${sent} bytes`);
  });

  test('SECURITY-CASES row 7: a request that never ends is closed after the handshake timeout', async () => {
    const { port } = await startServer({ handshakeTimeout: 300 });
    const socket = await connect(port);
    const done = collectUntilClose(socket, 5000);
    socket.write('GET / HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n');
    const result = await done;
    assertRefused(result, 408, 'Request Timeout', 'Request Timeout');
  });

  test('SECURITY-CASES row 7: a connection that sends nothing is closed after the handshake timeout', async () => {
    const { port } = await startServer({ handshakeTimeout: 300 });
    const socket = await connect(port);
    const result = await collectUntilClose(socket, 5000);
    assert.equal(result.closed, true, 'closed by the server');
  });
});
