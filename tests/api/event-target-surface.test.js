// The WHATWG half of WebSocket (src/api/event-target-surface.ts):
// addEventListener / removeEventListener, the on* attributes and the event
// objects they receive, over real sockets on 127.0.0.1. The scenarios shared
// with ws run with ws's client too.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeAll, frameRecorder, nextEvent, openPair, startRawServer, startServer, track, within, wsLib, wsxLib } from './api-harness.js';
import { frame, OP } from '../helpers/frame-builder.js';
import { CloseEvent, ErrorEvent, MessageEvent, WebSocket } from '../../dist/index.js';

after(closeAll);

const BOTH = [wsxLib, wsLib];

/** Resolves once `count` events of `type` reached the WHATWG listeners (via a listener of our own). */
function whatwgEvents(ws, type, count) {
  return within(
    new Promise((resolve) => {
      const seen = [];
      const listener = (event) => {
        seen.push(event);
        if (seen.length === count) {
          ws.removeEventListener(type, listener);
          resolve(seen);
        }
      };
      ws.addEventListener(type, listener);
    }),
    5000,
    `${count} '${type}' events`,
  );
}

describe('addEventListener / removeEventListener', () => {
  for (const lib of BOTH) {
    test(`${lib.name}: the same listener added twice runs once; once: true runs once; removal works`, async () => {
      const { client, server } = await openPair({ clientLib: lib });
      const calls = [];
      const twice = (event) => calls.push(`twice:${event.data}`);
      const once = (event) => calls.push(`once:${event.data}`);
      const removed = () => calls.push('removed');
      client.addEventListener('message', twice);
      client.addEventListener('message', twice);
      client.addEventListener('message', once, { once: true });
      client.addEventListener('message', removed);
      client.removeEventListener('message', removed);
      client.removeEventListener('message', () => {}); // never added: nothing happens
      client.addEventListener('nonsense', twice); // not a WebSocket event: ignored
      const done = whatwgEvents(client, 'message', 2);
      server.send('a');
      server.send('b');
      await done;
      assert.deepEqual(calls, ['twice:a', 'once:a', 'twice:b']);
    });

    test(`${lib.name}: a once listener can be removed before it fires; handleEvent objects are called on themselves`, async () => {
      const { client, server } = await openPair({ clientLib: lib });
      const calls = [];
      const onceRemoved = () => calls.push('once-removed');
      client.addEventListener('message', onceRemoved, { once: true });
      client.removeEventListener('message', onceRemoved);
      const handler = {
        handleEvent(event) {
          calls.push([this === handler, event.type, event.data]);
        },
      };
      client.addEventListener('message', handler);
      client.addEventListener('message', handler);
      const done = whatwgEvents(client, 'message', 2);
      server.send('x');
      server.send('y');
      await done;
      assert.deepEqual(calls, [
        [true, 'message', 'x'],
        [true, 'message', 'y'],
      ]);
      client.removeEventListener('message', handler);
      const last = whatwgEvents(client, 'message', 1);
      server.send('z');
      await last;
      assert.equal(calls.length, 2);
    });
  }

  test('listeners run in registration order with EventEmitter listeners and on* attributes', async () => {
    const { client, server } = await openPair();
    const calls = [];
    client.on('message', () => calls.push('on'));
    client.addEventListener('message', () => calls.push('addEventListener'));
    client.onmessage = () => calls.push('onmessage');
    const done = nextEvent(client, 'message');
    server.send('m');
    await done;
    assert.deepEqual(calls, ['on', 'addEventListener', 'onmessage']);
  });
});

