// Limits against abusive clients (issue 6): handshake timeout (slowloris),
// header size and count (431), maxConnections and per-IP limits (503),
// fragments per message, ping floods (1008 while others stay served),
// allowedOrigins (403).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket, WebSocketServer } from '../../dist/index.js';
import { nextEvent, withTimeout } from '../helpers/peers.js';
import { clientFrame } from '../helpers/frame-builder.js';
import { connectTcp, openRawPeer, readResponseHead, upgradeRequest, OP } from '../helpers/raw-ws-peer.js';

const servers = [];
after(async () => {
  for (const s of servers) await s.close({ timeout: 200 }).catch(() => {});
});

async function startServer(options = {}) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, ...options });
  servers.push(wss);
  await nextEvent(wss, 'listening');
  return { wss, port: wss.address().port };
}

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const delay = (ms) => new Promise((r) => setTimeout(r, ms));

/** Sends `request` on a fresh connection; resolves with the response status line's code. */
async function statusFor(port, request, socketOptions) {
  const socket = await connectTcp(port, socketOptions);
  const reading = readResponseHead(socket);
  socket.write(request);
  try {
    return (await reading).status;
  } finally {
    socket.destroy();
  }
}

function closedWithin(socket, ms) {
  return withTimeout(
    new Promise((resolve) => {
      if (socket.destroyed) resolve();
      socket.once('close', resolve);
    }),
    ms,
    'the server closes the connection',
  );
}

test('the server handshake timeout defaults to 10 s', async () => {
  const { wss } = await startServer();
  assert.equal(wss.options.handshakeTimeout, 10_000);
});

