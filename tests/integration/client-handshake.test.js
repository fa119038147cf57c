// The client opening handshake against small hand-written servers on 127.0.0.1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter, once } from 'node:events';
import { createHash } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { TEST_CERT, TEST_KEY } from '../../examples/http2/test-certificate.js';
import { startClientHandshake } from '../../dist/client/client-handshake.js';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const acceptFor = (key) => createHash('sha1').update(key + GUID).digest('base64');

/** Records what the handshake does to it; attach() destroys the socket. */
class FakeTarget extends EventEmitter {
  constructor() {
    super();
    this.urls = [];
    this.attachCalls = [];
    this.failures = [];
    this.settled = new Promise((resolve) => {
      this.resolve = resolve;
    });
  }
  setUrl(url) {
    this.urls.push(url);
  }
  attach(socket, head, options) {
    this.attachCalls.push({ head: Buffer.from(head), options });
    socket.destroy();
    this.resolve('attach');
  }
  failHandshake(error) {
    this.failures.push(error);
    this.resolve('fail');
  }
}

/** Waits for the outcome, then a few turns more to catch a second report. */
async function outcome(target) {
  const kind = await withDeadline(target.settled, 5000, 'handshake outcome');
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(target.attachCalls.length + target.failures.length, 1, 'exactly one outcome');
  return kind;
}

function withDeadline(promise, ms, what) {
  let timer;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** Resolves once the peer has hung up (http.Server sockets are half-open: 'end' then no 'close'). */
function closed(socket) {
  if (socket.closed || socket.readableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    socket.once('end', resolve);
    socket.once('close', resolve);
  });
}

async function failure(target) {
  assert.equal(await outcome(target), 'fail');
  return target.failures[0];
}

/**
 * An HTTP server whose 'upgrade' handler (every handshake request) is
 * `onUpgrade(req, socket, head)`. Records requests; closes everything after the test.
 */
async function startServer(t, onUpgrade) {
  const requests = [];
  const sockets = new Set();
  const server = http.createServer((req, res) => {
    res.statusCode = 426;
    res.end();
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => {});
    requests.push({ url: req.url, headers: req.headers, rawHeaders: req.rawHeaders });
    onUpgrade(req, socket, head);
    socket.resume(); // read, so the client's FIN is seen
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });
  const { port } = server.address();
  return { server, port, requests, url: `ws://127.0.0.1:${port}` };
}

function writeResponse(socket, statusLine, headers, extra = '') {
  let text = `HTTP/1.1 ${statusLine}\r\n`;
  for (const [name, value] of headers) text += `${name}: ${value}\r\n`;
  // latin1: `extra` may hold raw frame bytes written as \xNN.
  socket.write(`${text}\r\n${extra}`, 'latin1');
}

function switching(req, socket, { accept, protocol, extensions, extra = '', omit = [] } = {}) {
  const headers = [
    ['Upgrade', 'websocket'],
    ['Connection', 'Upgrade'],
    ['Sec-WebSocket-Accept', accept ?? acceptFor(req.headers['sec-websocket-key'])],
  ].filter(([name]) => !omit.includes(name));
  if (protocol !== undefined) headers.push(['Sec-WebSocket-Protocol', protocol]);
  if (extensions !== undefined) headers.push(['Sec-WebSocket-Extensions', extensions]);
  writeResponse(socket, '101 Switching Protocols', headers, extra);
}

function redirect(socket, status, location) {
  writeResponse(socket, `${status} Redirect`, [['Location', location], ['Content-Length', '0']]);
  socket.end();
}