describe('on* attributes', () => {
  for (const lib of BOTH) {
    test(`${lib.name}: null by default; set, replace, clear with null; a non-function clears`, async () => {
      const { client, server } = await openPair({ clientLib: lib });
      for (const name of ['onopen', 'onmessage', 'onerror', 'onclose']) assert.equal(client[name], null, name);
      const calls = [];
      const first = (event) => calls.push(`first:${event.data}`);
      const second = (event) => calls.push(`second:${event.data}`);
      client.onmessage = first;
      assert.equal(client.onmessage, first);
      let done = whatwgEvents(client, 'message', 1);
      server.send('1');
      await done;
      client.onmessage = second;
      assert.equal(client.onmessage, second);
      assert.equal(client.listenerCount('message'), 1);
      done = whatwgEvents(client, 'message', 1);
      server.send('2');
      await done;
      client.onmessage = null;
      assert.equal(client.onmessage, null);
      assert.equal(client.listenerCount('message'), 0);
      client.onmessage = first;
      client.onmessage = 'not a function';
      assert.equal(client.onmessage, null);
      done = nextEvent(client, 'message');
      server.send('3');
      await done;
      assert.deepEqual(calls, ['first:1', 'second:2']);
    });

    test(`${lib.name}: an attribute and addEventListener with the same function both run`, async () => {
      const { client, server } = await openPair({ clientLib: lib });
      const calls = [];
      const f = (event) => calls.push(event.data);
      client.onmessage = f;
      client.addEventListener('message', f);
      client.removeEventListener('message', () => {});
      const done = nextEvent(client, 'message');
      server.send('both');
      await done;
      assert.deepEqual(calls, ['both', 'both']);
      client.removeEventListener('message', f); // leaves the attribute alone
      assert.equal(client.onmessage, f);
    });
  }

  test('onopen, onmessage, onclose on a client in order; this and event.target are the WebSocket', async () => {
    const { server: wss, url } = await startServer(wsxLib);
    wss.once('connection', (peer) => {
      peer.send('hello');
      peer.close(4000, 'over');
    });
    const client = track(new WebSocket(url));
    const seen = [];
    const record = function (event) {
      seen.push([event.type, this === client, event.target === client, event.currentTarget === client, event instanceof Event]);
    };
    client.onopen = record;
    client.onmessage = record;
    client.onclose = record;
    await nextEvent(client, 'close');
    assert.deepEqual(seen, [
      ['open', true, true, true, true],
      ['message', true, true, true, true],
      ['close', true, true, true, true],
    ]);
  });
});

describe('MessageEvent', () => {
  for (const lib of BOTH) {
    test(`${lib.name}: data is a string for text and follows binaryType for binary`, async () => {
      const { client, server } = await openPair({ clientLib: lib });
      const got = [];
      for (const type of ['nodebuffer', 'arraybuffer', 'blob', 'fragments']) {
        client.binaryType = type;
        const events = whatwgEvents(client, 'message', 2);
        server.send('tëxt');
        server.send(Buffer.from([1, 2, 3]));
        const [text, binary] = await events;
        assert.equal(text.data, 'tëxt', type);
        assert.equal(text.type, 'message');
        const data = binary.data;
        if (type === 'nodebuffer') {
          assert.ok(Buffer.isBuffer(data));
          got.push(data.toString('hex'));
        } else if (type === 'arraybuffer') {
          assert.ok(data instanceof ArrayBuffer);
          got.push(Buffer.from(data).toString('hex'));
        } else if (type === 'blob') {
          assert.ok(data instanceof Blob);
          got.push(Buffer.from(await data.arrayBuffer()).toString('hex'));
        } else {
          assert.ok(Array.isArray(data));
          got.push(Buffer.concat(data).toString('hex'));
        }
      }
      assert.deepEqual(got, ['010203', '010203', '010203', '010203']);
    });
  }

  test('the event is an instance of the exported MessageEvent', async () => {
    const { client, server } = await openPair();
    const events = whatwgEvents(client, 'message', 1);
    server.send('x');
    const [event] = await events;
    assert.ok(event instanceof MessageEvent);
    assert.deepEqual([event.origin, event.lastEventId], ['', '']);
  });
});

