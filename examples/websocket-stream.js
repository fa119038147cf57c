// WebSocketStream: the WHATWG promise-and-streams shape. `opened` gives a
// ReadableStream of messages and a WritableStream; `closed` reports the close
// code and reason; `close({ closeCode, reason })` ends it. On the server,
// WebSocketStream.from(ws) gives an accepted connection the same shape.
// Run after a build: `node examples/websocket-stream.js`.
import { WebSocketServer, WebSocketStream } from '../dist/index.js';

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
await new Promise((resolve) => wss.once('listening', resolve));

// Server: uppercase every text message, with stream backpressure end to end.
wss.on('connection', async (ws) => {
  const stream = WebSocketStream.from(ws);
  const { readable, writable } = await stream.opened;
  const upper = new TransformStream({
    transform(message, controller) {
      controller.enqueue(typeof message === 'string' ? message.toUpperCase() : message);
    },
  });
  await readable.pipeThrough(upper).pipeTo(writable).catch(() => {});
  console.log('server: closed with', await stream.closed);
});

// Client.
const stream = new WebSocketStream(`ws://127.0.0.1:${wss.address().port}`);
const { readable, writable } = await stream.opened;
const writer = writable.getWriter();
await writer.write('hello');
await writer.write('streams');
writer.releaseLock();
const reader = readable.getReader();
for (let i = 0; i < 2; i++) console.log('client got', (await reader.read()).value);
stream.close({ closeCode: 1000, reason: 'done' });
console.log('client: closed with', await stream.closed);
await wss.close({});
