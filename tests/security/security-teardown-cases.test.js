// SECURITY-CASES.md row 15, end to end: TCP resets at every stage and
// destroy()/terminate() from inside every event handler, on both roles. The
// process must survive: every socket has an error listener before its first
// asynchronous step. Uncaught exceptions and unhandled rejections are
// recorded (crashWatch) and asserted to be none after every case.
//
// Unit-level / integration coverage of the same row (kept; these add the
// full matrix): tests/integration/server-handshake.test.js ("row 15": a
// headers listener that destroys the socket, a client leaving during an async
// verifyClient), tests/integration/client-handshake.test.js ("mid-handshake
// reaches failHandshake").

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from '../../dist/index.js';
import { OP, closePayload, connectTcp, newKey, openRaw, rawClient, requestHead, startRawServer, upgradeHeaders } from '../helpers/security-raw-peer.js';
import { crashWatch, eventually, nextEvent, sleep, startServer, stopServers, tick } from '../helpers/security-wsx.js';

const watch = crashWatch();
before(() => watch.start());
after(async () => {
  await stopServers();
  watch.stop();
  watch.assertNone('security-teardown-cases.test.js');
});

async function assertStillServing(port) {
  const peer = await openRaw(port);
  peer.send({ opcode: OP.TEXT, payload: 'alive?' });
  const [echo] = await peer.waitFrames(OP.TEXT, 1);
  assert.equal(echo.payload.toString(), 'alive?');
  peer.destroy();
}

const last = (connections) => connections[connections.length - 1];