test('a correct 101 attaches the socket with the resolved options', async (t) => {
  const server = await startServer(t, (req, socket) => switching(req, socket, { extra: '\x81\x02hi' }));
  const target = new FakeTarget();
  const upgrades = [];
  target.on('upgrade', (res) => upgrades.push({ res, attachedYet: target.attachCalls.length }));
  startClientHandshake(target, `${server.url}/chat?room=1`, undefined, {
    origin: 'https://app.example',
    headers: { 'X-Custom': 'yes', Connection: 'close', 'Sec-WebSocket-Key': 'forged' },
  });
  assert.equal(await outcome(target), 'attach');

  assert.deepEqual(target.urls, [`${server.url}/chat?room=1`]);
  const [{ head, options }] = target.attachCalls;
  assert.deepEqual(options, {
    role: 'client',
    protocol: '',
    extensions: '',
    perMessageDeflate: null,
    maxPayload: 104857600,
    skipUTF8Validation: false,
    autoPong: true,
    allowSynchronousEvents: true,
  });
  // The bytes after the response head reach attach() (the socket may split them).
  assert.ok(Buffer.from([0x81, 0x02, 0x68, 0x69]).subarray(0, head.length).equals(head));

  assert.equal(upgrades.length, 1);
  assert.equal(upgrades[0].attachedYet, 0, "'upgrade' comes before attach()");
  assert.equal(upgrades[0].res.statusCode, 101);

  const [request] = server.requests;
  assert.equal(request.url, '/chat?room=1');
  assert.equal(request.headers.host, `127.0.0.1:${server.port}`);
  assert.equal(request.headers.upgrade, 'websocket');
  assert.equal(request.headers.connection, 'Upgrade');
  assert.equal(request.headers['sec-websocket-version'], '13');
  assert.match(request.headers['sec-websocket-key'], /^[A-Za-z0-9+/]{22}==$/);
  assert.equal(Buffer.from(request.headers['sec-websocket-key'], 'base64').length, 16);
  assert.equal(request.headers.origin, 'https://app.example');
  assert.equal(request.headers['x-custom'], 'yes');
  assert.equal(request.headers['sec-websocket-protocol'], undefined);
  // perMessageDeflate defaults to true for clients, as in ws.
  assert.equal(request.headers['sec-websocket-extensions'], 'permessage-deflate; client_max_window_bits');
  assert.equal(request.headers.authorization, undefined);
});

test('options reach attach(); http: URLs are reported as ws:', async (t) => {
  const server = await startServer(t, (req, socket) => switching(req, socket));
  const target = new FakeTarget();
  startClientHandshake(target, `http://127.0.0.1:${server.port}`, undefined, {
    maxPayload: 10,
    skipUTF8Validation: true,
    autoPong: false,
    allowSynchronousEvents: false,
    protocolVersion: 8,
    origin: 'https://o.example',
  });
  assert.equal(await outcome(target), 'attach');
  assert.deepEqual(target.urls, [`ws://127.0.0.1:${server.port}/`]);
  const { options } = target.attachCalls[0];
  assert.equal(options.maxPayload, 10);
  assert.equal(options.skipUTF8Validation, true);
  assert.equal(options.autoPong, false);
  assert.equal(options.allowSynchronousEvents, false);
  assert.equal(server.requests[0].headers['sec-websocket-version'], '8');
  assert.equal(server.requests[0].headers['sec-websocket-origin'], 'https://o.example');
  assert.equal(server.requests[0].headers.origin, undefined);
});

test('subprotocols: offered joined by ", ", the chosen one reported', async (t) => {
  const server = await startServer(t, (req, socket) => switching(req, socket, { protocol: 'b' }));
  const target = new FakeTarget();
  startClientHandshake(target, server.url, ['a', 'b'], undefined);
  assert.equal(await outcome(target), 'attach');
  assert.equal(server.requests[0].headers['sec-websocket-protocol'], 'a, b');
  assert.equal(target.attachCalls[0].options.protocol, 'b');
});

test('a server that picks no subprotocol is accepted with protocol ""', async (t) => {
  const server = await startServer(t, (req, socket) => switching(req, socket));
  const target = new FakeTarget();
  startClientHandshake(target, server.url, 'a', undefined);
  assert.equal(await outcome(target), 'attach');
  assert.equal(target.attachCalls[0].options.protocol, '');
});

const badAnswers = [
  ['a wrong Sec-WebSocket-Accept', { accept: acceptFor('AQIDBAUGBwgJCgsMDQ4PEA==') }, undefined, 'Invalid Sec-WebSocket-Accept header'],
  ['a subprotocol that was not offered', { protocol: 'c' }, ['a', 'b'], 'Server sent an invalid subprotocol'],
  ['a subprotocol when none was offered', { protocol: 'a' }, undefined, 'Server sent a subprotocol but none was requested'],
  [
    'an extension that was not offered',
    { extensions: 'x-webkit-deflate-frame' },
    undefined,
    'Server indicated an extension that was not requested',
  ],
  ['no Upgrade header', { omit: ['Upgrade'] }, undefined, 'Invalid Upgrade header'],
  ['no Connection header', { omit: ['Connection'] }, undefined, 'Invalid Connection header'],
];
for (const [what, answer, protocols, message] of badAnswers) {
  test(`a 101 with ${what} fails the handshake`, async (t) => {
    const server = await startServer(t, (req, socket) => switching(req, socket, answer));
    const target = new FakeTarget();
    let upgradeEvents = 0;
    target.on('upgrade', () => upgradeEvents++);
    startClientHandshake(target, server.url, protocols, undefined);
    const error = await failure(target);
    assert.equal(error.code, 'WSX_ERR_HANDSHAKE');
    assert.equal(error.closeCode, 1006);
    assert.equal(error.message, message);
    assert.ok(upgradeEvents <= 1);
  });
}

