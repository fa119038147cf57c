// RFC 8441 on the wire, server role: a wsx WebSocketServer attached to an
// http2 server answers extended CONNECT streams from a raw node:http2 client
// with the right :status, leaves every other stream to the application, and
// shares one port with HTTP/1.1 upgrades when allowHTTP1 is on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { once } from 'node:events';
import { WebSocket, WebSocketServer } from '../../dist/index.js';
import {
  TEST_CERT,
  TEST_KEY,
  TRUST_TEST_CERT,
  connectHeaders,
  openStream,
  rawSession,
  startHttp2Server,
  within,
} from '../helpers/http2-fixtures.js';

const TIMEOUT = 10_000;

async function withServer(options, body) {
  const h = await startHttp2Server(WebSocketServer, options);
  const session = await rawSession(h.origin);
  try {
    await within(body(h, session), TIMEOUT, 'test body');
  } finally {
    session.destroy();
    await h.close();
  }
}

test('the server advertises SETTINGS_ENABLE_CONNECT_PROTOCOL although the http2 server was created without it', async () => {
  await withServer({}, async (_h, session) => {
    assert.equal(session.remoteSettings.enableConnectProtocol, true);
  });
});

test('a valid request gets :status 200 with the chosen subprotocol, and req tells HTTP/2', async () => {
  await withServer(
    {
      wssOptions: {
        handleProtocols: (protocols, req) => {
          assert.equal(req.httpVersion, '2.0');
          return protocols.has('b') ? 'b' : false;
        },
      },
    },
    async (h, session) => {
      const seen = once(h.wss, 'connection');
      const headersEvent = once(h.wss, 'headers');
      const res = await openStream(session, connectHeaders('/room?x=1', { 'sec-websocket-protocol': 'a, b' }));
      assert.equal(res.status, 200);
      assert.equal(res.headers['sec-websocket-protocol'], 'b');
      assert.equal(res.headers['sec-websocket-accept'], undefined);
      assert.equal(res.headers['sec-websocket-extensions'], undefined);
      const [ws, req] = await seen;
      assert.equal(req.httpVersion, '2.0');
      assert.equal(req.method, 'CONNECT');
      assert.equal(req.url, '/room?x=1');
      assert.equal(req.headers[':protocol'], 'websocket');
      assert.equal(req.socket.remoteAddress, '127.0.0.1');
      assert.equal(ws.httpVersion, '2');
      assert.equal(ws.protocol, 'b');
      const [lines] = await headersEvent;
      assert.deepEqual(lines, ['HTTP/2 200', 'sec-websocket-protocol: b']);
      res.stream.close();
    },
  );
});

