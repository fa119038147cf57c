// RFC 8441 on the wire, client role: what a wsx client sends on an extended
// CONNECT stream, and which answers from a hand-written node:http2 server
// make it fail; the `http2` option's session pool and HTTP/1.1 fallback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { once } from 'node:events';
import { WebSocket, WebSocketServer } from '../../dist/index.js';
import { buildConnectHeaders } from '../../dist/client/http2-connect-headers.js';
import { validateConnectResponse } from '../../dist/client/http2-connect-response.js';
import { parseWebSocketUrl } from '../../dist/client/websocket-url.js';
import { TEST_CERT, TEST_KEY, TRUST_TEST_CERT, eventWithin, within } from '../helpers/http2-fixtures.js';

const TIMEOUT = 10_000;

/** A raw h2 TLS server that hands every stream to `answer(stream, headers)`. */
async function rawServer(answer, settings = { enableConnectProtocol: true }, extra = {}) {
  const server = http2.createSecureServer({ key: TEST_KEY, cert: TEST_CERT, settings, ...extra });
  const requests = [];
  const streams = [];
  server.on('stream', (stream, headers) => {
    requests.push(headers);
    streams.push(stream);
    stream.on('error', () => {});
    answer(stream, headers);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const sessions = new Set();
  server.on('session', (s) => {
    sessions.add(s);
    s.on('error', () => {});
  });
  return {
    server,
    requests,
    streams,
    url: `wss://127.0.0.1:${server.address().port}/path?q=1`,
    close() {
      for (const s of sessions) s.destroy();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Resolves with the error and close code of a client that must fail its handshake. */
async function failure(ws) {
  // Not events.once(ws, 'close'): it rejects when 'error' comes first.
  const errors = [];
  ws.on('error', (error) => errors.push(error));
  const [code] = await within(new Promise((resolve) => ws.once('close', (...args) => resolve(args))), TIMEOUT, 'handshake failure');
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(errors.length, 1, 'exactly one error');
  return { error: errors[0], code };
}

test('the CONNECT request carries exactly the RFC 8441 pseudo-headers and WebSocket headers', async () => {
  const srv = await rawServer((stream) => stream.respond({ ':status': 200 }, { endStream: false }));
  const ws = new WebSocket(srv.url, ['chat', 'superchat'], {
    ...TRUST_TEST_CERT,
    http2: true,
    origin: 'https://app.example',
    headers: { 'X-Custom': 'v', Connection: 'keep-alive', 'Sec-WebSocket-Key': 'nope', Upgrade: 'h2c' },
  });
  try {
    await within(once(ws, 'open'), TIMEOUT, 'open');
    const h = srv.requests[0];
    assert.equal(h[':method'], 'CONNECT');
    assert.equal(h[':protocol'], 'websocket');
    assert.equal(h[':scheme'], 'https');
    assert.equal(h[':path'], '/path?q=1');
    assert.equal(h[':authority'], new URL(srv.url).host);
    assert.equal(h['sec-websocket-version'], '13');
    assert.equal(h['sec-websocket-protocol'], 'chat, superchat');
    assert.equal(h['sec-websocket-extensions'], 'permessage-deflate; client_max_window_bits');
    assert.equal(h.origin, 'https://app.example');
    assert.equal(h['x-custom'], 'v');
    for (const name of ['sec-websocket-key', 'connection', 'upgrade', 'host']) assert.equal(h[name], undefined, name);
    assert.equal(ws.httpVersion, '2');
    assert.equal(ws.protocol, '');
  } finally {
    ws.terminate();
    await srv.close();
  }
});

test('buildConnectHeaders: URL credentials become Authorization, a Host header becomes :authority', () => {
  const headers = buildConnectHeaders({
    url: parseWebSocketUrl('ws://user:p%40ss@example.com:8080/a'),
    protocolVersion: 13,
    protocols: [],
    origin: undefined,
    extensionOffer: undefined,
    userHeaders: { Host: 'virtual.example' },
    forwardCredentials: true,
  });
  assert.equal(headers[':scheme'], 'http');
  assert.equal(headers[':authority'], 'virtual.example');
  assert.equal(headers.authorization, `Basic ${Buffer.from('user:p@ss').toString('base64')}`);
  assert.equal(headers['sec-websocket-protocol'], undefined);
  assert.equal(headers['sec-websocket-extensions'], undefined);
});

test('validateConnectResponse: the response rules', () => {
  const expected = { offeredProtocols: ['chat'], offeredExtensions: new Set(['permessage-deflate']) };
  assert.deepEqual(validateConnectResponse({ ':status': 200 }, expected), { protocol: '', extensionsHeader: undefined, extensions: [] });
  assert.equal(validateConnectResponse({ ':status': 200, 'sec-websocket-protocol': 'chat' }, expected).protocol, 'chat');
  const cases = [
    [{ ':status': 101 }, /Unexpected server response: 101/],
    [{ ':status': 400 }, /Unexpected server response: 400/],
    [{ ':status': 426, 'sec-websocket-version': '13' }, /Unexpected server response: 426/],
    [{ ':status': 200, 'sec-websocket-protocol': 'other' }, /invalid subprotocol/],
    [{ ':status': 200, 'sec-websocket-extensions': 'x-unknown' }, /not requested/],
    [{ ':status': 200, 'sec-websocket-extensions': 'permessage-deflate, permessage-deflate' }, /more than once/],
    [{ ':status': 200, 'sec-websocket-extensions': 'permessage-deflate; "' }, /Invalid Sec-WebSocket-Extensions/],
  ];
  for (const [headers, message] of cases) {
    assert.throws(() => validateConnectResponse(headers, expected), (error) => {
      assert.equal(error.code, 'WSX_ERR_HANDSHAKE');
      assert.equal(error.closeCode, 1006);
      assert.match(error.message, message);
      return true;
    });
  }
  assert.throws(
    () => validateConnectResponse({ ':status': 200, 'sec-websocket-protocol': 'chat' }, { offeredProtocols: [], offeredExtensions: new Set() }),
    /none was requested/,
  );
});

const badAnswers = [
  ['a 400', (stream) => stream.respond({ ':status': 400 }, { endStream: true }), /Unexpected server response: 400/],
  [
    'a 426 (version)',
    (stream) => stream.respond({ ':status': 426, 'sec-websocket-version': '13' }, { endStream: true }),
    /Unexpected server response: 426/,
  ],
  [
    'a subprotocol that was not offered',
    (stream) => stream.respond({ ':status': 200, 'sec-websocket-protocol': 'other' }, { endStream: false }),
    /invalid subprotocol/,
  ],
  [
    'an extension that was not offered',
    (stream) => stream.respond({ ':status': 200, 'sec-websocket-extensions': 'x-webkit-deflate-frame' }, { endStream: false }),
    /not requested/,
  ],
  ['a reset before any answer', (stream) => stream.close(http2.constants.NGHTTP2_REFUSED_STREAM), /before answering/],
];

for (const [name, answer, message] of badAnswers) {
  test(`the client fails its handshake (1006) on ${name}, and its stream is closed`, async () => {
    const srv = await rawServer(answer);
    const ws = new WebSocket(srv.url, ['chat'], { ...TRUST_TEST_CERT, http2: true });
    try {
      const { error, code } = await failure(ws);
      assert.match(error.message, message);
      assert.equal(code, 1006);
      assert.equal(ws.readyState, WebSocket.CLOSED);
      const stream = srv.streams[0];
      if (!stream.closed) await within(once(stream, 'close'), TIMEOUT, 'server-side stream closed');
    } finally {
      await srv.close();
    }
  });
}

test('a refusal over HTTP/2 carries its status, headers and the start of its body on the error', async () => {
  const body = 'no token. '.repeat(3000); // 30 000 bytes: the error keeps the first 16 KiB
  const srv = await rawServer((stream) => {
    stream.respond({ ':status': 403, 'content-type': 'text/plain', 'x-reason': 'no token' });
    stream.end(body);
  });
  const ws = new WebSocket(srv.url, { ...TRUST_TEST_CERT, http2: true });
  try {
    const { error, code } = await failure(ws);
    assert.equal(code, 1006);
    assert.equal(error.name, 'UnexpectedResponseError');
    assert.equal(error.code, 'WSX_ERR_HANDSHAKE');
    assert.match(error.message, /Unexpected server response: 403/);
    assert.equal(error.statusCode, 403);
    assert.equal(error.headers['x-reason'], 'no token');
    assert.equal(error.body.toString(), body.slice(0, 16 * 1024));
  } finally {
    await srv.close();
  }
});

test('http2: <session> uses the given session; a server without extended CONNECT fails the handshake', async () => {
  const srv = await rawServer(() => assert.fail('no stream expected'), { enableConnectProtocol: false });
  const session = http2.connect(new URL(srv.url).origin.replace('wss:', 'https:'), { ca: TEST_CERT });
  session.on('error', () => {});
  try {
    const ws = new WebSocket(srv.url, { http2: session });
    const { error, code } = await failure(ws);
    assert.match(error.message, /SETTINGS_ENABLE_CONNECT_PROTOCOL/);
    assert.equal(code, 1006);
    assert.equal(srv.requests.length, 0);
  } finally {
    session.destroy();
    await srv.close();
  }
});

test('http2: <session> opens every WebSocket on that session, also once its SETTINGS came long ago', async () => {
  const srv = await rawServer((stream) => {
    stream.respond({ ':status': 200 }, { endStream: false });
    stream.end();
  });
  const session = http2.connect(`https://127.0.0.1:${new URL(srv.url).port}`, { ca: TEST_CERT });
  session.on('error', () => {});
  await once(session, 'remoteSettings');
  await new Promise((resolve) => setTimeout(resolve, 20));
  try {
    const a = new WebSocket(srv.url, { http2: session });
    const b = new WebSocket(srv.url, { http2: session });
    await within(Promise.all([once(a, 'open'), once(b, 'open')]), TIMEOUT, 'open');
    assert.equal(a._socket.session, session);
    assert.equal(b._socket.session, session);
    a.terminate();
    b.terminate();
  } finally {
    session.destroy();
    await srv.close();
  }
});

test('http2: true falls back to an HTTP/1.1 upgrade when the server does not advertise extended CONNECT', async () => {
  const wss = new WebSocketServer({ noServer: true });
  const server = http2.createSecureServer({ key: TEST_KEY, cert: TEST_CERT, allowHTTP1: true });
  let streams = 0;
  server.on('stream', () => streams++);
  server.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => ws.send(`via ${req.httpVersion}`)));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const ws = new WebSocket(`wss://127.0.0.1:${server.address().port}/`, { ...TRUST_TEST_CERT, http2: true });
    const [data] = await eventWithin(ws, 'message', TIMEOUT);
    assert.equal(data.toString(), 'via 1.1');
    assert.equal(ws.httpVersion, '1.1');
    assert.equal(streams, 0);
    ws.close();
    await once(ws, 'close');
  } finally {
    server.close();
    wss.close();
  }
});

test('http2: true falls back to HTTP/1.1 against a server that does not speak HTTP/2 at all (h2c refused)', async () => {
  const { createServer } = await import('node:http');
  const server = createServer();
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws) => ws.send('plain'));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const ws = new WebSocket(`ws://127.0.0.1:${server.address().port}/`, { http2: true });
    const [data] = await eventWithin(ws, 'message', TIMEOUT);
    assert.equal(data.toString(), 'plain');
    assert.equal(ws.httpVersion, '1.1');
    ws.close();
    await once(ws, 'close');
  } finally {
    wss.close();
    server.close();
  }
});