test("a 403 goes to 'unexpected-response' listeners, which own the request", async (t) => {
  const server = await startServer(t, (req, socket) => {
    writeResponse(socket, '403 Forbidden', [['Content-Length', '6']], 'denied');
  });
  const target = new FakeTarget();
  const seen = new Promise((resolve) => {
    target.on('unexpected-response', (req, res) => resolve({ req, res }));
  });
  const handshake = startClientHandshake(target, server.url, undefined, undefined);
  const { req, res } = await withDeadline(seen, 5000, "'unexpected-response'");
  assert.ok(req instanceof http.ClientRequest);
  assert.equal(res.statusCode, 403);
  let body = '';
  for await (const chunk of res) body += chunk;
  assert.equal(body, 'denied');
  // Still connecting: nothing reported until the listener ends it.
  assert.equal(target.failures.length, 0);
  const closed = new Error('closed by the application');
  handshake.abort(closed);
  assert.equal(await failure(target), closed);
});

for (const status of ['403 Forbidden', '500 Internal Server Error']) {
  test(`without listeners a ${status} fails with the status code in the message`, async (t) => {
    const server = await startServer(t, (req, socket) => {
      writeResponse(socket, status, [['Content-Length', '0']]);
    });
    const target = new FakeTarget();
    startClientHandshake(target, server.url, undefined, undefined);
    const error = await failure(target);
    assert.equal(error.message, `Unexpected server response: ${status.slice(0, 3)}`);
    assert.equal(error.code, 'WSX_ERR_HANDSHAKE');
  });
}

test('without followRedirects a 302 is an unexpected response', async (t) => {
  const server = await startServer(t, (req, socket) => redirect(socket, 302, '/elsewhere'));
  const target = new FakeTarget();
  startClientHandshake(target, server.url, undefined, undefined);
  assert.equal((await failure(target)).message, 'Unexpected server response: 302');
  assert.equal(server.requests.length, 1);
});

test('a same-host redirect keeps credentials and reports the new URL', async (t) => {
  const server = await startServer(t, (req, socket) => {
    if (req.url === '/start') redirect(socket, 302, '/ws?x=1');
    else switching(req, socket);
  });
  const target = new FakeTarget();
  const redirects = [];
  target.on('redirect', (url, req) => redirects.push({ url, req }));
  startClientHandshake(target, `ws://user:pw@127.0.0.1:${server.port}/start`, undefined, {
    followRedirects: true,
    headers: { Cookie: 'sid=1', 'Proxy-Authorization': 'Basic cDpx', 'X-Custom': 'yes' },
  });
  assert.equal(await outcome(target), 'attach');
  const next = `ws://user:pw@127.0.0.1:${server.port}/ws?x=1`;
  assert.deepEqual(target.urls, [`ws://user:pw@127.0.0.1:${server.port}/start`, next]);
  assert.equal(redirects.length, 1);
  assert.equal(redirects[0].url, next);
  assert.ok(redirects[0].req instanceof http.ClientRequest);
  assert.deepEqual(
    server.requests.map((r) => r.url),
    ['/start', '/ws?x=1'],
  );
  const basic = `Basic ${Buffer.from('user:pw').toString('base64')}`;
  for (const request of server.requests) {
    assert.equal(request.headers.authorization, basic);
    assert.equal(request.headers.cookie, 'sid=1');
    assert.equal(request.headers['proxy-authorization'], 'Basic cDpx');
    assert.equal(request.headers['x-custom'], 'yes');
  }
  // Each hop sends a fresh key.
  assert.notEqual(server.requests[0].headers['sec-websocket-key'], server.requests[1].headers['sec-websocket-key']);
});