test('no Sec-WebSocket-Accept in the answer, unless the client sent a key anyway (undici 7 does)', async () => {
  await withServer({}, async (_h, session) => {
    const plain = await openStream(session, connectHeaders('/'));
    assert.equal(plain.status, 200);
    assert.equal(plain.headers['sec-websocket-accept'], undefined);
    const keyed = await openStream(session, connectHeaders('/', { 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' }));
    assert.equal(keyed.status, 200);
    assert.equal(keyed.headers['sec-websocket-accept'], 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    plain.stream.close();
    keyed.stream.close();
  });
});

test('headers added by a `headers` listener are sent (connection-specific ones are dropped)', async () => {
  await withServer({}, async (h, session) => {
    h.wss.on('headers', (lines) => lines.push('Set-Cookie: a=1', 'X-Test: yes', 'Connection: close', 'garbage line'));
    const res = await openStream(session, connectHeaders('/'));
    assert.equal(res.status, 200);
    assert.deepEqual(res.headers['set-cookie'], ['a=1']);
    assert.equal(res.headers['x-test'], 'yes');
    assert.equal(res.headers.connection, undefined);
    res.stream.close();
  });
});

const refused = [
  ['a missing :protocol (CONNECT with WebSocket headers)', { ':method': 'CONNECT', ':authority': 'x', 'sec-websocket-version': '13' }, 400],
  ['a wrong version', connectHeaders('/', { 'sec-websocket-version': '8' }), 426],
  ['a malformed Sec-WebSocket-Key', connectHeaders('/', { 'sec-websocket-key': 'short' }), 400],
  ['a malformed subprotocol list', connectHeaders('/', { 'sec-websocket-protocol': 'a,,b c' }), 400],
];

for (const [name, headers, status] of refused) for (const secure of [true, false]) {
  test(`${name} gets ${status} on its stream, and the session goes on (${secure ? 'h2' : 'h2c'})`, async () => {
    await withServer({ secure }, async (h, session) => {
      let connections = 0;
      h.wss.on('connection', () => connections++);
      const res = await openStream(session, headers);
      assert.equal(res.status, status);
      if (status === 426) assert.equal(res.headers['sec-websocket-version'], '13');
      assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8');
      const body = (await res.all()).toString();
      assert.ok(body.length > 0);
      assert.equal(connections, 0);
      // The same session still opens WebSockets.
      const ok = await openStream(session, connectHeaders('/'));
      assert.equal(ok.status, 200);
      ok.stream.close();
    });
  });
}

test('a CONNECT without Sec-WebSocket-Version on a websocket :protocol gets 426 with the version', async () => {
  await withServer({}, async (_h, session) => {
    const headers = connectHeaders('/');
    delete headers['sec-websocket-version'];
    const res = await openStream(session, headers);
    assert.equal(res.status, 426);
    assert.equal(res.headers['sec-websocket-version'], '13');
    assert.equal((await res.all()).toString(), 'Unsupported WebSocket version');
  });
});

test('the path option: another path gets 400', async () => {
  await withServer({ wssOptions: { path: '/ws' } }, async (_h, session) => {
    const wrong = await openStream(session, connectHeaders('/other'));
    assert.equal(wrong.status, 400);
    const right = await openStream(session, connectHeaders('/ws?token=1'));
    assert.equal(right.status, 200);
    right.stream.close();
  });
});

test('two WebSocketServers on one http2 server split the streams by path', async () => {
  const h = await startHttp2Server(WebSocketServer, { wssOptions: { path: '/a' } });
  const second = new WebSocketServer({ server: h.server, path: '/b' });
  const session = await rawSession(h.origin);
  try {
    const gotA = once(h.wss, 'connection');
    const gotB = once(second, 'connection');
    const a = await openStream(session, connectHeaders('/a'));
    const b = await openStream(session, connectHeaders('/b'));
    const c = await openStream(session, connectHeaders('/c'));
    assert.deepEqual([a.status, b.status, c.status], [200, 200, 400]);
    assert.equal((await gotA)[1].url, '/a');
    assert.equal((await gotB)[1].url, '/b');
    a.stream.close();
    b.stream.close();
  } finally {
    session.destroy();
    await new Promise((resolve) => second.close(() => resolve()));
    await h.close();
  }
});

test('verifyClient: a refusal carries its status, message and headers', async () => {
  await withServer(
    {
      wssOptions: {
        verifyClient: ({ req, secure }, done) => {
          assert.equal(secure, true);
          if (req.headers.authorization === 'Bearer ok') done(true);
          else done(false, 403, 'Go away', { 'x-reason': 'no token' });
        },
      },
    },
    async (_h, session) => {
      const denied = await openStream(session, connectHeaders('/'));
      assert.equal(denied.status, 403);
      assert.equal(denied.headers['x-reason'], 'no token');
      assert.equal((await denied.all()).toString(), 'Go away');
      const allowed = await openStream(session, connectHeaders('/', { authorization: 'Bearer ok' }));
      assert.equal(allowed.status, 200);
      allowed.stream.close();
    },
  );
});

test('verifyClient (sync) refusing gets 401', async () => {
  await withServer({ wssOptions: { verifyClient: () => false } }, async (_h, session) => {
    const res = await openStream(session, connectHeaders('/'));
    assert.equal(res.status, 401);
  });
});

test('allowedOrigins: another origin gets 403', async () => {
  await withServer({ wssOptions: { allowedOrigins: ['https://good.example'] } }, async (_h, session) => {
    const bad = await openStream(session, connectHeaders('/', { origin: 'https://evil.example' }));
    assert.equal(bad.status, 403);
    const good = await openStream(session, connectHeaders('/', { origin: 'https://good.example' }));
    assert.equal(good.status, 200);
    good.stream.close();
  });
});

test('handleProtocols choosing a subprotocol the client did not offer gets 500', async () => {
  await withServer({ wssOptions: { handleProtocols: () => 'other' } }, async (_h, session) => {
    const res = await openStream(session, connectHeaders('/', { 'sec-websocket-protocol': 'chat' }));
    assert.equal(res.status, 500);
  });
});

test('maxConnections: beyond it, 503', async () => {
  await withServer({ wssOptions: { maxConnections: 1 } }, async (_h, session) => {
    const first = await openStream(session, connectHeaders('/'));
    assert.equal(first.status, 200);
    const second = await openStream(session, connectHeaders('/'));
    assert.equal(second.status, 503);
    first.stream.close();
  });
});

test('a GET carrying :protocol (wrong method) is reset by HTTP/2 itself and the session survives', async () => {
  await withServer({}, async (_h, session) => {
    const res = await openStream(session, connectHeaders('/', { ':method': 'GET' }));
    assert.equal(res.reset, http2.constants.NGHTTP2_PROTOCOL_ERROR);
    const ok = await openStream(session, connectHeaders('/'));
    assert.equal(ok.status, 200);
    ok.stream.close();
  });
});

test("other streams stay the application's: pages are served, plain CONNECT keeps Node's 405", async () => {
  await withServer(
    {
      onRequest: (req, res) => {
        res.setHeader('content-type', 'text/plain');
        res.end(`page ${req.url}`);
      },
    },
    async (_h, session) => {
      const page = session.request({ ':path': '/index.html' });
      const [head] = await once(page, 'response');
      assert.equal(head[':status'], 200);
      let body = '';
      page.setEncoding('utf8');
      for await (const chunk of page) body += chunk;
      assert.equal(body, 'page /index.html');
      const tunnel = await openStream(session, { ':method': 'CONNECT', ':authority': 'example.com:443' });
      assert.equal(tunnel.status, 405);
      // A WebSocket on the same server, with the compatibility layer in place.
      const ws = await openStream(session, connectHeaders('/'));
      assert.equal(ws.status, 200);
      ws.stream.close();
    },
  );
});

test('a stream without a response listener in the app is not answered by wsx when it is not a WebSocket', async () => {
  await withServer({}, async (h, session) => {
    h.server.on('stream', (stream, headers) => {
      if (headers[':method'] === 'GET') stream.respond({ ':status': 204 }, { endStream: true });
    });
    const req = session.request({ ':path': '/' });
    const [head] = await once(req, 'response');
    assert.equal(head[':status'], 204);
  });
});

test('allowHTTP1: HTTP/1.1 upgrades and HTTP/2 streams on one port, one connection event', async () => {
  await withServer({ serverOptions: { allowHTTP1: true } }, async (h) => {
    const versions = [];
    h.wss.on('connection', (ws, req) => {
      versions.push([req.httpVersion, ws.httpVersion]);
      ws.on('message', (data) => ws.send(`echo ${data}`));
    });
    const clients = [
      new WebSocket(h.wsOrigin, { ...TRUST_TEST_CERT }),
      new WebSocket(h.wsOrigin, { ...TRUST_TEST_CERT, http2: true }),
    ];
    const replies = await Promise.all(
      clients.map(async (ws, i) => {
        await once(ws, 'open');
        ws.send(`hi ${i}`);
        const [data] = await once(ws, 'message');
        return [ws.httpVersion, data.toString()];
      }),
    );
    assert.deepEqual(replies, [
      ['1.1', 'echo hi 0'],
      ['2', 'echo hi 1'],
    ]);
    assert.deepEqual(versions.sort(), [
      ['1.1', '1.1'],
      ['2.0', '2'],
    ]);
    for (const ws of clients) ws.close();
    await Promise.all(clients.map((ws) => once(ws, 'close')));
  });
});

test('noServer: handleStream() answers a stream the application routes, and refuses bad ones', async () => {
  const wss = new WebSocketServer({ noServer: true });
  const server = http2.createSecureServer({ key: TEST_KEY, cert: TEST_CERT, settings: { enableConnectProtocol: true } });
  server.on('stream', (stream, headers) => {
    if (headers[':path'] === '/raw' || headers[':protocol'] === undefined) {
      // Handed over whatever it is: the server answers with the right status.
      wss.handleStream(stream, headers, (ws) => ws.send('routed'));
      return;
    }
    if (headers[':protocol'] === 'websocket') {
      wss.handleStream(stream, headers, (ws, req) => {
        assert.equal(req.httpVersion, '2.0');
        ws.send('hello from handleStream');
        assert.throws(() => wss.handleStream(stream, headers, () => {}), /more than once/);
      });
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const session = await rawSession(`https://127.0.0.1:${server.address().port}`);
  try {
    const ok = await openStream(session, connectHeaders('/ws'));
    assert.equal(ok.status, 200);
    await once(ok.stream, 'data');
    // Server frames are unmasked: 0x81, length, text.
    assert.equal(ok.bytes().toString('latin1', 2), 'hello from handleStream');
    ok.stream.close();
    const wrongMethod = await openStream(session, { ':path': '/raw', ':method': 'POST' });
    assert.equal(wrongMethod.status, 400);
    const noProtocol = await openStream(session, { ':method': 'CONNECT', ':authority': 'x', 'sec-websocket-version': '13' });
    assert.equal(noProtocol.status, 400);
    assert.equal((await noProtocol.all()).toString(), 'Missing :protocol pseudo-header');
  } finally {
    session.destroy();
    server.close();
    wss.close();
  }
});

test('an HTTP/2 server without the wss attached does not accept extended CONNECT (sanity check of the peer)', async () => {
  const server = http2.createSecureServer({ key: TEST_KEY, cert: TEST_CERT });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const session = await rawSession(`https://127.0.0.1:${server.address().port}`);
  try {
    assert.notEqual(session.remoteSettings.enableConnectProtocol, true);
  } finally {
    session.destroy();
    server.close();
  }
});

test('once the last WebSocketServer is closed, new sessions no longer advertise extended CONNECT', async () => {
  const server = http2.createServer();
  const a = new WebSocketServer({ server });
  const b = new WebSocketServer({ server, path: '/b' });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const origin = `http://127.0.0.1:${server.address().port}`;
  const sessions = [];
  try {
    await new Promise((resolve) => a.close(() => resolve()));
    sessions.push(await rawSession(origin));
    assert.equal(sessions[0].remoteSettings.enableConnectProtocol, true, 'b still handles WebSocket streams');
    await new Promise((resolve) => b.close(() => resolve()));
    sessions.push(await rawSession(origin));
    assert.equal(sessions[1].remoteSettings.enableConnectProtocol, false);
  } finally {
    for (const session of sessions) session.destroy();
    server.close();
  }
});

test('wsClientError listeners answer a malformed CONNECT themselves, on the stream', async () => {
  await withServer({}, async (h, session) => {
    const seen = [];
    h.wss.on('wsClientError', (error, stream, req) => {
      seen.push([error.name, error.statusCode, error.headers['sec-websocket-version'], req.httpVersion]);
      stream.respond({ ':status': 418, 'x-handled-by': 'app' });
      stream.end('the app answered');
    });
    const res = await openStream(session, connectHeaders('/', { 'sec-websocket-version': '8' }));
    assert.equal(res.status, 418);
    assert.equal(res.headers['x-handled-by'], 'app');
    assert.equal((await res.all()).toString(), 'the app answered');
    assert.deepEqual(seen, [['HandshakeRejectedError', 426, '13', '2.0']]);
  });
});
