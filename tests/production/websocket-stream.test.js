// WebSocketStream (issue 6): the WHATWG shape — opened with readable and
// writable, closed, close({ closeCode, reason }) — for clients, and
// WebSocketStream.from(ws) for server-side connections.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket, WebSocketServer, WebSocketStream } from '../../dist/index.js';
import { nextEvent, withTimeout } from '../helpers/peers.js';

const servers = [];
after(async () => {
  for (const s of servers) await s.close({ timeout: 200 }).catch(() => {});
});

async function startServer(options = {}, onConnection = null) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, ...options });
  servers.push(wss);
  if (onConnection) wss.on('connection', onConnection);
  await nextEvent(wss, 'listening');
  return { wss, url: `ws://127.0.0.1:${wss.address().port}` };
}

const echo = (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));

test('opened gives readable and writable; text arrives as strings, binary as Uint8Array', async () => {
  const { url } = await startServer({ handleProtocols: (set) => (set.has('chat') ? 'chat' : false) }, echo);
  const stream = new WebSocketStream(url, { protocols: ['chat'] });
  assert.equal(stream.url, `${url}/`);
  const { readable, writable, protocol, extensions } = await stream.opened;
  assert.equal(protocol, 'chat');
  assert.equal(extensions, '');
  const writer = writable.getWriter();
  await writer.write('hello');
  await writer.write(new Uint8Array([1, 2, 3]));
  await writer.write(new Uint8Array([9, 8]).buffer);
  const reader = readable.getReader();
  assert.deepEqual(await reader.read(), { value: 'hello', done: false });
  const bin = await reader.read();
  assert.ok(bin.value instanceof Uint8Array);
  assert.deepEqual([...bin.value], [1, 2, 3]);
  assert.deepEqual([...(await reader.read()).value], [9, 8]);
  stream.close();
  assert.deepEqual(await reader.read(), { value: undefined, done: true });
  const closed = await stream.closed;
  assert.equal(closed.closeCode, 1005, 'close() without a code sends no code');
});

test('close({ closeCode, reason }) reaches the server, and closed resolves with the echoed code and reason', async () => {
  let serverClose;
  const { url } = await startServer({}, (ws) => {
    serverClose = nextEvent(ws, 'close');
  });
  const stream = new WebSocketStream(url);
  await stream.opened;
  stream.close({ closeCode: 4001, reason: 'finished here' });
  const [code, reason] = await serverClose;
  assert.equal(code, 4001);
  assert.equal(reason.toString(), 'finished here');
  assert.deepEqual(await stream.closed, { closeCode: 4001, reason: 'finished here' });
  // A reason alone means 1000.
  let second;
  const { url: url2 } = await startServer({}, (ws) => {
    second = nextEvent(ws, 'close');
  });
  const stream2 = new WebSocketStream(url2);
  await stream2.opened;
  stream2.close({ reason: 'bye' });
  assert.equal((await second)[0], 1000);
});

test('a clean close by the server with any code ends the readable normally; closed reports it', async () => {
  const { url } = await startServer({}, (ws) => {
    ws.send('last words');
    ws.close(4321, 'server says bye');
  });
  const stream = new WebSocketStream(url);
  const { readable } = await stream.opened;
  const got = [];
  for await (const m of readable) got.push(m);
  assert.deepEqual(got, ['last words']);
  assert.deepEqual(await stream.closed, { closeCode: 4321, reason: 'server says bye' });
});

test('an abnormal end (1006) errors the readable and rejects closed', async () => {
  const { url } = await startServer({}, (ws) => setTimeout(() => ws.terminate(), 20));
  const stream = new WebSocketStream(url);
  const { readable } = await stream.opened;
  await assert.rejects(readable.getReader().read(), /1006/);
  await assert.rejects(stream.closed);
});