test('a redirect to another host:port drops Authorization, Cookie and credentials (SECURITY-CASES row 13)', async (t) => {
  const other = await startServer(t, (req, socket) => {
    if (req.url === '/back') redirect(socket, 307, `ws://127.0.0.1:${first.port}/final`);
    else switching(req, socket);
  });
  const first = await startServer(t, (req, socket) => {
    if (req.url === '/start') redirect(socket, 301, `http://127.0.0.1:${other.port}/back`);
    else switching(req, socket);
  });
  const target = new FakeTarget();
  startClientHandshake(target, `ws://user:pw@127.0.0.1:${first.port}/start`, undefined, {
    followRedirects: true,
    headers: { authorization: 'Bearer secret', Cookie: 'sid=1', 'Proxy-Authorization': 'Basic cDpx', 'X-Custom': 'yes' },
  });
  assert.equal(await outcome(target), 'attach');
  assert.deepEqual(target.urls, [
    `ws://user:pw@127.0.0.1:${first.port}/start`,
    `ws://127.0.0.1:${other.port}/back`,
    `ws://127.0.0.1:${first.port}/final`,
  ]);
  assert.equal(first.requests[0].headers.authorization, 'Bearer secret');
  assert.equal(first.requests[0].headers.cookie, 'sid=1');
  const stripped = [other.requests[0], first.requests[1]];
  for (const request of stripped) {
    assert.equal(request.headers.authorization, undefined);
    assert.equal(request.headers.cookie, undefined);
    assert.equal(request.headers['proxy-authorization'], undefined);
    assert.equal(request.headers['x-custom'], 'yes');
  }
  assert.equal(other.requests[0].headers.host, `127.0.0.1:${other.port}`);
});

test('more than maxRedirects redirects fail the handshake', async (t) => {
  const server = await startServer(t, (req, socket) => redirect(socket, 302, '/again'));
  const target = new FakeTarget();
  startClientHandshake(target, server.url, undefined, { followRedirects: true, maxRedirects: 2 });
  const error = await failure(target);
  assert.equal(error.message, 'Maximum redirects exceeded');
  assert.equal(server.requests.length, 3);
  assert.equal(target.urls.length, 3);
});

test('a redirect to a non-WebSocket scheme fails with SyntaxError', async (t) => {
  const server = await startServer(t, (req, socket) => redirect(socket, 302, 'ftp://127.0.0.1/x'));
  const target = new FakeTarget();
  startClientHandshake(target, server.url, undefined, { followRedirects: true });
  const error = await failure(target);
  assert.equal(error.name, 'SyntaxError');
});

test('the handshake timeout fails with WSX_ERR_HANDSHAKE_TIMEOUT', async (t) => {
  const sockets = [];
  const silent = net.createServer((socket) => {
    sockets.push(socket);
    socket.resume(); // read, so the client's FIN is seen
  });
  silent.listen(0, '127.0.0.1');
  await once(silent, 'listening');
  t.after(() => {
    for (const socket of sockets) socket.destroy();
    silent.close();
  });
  const target = new FakeTarget();
  startClientHandshake(target, `ws://127.0.0.1:${silent.address().port}/`, undefined, { handshakeTimeout: 100 });
  const error = await failure(target);
  assert.equal(error.code, 'WSX_ERR_HANDSHAKE_TIMEOUT');
  assert.equal(error.message, 'Opening handshake has timed out');
  assert.equal(error.closeCode, 1006);
  // The client gave up on its connection.
  await withDeadline(closed(sockets[0]), 5000, 'server socket close');
});

test('connection refused reaches failHandshake', async () => {
  const probe = net.createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  const target = new FakeTarget();
  startClientHandshake(target, `ws://127.0.0.1:${port}/`, undefined, undefined);
  assert.equal((await failure(target)).code, 'ECONNREFUSED');
});

for (const [what, hangUp] of [
  ['a reset', (socket) => socket.resetAndDestroy()],
  ['a close', (socket) => socket.destroy()],
  ['half a response then a reset', (socket) => socket.write('HTTP/1.1 101 Switching', () => socket.resetAndDestroy())],
]) {
  test(`${what} mid-handshake reaches failHandshake (SECURITY-CASES row 15)`, async (t) => {
    const rude = net.createServer((socket) => {
      socket.on('error', () => {});
      socket.once('data', () => hangUp(socket));
    });
    rude.listen(0, '127.0.0.1');
    await once(rude, 'listening');
    t.after(() => rude.close());
    const target = new FakeTarget();
    startClientHandshake(target, `ws://127.0.0.1:${rude.address().port}/`, undefined, undefined);
    const error = await failure(target);
    assert.equal(error.code, 'ECONNRESET');
  });
}