describe('CloseEvent', () => {
  for (const lib of BOTH) {
    test(`${lib.name}: code and reason on both ends; wasClean after a closing handshake`, async () => {
      const { client, server } = await openPair({ clientLib: lib });
      const clientClose = whatwgEvents(client, 'close', 1);
      const serverClose = whatwgEvents(server, 'close', 1);
      client.close(3000, 'fin ✓');
      const [[a], [b]] = await Promise.all([clientClose, serverClose]);
      assert.deepEqual([a.type, a.code, a.reason, a.wasClean], ['close', 3000, 'fin ✓', true]);
      assert.deepEqual([b.code, b.reason, b.wasClean], [3000, 'fin ✓', true]);
      if (lib === wsxLib) assert.ok(a instanceof CloseEvent && a instanceof Event);
    });

    test(`${lib.name}: terminate() gives 1006 and wasClean false on both ends`, async () => {
      const { client, server } = await openPair({ clientLib: lib });
      const clientClose = whatwgEvents(client, 'close', 1);
      const serverClose = whatwgEvents(server, 'close', 1);
      client.terminate();
      const [[a], [b]] = await Promise.all([clientClose, serverClose]);
      assert.deepEqual([a.code, a.reason, a.wasClean], [1006, '', false]);
      assert.deepEqual([b.code, b.wasClean], [1006, false]);
    });

    test(`${lib.name}: no closing handshake (the peer never answers a close) is not clean`, async () => {
      const { url } = await startRawServer((socket, rest) => {
        const recorder = frameRecorder(socket, rest);
        socket.write(frame({ opcode: OP.TEXT, payload: 'hi' }));
        // The client's close frame arrives; the peer drops the connection without answering.
        recorder.waitFor(1).then(() => socket.destroy(), () => {});
      });
      const client = track(new lib.WebSocket(url));
      client.onmessage = () => client.close(1000, 'bye');
      const [event] = await whatwgEvents(client, 'close', 1);
      assert.deepEqual([event.code, event.wasClean], [1006, false]);
    });
  }

  test('a close frame with no code is 1005 and still clean', async () => {
    const { url } = await startRawServer((socket) => {
      socket.resume();
      socket.end(frame({ opcode: OP.CLOSE }));
    });
    const client = track(new WebSocket(url));
    const [event] = await whatwgEvents(client, 'close', 1);
    assert.deepEqual([event.code, event.reason, event.wasClean], [1005, '', true]);
    assert.ok(event instanceof CloseEvent);
  });
});

describe('ErrorEvent and onerror', () => {
  test('a protocol error reaches onerror as an ErrorEvent carrying the error; then onclose', async () => {
    const { url } = await startRawServer((socket, rest) => {
      frameRecorder(socket, rest);
      socket.write(frame({ opcode: OP.BINARY, payload: 'x', rsv: 0b010 }));
    });
    const client = track(new WebSocket(url));
    const seen = [];
    client.onerror = (event) => seen.push(event);
    client.onclose = (event) => seen.push(event);
    await nextEvent(client, 'close');
    assert.equal(seen.length, 2);
    const [error, close] = seen;
    assert.ok(error instanceof ErrorEvent);
    assert.equal(error.type, 'error');
    assert.equal(error.target, client);
    assert.equal(error.error.code, 'WSX_ERR_UNEXPECTED_RSV');
    assert.equal(error.error.closeCode, 1002);
    assert.equal(error.message, error.error.message);
    assert.ok(close instanceof CloseEvent);
    assert.equal(close.code, 1002);
    // The peer never answered the close frame: no closing handshake took place.
    assert.equal(close.wasClean, false);
  });

  test('a failed handshake reaches onerror then onclose 1006 (not clean)', async () => {
    const client = track(new WebSocket('ws://127.0.0.1:1/'));
    const seen = [];
    client.onerror = (event) => seen.push(['error', event.error instanceof Error, event.message === event.error.message]);
    client.onclose = (event) => seen.push(['close', event.code, event.wasClean]);
    await nextEvent(client, 'close');
    assert.deepEqual(seen, [
      ['error', true, true],
      ['close', 1006, false],
    ]);
  });

  test('after failing the connection nothing more is read (RFC 6455 7.1.7): an echoed close does not make it clean', async () => {
    const { url } = await startRawServer((socket, rest) => {
      const recorder = frameRecorder(socket, rest);
      socket.write(frame({ opcode: OP.TEXT, payload: Buffer.from([0xff]) }));
      recorder.waitFor(1).then(([closeFrame]) => socket.end(frame({ opcode: OP.CLOSE, payload: closeFrame.payload })), () => {});
    });
    const client = track(new WebSocket(url));
    client.onerror = () => {};
    const [event] = await whatwgEvents(client, 'close', 1);
    assert.deepEqual([event.code, event.wasClean], [1007, false]);
  });
});