/** A wsx client against a raw server whose handler is `onRequest`; resolves once the client closed. */
async function clientRun(onRequest, clientOptions = {}, setup = () => {}) {
  const server = await startRawServer(onRequest);
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/`, clientOptions);
  const errors = [];
  ws.on('error', (e) => errors.push(e));
  setup(ws);
  const [code] = await nextEvent(ws, 'close');
  await server.close();
  return { code, errors, ws };
}

// ---------------------------------------------------------------------------------

describe('row 15: TCP resets at every stage and destroy() from inside every handler leave the process alive', { timeout: 30_000 }, () => {
  // Also: tests/integration/server-handshake.test.js and tests/integration/client-handshake.test.js ("row 15").
  describe('server side: resets', () => {
    let server;
    before(async () => {
      server = await startServer({});
    });

    test('a reset after a partial request head', async () => {
      const socket = await connectTcp(server.port);
      socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: webs`);
      await sleep(10);
      socket.resetAndDestroy();
      await sleep(20);
      watch.assertNone('reset mid-head');
      await assertStillServing(server.port);
    });

    test('a reset right behind a complete upgrade request (racing the 101)', async () => {
      for (let i = 0; i < 20; i++) {
        const socket = await connectTcp(server.port);
        socket.write(requestHead(upgradeHeaders(server.port, newKey())));
        if (i % 2 === 1) await tick();
        socket.resetAndDestroy();
      }
      await sleep(50);
      await eventually(() => (server.connections.every((c) => c.close !== null) ? true : undefined), 'every accepted connection to close');
      for (const c of server.connections) assert.equal(c.close.code, 1006);
      watch.assertNone('reset racing the 101');
      await assertStillServing(server.port);
    });

    test('a reset while an asynchronous verifyClient is deciding', async () => {
      const { port, connections } = await startServer({ verifyClient: (info, cb) => setTimeout(() => cb(true), 50) });
      const socket = await connectTcp(port);
      socket.write(requestHead(upgradeHeaders(port, newKey())));
      await sleep(10);
      socket.resetAndDestroy();
      await sleep(100);
      assert.equal(connections.length, 0, 'no connection for a client that left');
      watch.assertNone('reset during verifyClient');
      await assertStillServing(port);
    });

    test('a reset in the middle of a frame → close 1006', async () => {
      const peer = await openRaw(server.port);
      const record = last(server.connections);
      const frame = peer.frame({ opcode: OP.BINARY, payload: Buffer.alloc(1000, 1) });
      peer.socket.write(frame.subarray(0, 300));
      await sleep(10);
      peer.reset();
      await eventually(() => record.close ?? undefined, 'the server-side close event');
      assert.equal(record.close.code, 1006);
      assert.deepEqual(record.messages, []);
      watch.assertNone('reset mid-frame');
    });

    test('a reset instead of answering the server\'s close frame → close 1006', async () => {
      const peer = await openRaw(server.port);
      const record = last(server.connections);
      record.ws.close(1000, 'bye');
      assert.equal((await peer.waitClose())?.code, 1000);
      peer.reset();
      await eventually(() => record.close ?? undefined, 'the server-side close event');
      assert.equal(record.close.code, 1006);
      watch.assertNone('reset mid-close');
    });

    test('a close frame followed at once by a reset → close 1000 or 1006', async () => {
      const peer = await openRaw(server.port);
      const record = last(server.connections);
      peer.send({ opcode: OP.CLOSE, payload: closePayload(1000) });
      peer.reset();
      await eventually(() => record.close ?? undefined, 'the server-side close event');
      assert.ok([1000, 1006].includes(record.close.code), `close ${record.close.code}`);
      watch.assertNone('close then reset');
    });

    test('a reset while the server has megabytes queued for a peer that does not read', async () => {
      const peer = await openRaw(server.port);
      const record = last(server.connections);
      peer.socket.pause(); // stop reading: the server's writes pile up
      const callbacks = [];
      const chunk = Buffer.alloc(1024 * 1024, 0x5a); // one buffer, sent 32 times (servers do not copy payloads)
      for (let i = 0; i < 32; i++) record.ws.send(chunk, (error) => callbacks.push(error ?? null));
      await sleep(20);
      peer.reset();
      await eventually(() => record.close ?? undefined, 'the server-side close event');
      assert.equal(record.close.code, 1006);
      // Every callback is called once, with an error for whatever the kernel never took.
      await eventually(() => (callbacks.length === 32 ? true : undefined), 'every send callback');
      await sleep(20);
      assert.equal(callbacks.length, 32);
      const late = [];
      record.ws.send('late', (error) => late.push(error));
      await eventually(() => (late.length === 1 ? true : undefined), 'the callback of a send after close');
      assert.ok(late[0] instanceof Error);
      watch.assertNone('reset with a backlog');
    });
  });

  describe('client side: resets', () => {
    test('a reset before any response → error, close 1006', async () => {
      const { code, errors } = await clientRun(({ socket }) => socket.resetAndDestroy());
      assert.equal(code, 1006);
      assert.equal(errors.length, 1);
      watch.assertNone('client: reset before the response');
    });

    test('a reset in the middle of the 101 response → error, close 1006', async () => {
      const { code, errors } = await clientRun(({ socket, respond }) => {
        respond('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConn');
        setTimeout(() => socket.resetAndDestroy(), 10);
      });
      assert.equal(code, 1006);
      assert.equal(errors.length, 1);
      watch.assertNone('client: reset mid-101');
    });

    test('a reset in the middle of a frame → close 1006, nothing delivered', async () => {
      const messages = [];
      const { code } = await clientRun(
        ({ accept }) => {
          const peer = accept();
          const frame = peer.frame({ opcode: OP.TEXT, payload: 'x'.repeat(1000) });
          peer.socket.write(frame.subarray(0, 200));
          setTimeout(() => peer.reset(), 10);
        },
        {},
        (ws) => ws.on('message', (m) => messages.push(m)),
      );
      assert.equal(code, 1006);
      assert.deepEqual(messages, []);
      watch.assertNone('client: reset mid-frame');
    });

    test('a reset instead of answering the client\'s close frame → close 1006', async () => {
      let peer;
      const { code } = await clientRun(
        ({ accept }) => {
          peer = accept();
          peer.waitClose().then(() => peer.reset(), () => {});
        },
        {},
        (ws) => ws.once('open', () => ws.close(1000)),
      );
      assert.equal(code, 1006);
      assert.equal(peer.closeFrame?.code, 1000);
      watch.assertNone('client: reset mid-close');
    });
  });

  // ---- destroy()/terminate() from inside every event handler ---------------------------

  /** How the handler kills the connection. */
  const methods = {
    'socket.destroy()': (ws, socket) => socket.destroy(),
    'socket.destroy(error)': (ws, socket) => socket.destroy(new Error('destroyed from a handler')),
    'ws.terminate()': (ws) => ws.terminate(),
  };

  /** Frames a raw peer sends to make the wsx side emit `event`. */
  function trigger(peer, event) {
    switch (event) {
      case 'message':
        peer.send({ opcode: OP.TEXT, payload: 'hello' });
        break;
      case 'ping':
        peer.send({ opcode: OP.PING, payload: 'p' });
        break;
      case 'pong':
        peer.send({ opcode: OP.PONG, payload: 'unsolicited pongs are allowed' });
        break;
      case 'error':
        peer.send({ opcode: 3 }); // a reserved opcode: protocol error
        break;
      case 'close':
        peer.send({ opcode: OP.CLOSE, payload: closePayload(1000) });
        break;
      default:
        break;
    }
  }

  describe('server side: destroy from inside each handler', () => {
    for (const event of ['connection', 'headers', 'message', 'ping', 'pong', 'close', 'error']) {
      for (const [methodName, kill] of Object.entries(methods)) {
        if (event === 'headers' && methodName === 'ws.terminate()') continue; // no WebSocket exists yet
        test(`'${event}' handler calls ${methodName}`, async () => {
          const { wss, port, connections } = await startServer();
          // Only the first connection is killed: the next one checks the server still serves.
          let fired = 0;
          const once = (fn) => (...args) => {
            if (fired++ === 0) fn(...args);
          };
          if (event === 'headers') {
            wss.on('headers', once((lines, req) => kill(null, req.socket)));
          } else if (event === 'connection') {
            wss.on('connection', once((ws) => kill(ws, ws._socket)));
          } else {
            let first = true;
            wss.on('connection', (ws) => {
              if (!first) return;
              first = false;
              ws.on(event, once(() => kill(ws, ws._socket)));
            });
          }
          const r = await rawClient(port);
          if (r.peer !== null) trigger(r.peer, event);
          await eventually(() => (fired > 0 ? true : undefined), `the '${event}' event`);
          if (event === 'headers') {
            assert.equal(connections.length, 0, 'no connection after the socket was destroyed in headers');
          } else {
            const record = connections[0];
            await eventually(() => record.close ?? undefined, 'the server-side close event');
            if (event !== 'close' && event !== 'error') assert.equal(record.close.code, 1006);
          }
          assert.equal(fired, 1, 'the handler ran once');
          r.socket.destroy();
          await tick();
          watch.assertNone(`server '${event}' + ${methodName}`);
          if (event === 'headers') {
            // The refused client saw no 101.
            assert.notEqual(r.status, 101);
          }
          await assertStillServing(port);
        });
      }
    }
  });

  describe('client side: destroy from inside each handler', () => {
    const clientEvents = ['upgrade', 'open', 'message', 'ping', 'pong', 'close', 'error', 'redirect', 'unexpected-response'];
    for (const event of clientEvents) {
      for (const [methodName, kill] of Object.entries(methods)) {
        test(`'${event}' handler calls ${methodName}`, async () => {
          let fired = 0;
          const onRequest = ({ accept, respond, socket, head }) => {
            if (event === 'redirect' && head.startLine.startsWith('GET /start')) {
              respond('HTTP/1.1 302 Found\r\nLocation: /next\r\nContent-Length: 0\r\n\r\n');
              socket.end();
              return;
            }
            if (event === 'unexpected-response') {
              respond('HTTP/1.1 500 Internal Server Error\r\nContent-Length: 4\r\n\r\noops');
              return;
            }
            const peer = accept();
            trigger(peer, event);
          };
          const server = await startRawServer(onRequest);
          const ws = new WebSocket(`ws://127.0.0.1:${server.port}/start`, { followRedirects: event === 'redirect' });
          ws.on('error', () => {});
          const handler = (...args) => {
            fired++;
            let socket = ws._socket;
            if (event === 'upgrade') socket = args[0].socket; // the response's socket (not attached yet)
            if (event === 'redirect') socket = args[1]; // the new hop's request
            if (event === 'unexpected-response') socket = args[1].socket;
            if (socket === null || socket === undefined) socket = { destroy() {} };
            kill(ws, socket);
            if (event === 'unexpected-response' && methodName !== 'ws.terminate()') ws.terminate(); // the listener owns the request
          };
          if (event === 'error') ws.prependListener('error', handler);
          else ws.on(event, handler);
          const closed = nextEvent(ws, 'close');
          const [code] = await closed;
          assert.equal(fired, 1, `'${event}' fired once`);
          if (event !== 'close' && event !== 'error') assert.equal(code, 1006);
          assert.equal(ws.readyState, ws.CLOSED);
          await tick();
          watch.assertNone(`client '${event}' + ${methodName}`);
          await server.close();
        });
      }
    }
  });
});