test('wss: to a plain TCP server fails with the TLS error', async (t) => {
  const plain = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.once('data', () => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
  });
  plain.listen(0, '127.0.0.1');
  await once(plain, 'listening');
  t.after(() => plain.close());
  const target = new FakeTarget();
  startClientHandshake(target, `wss://127.0.0.1:${plain.address().port}/`, undefined, undefined);
  const error = await failure(target);
  assert.ok(error instanceof Error);
  assert.notEqual(error.code, undefined);
  assert.match(String(error.code), /^(ERR_SSL_|ECONNRESET$|EPROTO$)/);
});

test('abort() while waiting destroys the request and reports once', async (t) => {
  let serverSocket;
  const server = await startServer(t, (req, socket) => {
    serverSocket = socket;
  });
  const target = new FakeTarget();
  const handshake = startClientHandshake(target, server.url, undefined, undefined);
  await withDeadline(
    new Promise((resolve) => {
      const poll = setInterval(() => {
        if (serverSocket !== undefined) {
          clearInterval(poll);
          resolve();
        }
      }, 5);
    }),
    5000,
    'request at the server',
  );
  const reason = new Error('WebSocket was closed before the connection was established');
  handshake.abort(reason);
  handshake.abort(new Error('second'));
  assert.equal(await failure(target), reason);
  await withDeadline(closed(serverSocket), 5000, 'server socket close');
});

test("abort() from an 'upgrade' listener prevents attach()", async (t) => {
  const server = await startServer(t, (req, socket) => switching(req, socket));
  const target = new FakeTarget();
  const reason = new Error('closed in upgrade');
  const handshake = startClientHandshake(target, server.url, undefined, undefined);
  target.on('upgrade', () => handshake.abort(reason));
  assert.equal(await failure(target), reason);
});

test('abort() after attach() does nothing', async (t) => {
  const server = await startServer(t, (req, socket) => switching(req, socket));
  const target = new FakeTarget();
  const handshake = startClientHandshake(target, server.url, undefined, undefined);
  assert.equal(await outcome(target), 'attach');
  handshake.abort(new Error('late'));
  assert.equal(target.failures.length, 0);
});

test('finishRequest is called with the request and the target instead of end()', async (t) => {
  const server = await startServer(t, (req, socket) => switching(req, socket));
  const target = new FakeTarget();
  const calls = [];
  startClientHandshake(target, server.url, undefined, {
    finishRequest(req, websocket) {
      calls.push(websocket);
      req.setHeader('X-Late', 'added');
      req.end();
    },
  });
  assert.equal(await outcome(target), 'attach');
  assert.deepEqual(calls, [target]);
  assert.equal(server.requests[0].headers['x-late'], 'added');
});

test('a custom createConnection is used', async (t) => {
  const server = await startServer(t, (req, socket) => switching(req, socket));
  const target = new FakeTarget();
  const hosts = [];
  startClientHandshake(target, `ws://ignored.invalid:${server.port}/`, undefined, {
    createConnection(options) {
      hosts.push(options.host);
      return net.connect({ host: '127.0.0.1', port: server.port });
    },
  });
  assert.equal(await outcome(target), 'attach');
  assert.deepEqual(hosts, ['ignored.invalid']);
  assert.equal(server.requests[0].headers.host, `ignored.invalid:${server.port}`);
});

test('IPv6 literal URL', async (t) => {
  const server = http.createServer();
  const sockets = new Set();
  server.on('upgrade', (req, socket) => {
    sockets.add(socket);
    server.lastHost = req.headers.host;
    switching(req, socket);
  });
  try {
    server.listen(0, '::1');
    await once(server, 'listening');
  } catch {
    t.skip('no IPv6 loopback on this machine');
    return;
  }
  t.after(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });
  const { port } = server.address();
  const target = new FakeTarget();
  startClientHandshake(target, `ws://[::1]:${port}/`, undefined, undefined);
  assert.equal(await outcome(target), 'attach');
  assert.equal(server.lastHost, `[::1]:${port}`);
  assert.deepEqual(target.urls, [`ws://[::1]:${port}/`]);
});

test('bad arguments throw synchronously and report nothing', async () => {
  const cases = [
    [['ftp://127.0.0.1/', undefined, undefined], SyntaxError],
    [['ws://127.0.0.1/#x', undefined, undefined], SyntaxError],
    [['not a url', undefined, undefined], SyntaxError],
    [['ws://127.0.0.1:1/', ['a', 'a'], undefined], SyntaxError],
    [['ws://127.0.0.1:1/', 'a b', undefined], SyntaxError],
    [['ws://127.0.0.1:1/', undefined, { protocolVersion: 12 }], RangeError],
    [['ws://127.0.0.1:1/', undefined, { headers: { 'X-Bad': 'a\r\nb' } }], TypeError],
  ];
  for (const [args, type] of cases) {
    const target = new FakeTarget();
    assert.throws(() => startClientHandshake(target, ...args), type);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(target.failures.length + target.attachCalls.length, 0);
  }
});