test('http2: true with a createConnection (a proxy, say) keeps to HTTP/1.1 through it rather than go around it', async () => {
  const { createServer } = await import('node:http');
  const net = await import('node:net');
  const server = createServer();
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws) => ws.send('through createConnection'));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  let used = 0;
  try {
    const ws = new WebSocket(`ws://127.0.0.1:${server.address().port}/`, {
      http2: true,
      createConnection: (options) => {
        used++;
        return net.connect(options.port, options.host);
      },
    });
    const [data] = await eventWithin(ws, 'message', TIMEOUT);
    assert.equal(data.toString(), 'through createConnection');
    assert.equal(ws.httpVersion, '1.1');
    assert.equal(used, 1);
    ws.close();
    await once(ws, 'close');
  } finally {
    wss.close();
    server.close();
  }
});

test('the http2 option is type-checked', () => {
  assert.throws(() => new WebSocket('ws://127.0.0.1:1/', { http2: 'yes' }), TypeError);
  assert.throws(() => new WebSocket('ws://127.0.0.1:1/', { http2: {} }), TypeError);
});

test('close() while the HTTP/2 handshake is pending fails it once with 1006', async () => {
  const srv = await rawServer(() => {});
  const ws = new WebSocket(srv.url, { ...TRUST_TEST_CERT, http2: true });
  try {
    await within(new Promise((resolve) => setTimeout(resolve, 50)), TIMEOUT, 'wait');
    ws.close();
    const { code } = await failure(ws);
    assert.equal(code, 1006);
  } finally {
    await srv.close();
  }
});

test('handshakeTimeout covers a server that never answers the CONNECT', async () => {
  const srv = await rawServer(() => {});
  const ws = new WebSocket(srv.url, { ...TRUST_TEST_CERT, http2: true, handshakeTimeout: 200 });
  try {
    const { error, code } = await failure(ws);
    assert.equal(error.code, 'WSX_ERR_HANDSHAKE_TIMEOUT');
    assert.equal(code, 1006);
  } finally {
    await srv.close();
  }
});
