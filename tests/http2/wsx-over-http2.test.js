// wsx client ↔ wsx server over HTTP/2 (RFC 8441), with TLS (h2) and without
// (h2c): many WebSockets multiplexed on one session, per-stream close, reset
// and backpressure, session death, graceful shutdown, compression, and the
// client's session pool.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { once } from 'node:events';
import { createHash } from 'node:crypto';
import { WebSocket, WebSocketServer } from '../../dist/index.js';
import { http2SessionPool } from '../../dist/client/http2-session-pool.js';
import { TRUST_TEST_CERT, startHttp2Server, within } from '../helpers/http2-fixtures.js';

const TIMEOUT = 20_000;
const MiB = 1024 * 1024;
const MANY = 100;

const sha = (b) => createHash('sha256').update(b).digest('hex');

/** An echo server: text back as text, binary back as binary. */
function echo(ws) {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
}

function nextMessage(ws) {
  return new Promise((resolve, reject) => {
    const onMessage = (data, isBinary) => {
      ws.off('close', onClose);
      resolve({ data: Buffer.from(data), isBinary });
    };
    const onClose = (code) => {
      ws.off('message', onMessage);
      reject(new Error(`closed (${code}) before a message came`));
    };
    ws.once('message', onMessage);
    ws.once('close', onClose);
  });
}

/** Resolves with [code, reason as string] of the next close. */
function closed(ws) {
  return new Promise((resolve) => ws.once('close', (code, reason) => resolve([code, reason.toString()])));
}

async function roundTrip(ws, data, binary) {
  const reply = nextMessage(ws);
  ws.send(data, { binary });
  const got = await reply;
  assert.equal(got.isBinary, binary);
  return got.data;
}

async function openClients(h, n, options = {}) {
  const clients = [];
  for (let i = 0; i < n; i++) {
    const ws = new WebSocket(`${h.wsOrigin}/echo`, { ...TRUST_TEST_CERT, http2: true, ...options });
    ws.on('error', () => {});
    clients.push(ws);
  }
  await within(Promise.all(clients.map((ws) => once(ws, 'open'))), TIMEOUT, `${n} WebSockets open`);
  return clients;
}

async function closeAll(clients) {
  for (const ws of clients) if (ws.readyState === WebSocket.OPEN) ws.close();
  await within(
    Promise.all(clients.map((ws) => (ws.readyState === WebSocket.CLOSED ? null : once(ws, 'close')))),
    TIMEOUT,
    'clients closed',
  );
}