/**
 * One port, both TLS and plain HTTP (sniffing the first byte), so a
 * wss: to ws: downgrade can stay on the same host:port.
 */
async function startDualServer(t, onUpgrade) {
  const requests = [];
  const sockets = new Set();
  const server = http.createServer();
  server.on('upgrade', (req, socket) => {
    socket.on('error', () => {});
    requests.push({ url: req.url, headers: req.headers, secure: req.socket.encrypted === true });
    onUpgrade(req, socket);
    socket.resume();
  });
  const front = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.once('data', (chunk) => {
      socket.pause();
      if (chunk[0] === 0x16) {
        socket.unshift(chunk);
        const secure = new tls.TLSSocket(socket, { isServer: true, key: TEST_KEY, cert: TEST_CERT });
        secure.on('error', () => {});
        server.emit('connection', secure);
      } else {
        // The HTTP server may read the socket's handle directly, past any
        // unshifted bytes, so hand it the first chunk as a 'data' event.
        server.emit('connection', socket);
        socket.emit('data', chunk);
        socket.resume();
      }
    });
  });
  front.listen(0, '127.0.0.1');
  await once(front, 'listening');
  t.after(() => {
    for (const socket of sockets) socket.destroy();
    front.close();
  });
  return { port: front.address().port, requests };
}

test('wss: passes TLS options through (ca) and attaches', async (t) => {
  const server = await startDualServer(t, (req, socket) => switching(req, socket));
  const target = new FakeTarget();
  startClientHandshake(target, `wss://127.0.0.1:${server.port}/secure`, undefined, { ca: TEST_CERT });
  assert.equal(await outcome(target), 'attach');
  assert.equal(server.requests[0].secure, true);
  assert.equal(server.requests[0].url, '/secure');
  assert.equal(server.requests[0].headers.host, `127.0.0.1:${server.port}`);
});

test('wss: with an untrusted certificate fails with the TLS error', async (t) => {
  const server = await startDualServer(t, (req, socket) => switching(req, socket));
  const target = new FakeTarget();
  startClientHandshake(target, `wss://127.0.0.1:${server.port}/`, undefined, undefined);
  const error = await failure(target);
  assert.equal(error.code, 'DEPTH_ZERO_SELF_SIGNED_CERT');
  assert.equal(server.requests.length, 0);
});

test('wss: checks the host name against the certificate unless told otherwise', async (t) => {
  const server = await startDualServer(t, (req, socket) => switching(req, socket));
  const target = new FakeTarget();
  // The certificate names 127.0.0.1 and localhost, not this servername.
  startClientHandshake(target, `wss://127.0.0.1:${server.port}/`, undefined, { ca: TEST_CERT, servername: 'other.example' });
  assert.equal((await failure(target)).code, 'ERR_TLS_CERT_ALTNAME_INVALID');

  const relaxed = new FakeTarget();
  startClientHandshake(relaxed, `wss://127.0.0.1:${server.port}/`, undefined, { rejectUnauthorized: false });
  assert.equal(await outcome(relaxed), 'attach');
});

test('a redirect from wss: to ws: on the same host:port drops credentials (SECURITY-CASES row 13)', async (t) => {
  const server = await startDualServer(t, (req, socket) => {
    if (req.url === '/start') redirect(socket, 302, `ws://127.0.0.1:${server.port}/plain`);
    else switching(req, socket);
  });
  const target = new FakeTarget();
  startClientHandshake(target, `wss://user:pw@127.0.0.1:${server.port}/start`, undefined, {
    ca: TEST_CERT,
    followRedirects: true,
    headers: { Cookie: 'sid=1', 'X-Custom': 'yes' },
  });
  assert.equal(await outcome(target), 'attach');
  const [first, second] = server.requests;
  assert.equal(first.secure, true);
  assert.equal(first.headers.authorization, `Basic ${Buffer.from('user:pw').toString('base64')}`);
  assert.equal(first.headers.cookie, 'sid=1');
  assert.equal(second.secure, false);
  assert.equal(second.url, '/plain');
  assert.equal(second.headers.authorization, undefined);
  assert.equal(second.headers.cookie, undefined);
  assert.equal(second.headers['x-custom'], 'yes');
});