test('slowloris: a partial upgrade request is answered 408 and closed after handshakeTimeout', async () => {
  const { wss, port } = await startServer({ handshakeTimeout: 300 });
  let connections = 0;
  wss.on('connection', () => connections++);
  const socket = await connectTcp(port);
  const reading = readResponseHead(socket, 5000);
  socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n`); // and nothing more
  const { status } = await reading;
  assert.equal(status, 408);
  await closedWithin(socket, 5000);
  assert.equal(connections, 0);
});

test('slowloris: a request dribbled one byte at a time is cut off at the timeout, not extended by each byte', async () => {
  const { port } = await startServer({ handshakeTimeout: 300 });
  const socket = await connectTcp(port);
  const request = upgradeRequest(port, KEY, { headers: Array.from({ length: 50 }, (_, i) => `X-Pad-${i}: ${'p'.repeat(20)}`) });
  let stop = false;
  socket.once('close', () => (stop = true));
  const dribble = (async () => {
    for (let i = 0; i < request.length && !stop; i++) {
      socket.write(request[i]);
      await delay(10); // the whole request would take ~15 s
    }
  })();
  await closedWithin(socket, 5000);
  stop = true;
  await dribble;
});

test('a header block over the size limit gets 431', async () => {
  const { port } = await startServer();
  const status = await statusFor(port, upgradeRequest(port, KEY, { headers: [`X-Big: ${'a'.repeat(20_000)}`] }));
  assert.equal(status, 431);
});

test(
  'more headers than the count limit get 431',
  async () => {
    const { port } = await startServer();
    const headers = Array.from({ length: 2100 }, (_, i) => `a${i}: 1`);
    assert.equal(await statusFor(port, upgradeRequest(port, KEY, { headers })), 431);
  },
);

test('maxConnections: upgrades beyond it get 503 until a connection closes', async () => {
  const { wss, port } = await startServer({ maxConnections: 2 });
  const a = await openRawPeer(port);
  const b = await openRawPeer(port);
  assert.equal(await statusFor(port, upgradeRequest(port, KEY)), 503);
  assert.equal(wss.clients.size, 2);
  const [ws] = [...wss.clients];
  const closed = nextEvent(ws, 'close');
  ws.terminate();
  await closed;
  const c = await openRawPeer(port);
  assert.equal(wss.clients.size, 2);
  for (const p of [a, b, c]) p.destroy();
});

test('maxConnectionsPerIp: a second connection from one address gets 503, another address is served', async () => {
  const { wss, port } = await startServer({ maxConnectionsPerIp: 1 });
  const first = await openRawPeer(port);
  assert.equal(await statusFor(port, upgradeRequest(port, KEY)), 503);
  // Linux routes all of 127.0.0.0/8 to loopback: a second source address.
  let other;
  try {
    other = await openRawPeer(port, { socketOptions: { localAddress: '127.0.0.2' } });
  } catch (error) {
    if (error.code === 'EADDRNOTAVAIL') return; // not Linux-like loopback: the 503 above is the test
    throw error;
  }
  assert.equal(wss.clients.size, 2);
  const ips = [...wss.clients].map((ws) => ws._socket.remoteAddress).sort();
  assert.deepEqual(ips, ['127.0.0.1', '127.0.0.2']);
  first.destroy();
  other.destroy();
});

test('maxFragments: a message in more frames than allowed fails with 1008', async () => {
  const { wss, port } = await startServer({ maxFragments: 8 });
  const accepted = nextEvent(wss, 'connection');
  const peer = await openRawPeer(port);
  const [ws] = await accepted;
  ws.on('error', () => {});
  const closed = nextEvent(ws, 'close');
  // 8 fragments are fine …
  const frames = [clientFrame({ opcode: OP.TEXT, payload: 'a', fin: false })];
  for (let i = 1; i < 7; i++) frames.push(clientFrame({ opcode: OP.CONT, payload: 'a', fin: false }));
  frames.push(clientFrame({ opcode: OP.CONT, payload: 'a', fin: true }));
  const message = nextEvent(ws, 'message');
  peer.socket.write(Buffer.concat(frames));
  assert.equal((await message)[0].toString(), 'aaaaaaaa');
  // … 9 are not.
  peer.socket.write(clientFrame({ opcode: OP.TEXT, payload: 'b', fin: false }));
  for (let i = 0; i < 8; i++) peer.socket.write(clientFrame({ opcode: OP.CONT, payload: 'b', fin: false }));
  const [code] = await closed;
  assert.equal(code, 1008);
  const close = await peer.nextFrame((f) => f.opcode === OP.CLOSE);
  assert.equal(close.payload.readUInt16BE(0), 1008);
  peer.destroy();
});

test('a ping flood fails with 1008 (pongs coalesced) while another connection stays responsive', async () => {
  const { wss, port } = await startServer();
  // An echo connection that must keep being served.
  wss.on('connection', (ws) => ws.on('message', (data) => ws.send(data)));
  const client = new WebSocket(`ws://127.0.0.1:${port}`);
  await nextEvent(client, 'open');
  const accepted = nextEvent(wss, 'connection');
  const flooder = await openRawPeer(port);
  const [floodWs] = await accepted;
  floodWs.on('error', () => {});
  const floodClosed = nextEvent(floodWs, 'close');
  // Pings as fast as the socket takes them, in batches of 500, until the server closes.
  const batch = Buffer.concat(Array.from({ length: 500 }, () => clientFrame({ opcode: OP.PING, payload: 'flood' })));
  let sent = 0;
  const flooding = (async () => {
    while (!flooder.closed && sent < 200_000) {
      flooder.socket.write(batch);
      sent += 500;
      await new Promise((r) => setImmediate(r));
    }
  })();
  // Meanwhile the echo connection gets its answers.
  for (let i = 0; i < 20; i++) {
    const reply = nextEvent(client, 'message');
    client.send(`echo ${i}`);
    assert.equal((await withTimeout(reply, 5000, 'echo during the flood'))[0].toString(), `echo ${i}`);
  }
  const [code, reason] = await withTimeout(floodClosed, 10_000, 'the flooder is closed');
  assert.equal(code, 1008);
  assert.match(reason.toString(), /control frames/);
  await flooding;
  const close = flooder.frames.find((f) => f.opcode === OP.CLOSE);
  if (close) assert.equal(close.payload.readUInt16BE(0), 1008);
  const pongs = flooder.frames.filter((f) => f.opcode === OP.PONG).length;
  assert.ok(pongs <= 1000, `at most the per-second limit of pongs was sent (${pongs} for ${sent} pings)`);
  assert.ok(pongs < sent, 'pongs for pings read together are coalesced');
  assert.equal(client.readyState, WebSocket.OPEN);
  client.close();
  flooder.destroy();
});