for (const secure of [true, false]) {
  const kind = secure ? 'h2 (TLS)' : 'h2c';

  describe(`wsx ↔ wsx over ${kind}`, () => {
    test(`${MANY} WebSockets share one session and each echoes text, binary and 1 MiB`, async () => {
      const h = await startHttp2Server(WebSocketServer, { secure });
      const serverSide = [];
      h.wss.on('connection', (ws, req) => {
        assert.equal(req.httpVersion, '2.0');
        serverSide.push(ws);
        echo(ws);
      });
      let sessions = 0;
      h.server.on('session', () => sessions++);
      try {
        const clients = await openClients(h, MANY);
        const session = clients[0]._socket.session;
        for (const ws of clients) {
          assert.equal(ws.httpVersion, '2');
          assert.equal(ws._socket.session, session, 'one shared session');
        }
        assert.equal(sessions, 1);
        assert.equal(serverSide.length, MANY);
        assert.ok(serverSide.every((ws) => ws.httpVersion === '2'));

        await within(
          Promise.all(
            clients.map(async (ws, i) => {
              const text = `message ${i} ✓ ${'x'.repeat(i * 37)}`;
              assert.equal((await roundTrip(ws, text, false)).toString(), text);
              const bytes = Buffer.alloc(300 + i, i);
              assert.ok((await roundTrip(ws, bytes, true)).equals(bytes));
            }),
          ),
          TIMEOUT,
          'text and binary echoes',
        );

        // 1 MiB on every tenth WebSocket at once, to keep the run short on a shared CPU.
        const big = Buffer.alloc(MiB);
        for (let i = 0; i < big.length; i += 4) big.writeUInt32LE(i * 2654435761 >>> 0, i);
        await within(
          Promise.all(
            clients
              .filter((_, i) => i % 10 === 0)
              .map(async (ws) => {
                const got = await roundTrip(ws, big, true);
                assert.equal(got.length, MiB);
                assert.equal(sha(got), sha(big));
              }),
          ),
          TIMEOUT,
          '1 MiB echoes',
        );
        await closeAll(clients);
      } finally {
        await h.close();
      }
    });

    test('closing one WebSocket ends its stream cleanly and leaves the others working', async () => {
      const h = await startHttp2Server(WebSocketServer, { secure });
      const serverClosed = [];
      h.wss.on('connection', (ws) => {
        echo(ws);
        serverClosed.push(closed(ws));
      });
      try {
        const clients = await openClients(h, 5);
        const [first, ...rest] = clients;
        const stream = first._socket;
        first.close(4001, 'done with this one');
        assert.deepEqual(await within(closed(first), TIMEOUT, 'close'), [4001, 'done with this one']);
        // The close handshake ended the stream with END_STREAM both ways, no RST_STREAM.
        await within(stream.closed ? Promise.resolve() : once(stream, 'close'), TIMEOUT, 'stream closed');
        assert.equal(stream.rstCode, http2.constants.NGHTTP2_NO_ERROR);
        assert.equal(stream.readableEnded, true);
        assert.equal(stream.writableFinished, true);
        assert.deepEqual(await within(serverClosed[0], TIMEOUT, 'server close'), [4001, 'done with this one']);
        for (const ws of rest) assert.equal((await roundTrip(ws, 'still here', false)).toString(), 'still here');
        await closeAll(rest);
      } finally {
        await h.close();
      }
    });

    test('a reset stream is a 1006 for that WebSocket only, on both sides', async () => {
      const h = await startHttp2Server(WebSocketServer, { secure });
      const serverSide = [];
      h.wss.on('connection', (ws) => {
        serverSide.push(ws);
        echo(ws);
      });
      try {
        const clients = await openClients(h, 4);
        const serverClose = closed(serverSide[0]);
        // The client side resets its stream (RST_STREAM CANCEL).
        clients[0]._socket.close(http2.constants.NGHTTP2_CANCEL);
        assert.equal((await within(closed(clients[0]), TIMEOUT, 'client close'))[0], 1006);
        assert.equal((await within(serverClose, TIMEOUT, 'server close'))[0], 1006);
        // The server side terminates another one (RST_STREAM): exactly its client sees 1006.
        const others = clients.slice(1);
        const firstClose = Promise.race(others.map((ws, i) => closed(ws).then(([code]) => [i, code])));
        serverSide.find((ws) => ws.readyState === WebSocket.OPEN).terminate();
        const [victim, code] = await within(firstClose, TIMEOUT, 'client close after terminate');
        assert.equal(code, 1006);
        const survivors = others.filter((_, i) => i !== victim);
        assert.equal(survivors.length, 2);
        for (const ws of survivors) assert.equal((await roundTrip(ws, 'ok', false)).toString(), 'ok');
        await closeAll(survivors);
      } finally {
        await h.close();
      }
    });

    test('a stream whose reader stopped does not block the others; its data arrives in order once it reads again', async () => {
      const h = await startHttp2Server(WebSocketServer, { secure });
      const serverSide = new Map();
      h.wss.on('connection', (ws, req) => {
        serverSide.set(new URL(req.url, 'http://x').searchParams.get('id'), ws);
        echo(ws);
      });
      try {
        const slow = new WebSocket(`${h.wsOrigin}/?id=slow`, { ...TRUST_TEST_CERT, http2: true });
        const fast = new WebSocket(`${h.wsOrigin}/?id=fast`, { ...TRUST_TEST_CERT, http2: true });
        await within(Promise.all([once(slow, 'open'), once(fast, 'open')]), TIMEOUT, 'open');
        const received = [];
        slow.on('message', (data) => received.push(Buffer.from(data)));
        slow.pause();

        // The server writes to the paused client until HTTP/2 flow control pushes back.
        const sender = serverSide.get('slow');
        const chunk = Buffer.alloc(64 * 1024);
        let sent = 0;
        while (sent < 64 && sender.bufferedAmount < 512 * 1024) {
          chunk.writeUInt32BE(sent, 0);
          sender.send(Buffer.from(chunk), { binary: true });
          sent++;
          await new Promise((resolve) => setImmediate(resolve));
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
        assert.ok(sender.bufferedAmount > 0, `flow control holds the slow stream's data on the server (sent ${sent})`);
        assert.equal(received.length, 0);

        // Meanwhile the other stream on the same session works both ways.
        assert.equal(slow._socket.session, fast._socket.session);
        for (let i = 0; i < 20; i++) assert.equal((await roundTrip(fast, `fast ${i}`, false)).toString(), `fast ${i}`);
        const big = Buffer.alloc(256 * 1024, 7);
        assert.ok((await roundTrip(fast, big, true)).equals(big));

        const drained = once(sender, 'drain');
        slow.resume();
        await within(
          new Promise((resolve) => {
            const check = () => (received.length === sent ? resolve() : setTimeout(check, 10));
            check();
          }),
          TIMEOUT,
          'slow reader catches up',
        );
        received.forEach((data, i) => assert.equal(data.readUInt32BE(0), i));
        await within(drained, TIMEOUT, "'drain' on the server side");
        await closeAll([slow, fast]);
      } finally {
        await h.close();
      }
    });

    test('a session that dies is a 1006 for every WebSocket on it', async () => {
      const h = await startHttp2Server(WebSocketServer, { secure });
      const serverCloses = [];
      h.wss.on('connection', (ws) => serverCloses.push(closed(ws)));
      try {
        const clients = await openClients(h, 3);
        const closes = clients.map(closed);
        clients[0]._socket.session.destroy();
        for (const [code] of await within(Promise.all(closes), TIMEOUT, 'client closes')) assert.equal(code, 1006);
        for (const [code] of await within(Promise.all(serverCloses), TIMEOUT, 'server closes')) assert.equal(code, 1006);
        // A new WebSocket to the same origin gets a new session.
        const [again] = await openClients(h, 1);
        assert.notEqual(again._socket.session, clients[0]._socket.session);
        await closeAll([again]);
      } finally {
        await h.close();
      }
    });

    test('graceful server close sends 1001 to HTTP/2 WebSockets, waits for them, then GOAWAY ends their sessions', async () => {
      const h = await startHttp2Server(WebSocketServer, { secure });
      h.wss.on('connection', echo);
      // Sessions of our own (not the pool, which would close its idle session anyway).
      const connect = async () => {
        const session = http2.connect(h.origin, { ca: TRUST_TEST_CERT.ca });
        await once(session, 'remoteSettings');
        const goaway = new Promise((resolve) => session.once('goaway', () => resolve('goaway')));
        return { session, goaway };
      };
      const carrier = await connect();
      const bystander = await connect(); // carries no WebSocket: left alone
      try {
        const clients = await openClients(h, 3, { http2: carrier.session });
        const closes = clients.map(closed);
        await within(h.wss.close({ code: 1001, reason: 'maintenance', timeout: 5000 }), TIMEOUT, 'graceful close');
        for (const [code, reason] of await Promise.all(closes)) {
          assert.equal(code, 1001);
          assert.equal(reason, 'maintenance');
        }
        assert.equal(await within(carrier.goaway, TIMEOUT, 'GOAWAY'), 'goaway');
        await within(once(carrier.session, 'close'), TIMEOUT, 'the carrier session ends');
        assert.equal(await Promise.race([bystander.goaway, new Promise((r) => setTimeout(r, 200, 'none'))]), 'none');
        assert.equal(bystander.session.closed, false);
      } finally {
        carrier.session.destroy();
        bystander.session.destroy();
        await h.close();
      }
    });

    test('graceful server close with { goaway: false } leaves the sessions open', async () => {
      const h = await startHttp2Server(WebSocketServer, { secure });
      h.wss.on('connection', echo);
      const session = http2.connect(h.origin, { ca: TRUST_TEST_CERT.ca });
      await once(session, 'remoteSettings');
      const goaway = new Promise((resolve) => session.once('goaway', () => resolve('goaway')));
      try {
        await openClients(h, 2, { http2: session });
        await within(h.wss.close({ timeout: 5000, goaway: false }), TIMEOUT, 'graceful close');
        assert.equal(await Promise.race([goaway, new Promise((r) => setTimeout(r, 200, 'none'))]), 'none');
        assert.equal(session.closed, false);
      } finally {
        session.destroy();
        await h.close();
      }
    });

    test('permessage-deflate runs over the stream', async () => {
      const h = await startHttp2Server(WebSocketServer, { secure, wssOptions: { perMessageDeflate: { threshold: 0 } } });
      h.wss.on('connection', echo);
      try {
        const [ws] = await openClients(h, 1);
        assert.match(ws.extensions, /permessage-deflate/);
        const text = 'compress me '.repeat(10_000);
        assert.equal((await roundTrip(ws, text, false)).toString(), text);
        const bytes = Buffer.alloc(100_000, 0x61);
        assert.ok((await roundTrip(ws, bytes, true)).equals(bytes));
        await closeAll([ws]);
      } finally {
        await h.close();
      }
    });

    test('heartbeat pings reach HTTP/2 WebSockets', async () => {
      const h = await startHttp2Server(WebSocketServer, { secure, wssOptions: { heartbeat: { interval: 100, timeout: 1000 } } });
      try {
        const [ws] = await openClients(h, 1);
        await within(once(ws, 'ping'), TIMEOUT, 'heartbeat ping');
        await closeAll([ws]);
      } finally {
        await h.close();
      }
    });
  });
}

test('the pooled session closes after its last WebSocket, and origins get separate sessions', async () => {
  const a = await startHttp2Server(WebSocketServer, { secure: false });
  const b = await startHttp2Server(WebSocketServer, { secure: false });
  try {
    const [wa] = await openClients(a, 1);
    const [wb] = await openClients(b, 1);
    assert.notEqual(wa._socket.session, wb._socket.session);
    const session = wa._socket.session;
    const before = http2SessionPool.size;
    await closeAll([wa, wb]);
    // Closed after a short idle delay (1 s): bounded wait, no exact timing asserted.
    await within(session.closed ? Promise.resolve() : once(session, 'close'), 5000, 'idle session closed');
    assert.ok(http2SessionPool.size < before);
  } finally {
    await a.close();
    await b.close();
  }
});