test('opened rejects when the connection cannot be made; an aborted signal stops it', async () => {
  const { url } = await startServer({ allowedOrigins: ['https://good.example'] });
  const refused = new WebSocketStream(url, { origin: 'https://evil.example' });
  await assert.rejects(withTimeout(refused.opened, 5000, 'opened rejects'), /403/);
  await assert.rejects(refused.closed);
  const controller = new AbortController();
  controller.abort();
  assert.throws(() => new WebSocketStream(url, { signal: controller.signal }), { name: 'AbortError' });
  const late = new AbortController();
  const aborted = new WebSocketStream(url, { signal: late.signal });
  late.abort();
  await assert.rejects(withTimeout(aborted.opened, 5000, 'opened rejects after abort'));
});

test('cancelling the readable closes the connection without crashing on later events', async () => {
  let serverWs;
  const { url } = await startServer({}, (ws) => {
    serverWs = ws;
    ws.send('one');
    ws.send('two');
  });
  const stream = new WebSocketStream(url);
  const { readable } = await stream.opened;
  const reader = readable.getReader();
  assert.deepEqual(await reader.read(), { value: 'one', done: false });
  await reader.cancel('not interested');
  const closed = await stream.closed;
  assert.equal(closed.closeCode, 1000);
  assert.equal(serverWs.readyState, WebSocket.CLOSED);
});

test('WebSocketStream.from(ws) gives a server-side connection the same shape', async () => {
  const done = [];
  const { url } = await startServer({}, (ws) => {
    const stream = WebSocketStream.from(ws);
    done.push(
      (async () => {
        const { readable, writable } = await stream.opened;
        const writer = writable.getWriter();
        for await (const message of readable) {
          await writer.write(typeof message === 'string' ? message.toUpperCase() : message);
        }
        return stream.closed;
      })(),
    );
  });
  const client = new WebSocket(url);
  await nextEvent(client, 'open');
  const replies = [];
  client.on('message', (data, isBinary) => replies.push([isBinary, data.toString()]));
  client.send('hello');
  client.send(Buffer.from('raw'));
  await withTimeout(
    (async () => {
      while (replies.length < 2) await new Promise((r) => setTimeout(r, 5));
    })(),
    5000,
    'replies',
  );
  assert.deepEqual(replies, [
    [false, 'HELLO'],
    [true, 'raw'],
  ]);
  client.close(4000, 'client done');
  assert.deepEqual(await withTimeout(done[0], 5000, 'server loop ends'), { closeCode: 4000, reason: 'client done' });
});

test('the readable pauses the socket while nobody reads; everything arrives in order after', async () => {
  let serverStream;
  let serverWs;
  const { url } = await startServer({}, (ws) => {
    serverWs = ws;
    serverStream = WebSocketStream.from(ws);
  });
  const client = new WebSocket(url);
  await nextEvent(client, 'open');
  for (let i = 0; i < 200; i++) client.send(String(i));
  await withTimeout(
    (async () => {
      while (!serverWs?.isPaused) await new Promise((r) => setTimeout(r, 5));
    })(),
    5000,
    'the server connection pauses',
  );
  const { readable } = await serverStream.opened;
  const reader = readable.getReader();
  const got = [];
  while (got.length < 200) got.push((await reader.read()).value);
  assert.deepEqual(got, Array.from({ length: 200 }, (_, i) => String(i)));
  assert.equal(serverWs.isPaused, false);
  client.close();
});

test('a write settles only once its frame was handed to the kernel', async () => {
  let serverWs;
  const { url } = await startServer({}, (ws) => {
    serverWs = ws;
    ws.pause();
  });
  const stream = new WebSocketStream(url);
  const { writable } = await stream.opened;
  const writer = writable.getWriter();
  const chunk = new Uint8Array(1024 * 1024);
  let settled = 0;
  // The server does not read: after a few MiB the kernel buffers are full and writes stop settling.
  const writes = [];
  for (let i = 0; i < 64; i++) writes.push(writer.write(chunk).then(() => settled++, () => {}));
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(settled < 64, `only ${settled} of 64 writes settled while the peer is not reading`);
  // End it from the server: a close frame would wait behind the backlog.
  serverWs.terminate();
  await Promise.allSettled(writes);
  await assert.rejects(stream.closed);
});