test('maxControlFramesPerSecond: 0 lifts the limit; a lower limit applies exactly', async () => {
  const { wss, port } = await startServer({ maxControlFramesPerSecond: 0 });
  const accepted = nextEvent(wss, 'connection');
  const peer = await openRawPeer(port);
  const [ws] = await accepted;
  let pings = 0;
  ws.on('ping', () => pings++);
  peer.socket.write(Buffer.concat(Array.from({ length: 3000 }, () => clientFrame({ opcode: OP.PING }))));
  await withTimeout(
    (async () => {
      while (pings < 3000) await delay(5);
    })(),
    5000,
    '3000 pings',
  );
  assert.equal(ws.readyState, WebSocket.OPEN);
  peer.destroy();

  const limited = await startServer({ maxControlFramesPerSecond: 10 });
  const accepted2 = nextEvent(limited.wss, 'connection');
  const peer2 = await openRawPeer(limited.port);
  const [ws2] = await accepted2;
  ws2.on('error', () => {});
  let pings2 = 0;
  ws2.on('ping', () => pings2++);
  const closed = nextEvent(ws2, 'close');
  peer2.socket.write(Buffer.concat(Array.from({ length: 11 }, () => clientFrame({ opcode: OP.PING }))));
  assert.equal((await closed)[0], 1008);
  assert.equal(pings2, 10);
  peer2.destroy();
});

test('allowedOrigins: other origins get 403; listed ones (any case), and requests without Origin, get in', async () => {
  const { port } = await startServer({ allowedOrigins: ['https://app.example', 'http://localhost:8080'] });
  const withOrigin = (origin) => upgradeRequest(port, KEY, { headers: [`Origin: ${origin}`] });
  assert.equal(await statusFor(port, withOrigin('https://evil.example')), 403);
  assert.equal(await statusFor(port, withOrigin('https://app.example.evil.example')), 403);
  assert.equal(await statusFor(port, withOrigin('http://app.example')), 403, 'the scheme is part of the origin');
  assert.equal(await statusFor(port, withOrigin('null')), 403);
  assert.equal(await statusFor(port, withOrigin('https://app.example')), 101);
  assert.equal(await statusFor(port, withOrigin('HTTPS://APP.EXAMPLE')), 101);
  assert.equal(await statusFor(port, withOrigin('http://localhost:8080')), 101);
  assert.equal(await statusFor(port, upgradeRequest(port, KEY)), 101, 'no Origin: not a browser');
  assert.throws(() => new WebSocketServer({ noServer: true, allowedOrigins: ['https://app.example/path'] }), TypeError);
});

test('allowedOrigins as a function decides every request, including those without Origin', async () => {
  const seen = [];
  const { port } = await startServer({
    allowedOrigins: (origin, req) => {
      seen.push([origin, req.url]);
      return origin === 'https://ok.example';
    },
  });
  const withOrigin = (origin) => upgradeRequest(port, KEY, { path: '/x', headers: origin ? [`Origin: ${origin}`] : [] });
  assert.equal(await statusFor(port, withOrigin('https://ok.example')), 101);
  assert.equal(await statusFor(port, withOrigin('https://no.example')), 403);
  assert.equal(await statusFor(port, withOrigin(null)), 403);
  assert.deepEqual(seen, [
    ['https://ok.example', '/x'],
    ['https://no.example', '/x'],
    [undefined, '/x'],
  ]);
  // A browser-like client refused by origin sees the 403.
  const client = new WebSocket(`ws://127.0.0.1:${port}/x`, { origin: 'https://no.example' });
  const [error] = await nextEvent(client, 'error');
  assert.match(error.message, /403/);
});
