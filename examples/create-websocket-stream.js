// createWebSocketStream: a Node Duplex over a WebSocket, for pipeline().
// Backpressure works both ways: a slow reader pauses the socket, and a write
// completes only once its frame was handed to the kernel.
// Run after a build: `node examples/create-websocket-stream.js`.
import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { WebSocket, WebSocketServer, createWebSocketStream } from '../dist/index.js';

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
await new Promise((resolve) => wss.once('listening', resolve));

// Server: hash whatever arrives, then reply with the digest.
wss.on('connection', async (ws) => {
  const duplex = createWebSocketStream(ws);
  const hash = createHash('sha256');
  let bytes = 0;
  duplex.on('data', (chunk) => {
    hash.update(chunk);
    bytes += chunk.length;
    if (bytes === 8 * 1024 * 1024) duplex.end(hash.digest('hex')); // ends (closes) the WebSocket after the reply
  });
});

const client = new WebSocket(`ws://127.0.0.1:${wss.address().port}`);
const duplex = createWebSocketStream(client);
const expected = createHash('sha256');
let reply = '';
await Promise.all([
  // 8 MiB in 64 KiB chunks; pipeline waits whenever the socket is behind.
  pipeline(
    Readable.from(
      (function* () {
        for (let i = 0; i < 128; i++) {
          const chunk = Buffer.alloc(64 * 1024, i);
          expected.update(chunk);
          yield chunk;
        }
      })(),
    ),
    new Writable({ write: (chunk, _enc, cb) => (duplex.write(chunk) ? cb() : duplex.once('drain', cb)) }),
  ),
  pipeline(duplex, new Writable({ write: (chunk, _enc, cb) => ((reply += chunk), cb()) })),
]);
console.log(`server digest ${reply === expected.digest('hex') ? 'matches' : 'DOES NOT match'} the data sent`);
await wss.close({});
