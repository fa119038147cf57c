// Backpressure on the sending side: send() returns false once bufferedAmount
// reaches highWaterMark, and 'drain' says when to go on. A slow consumer is
// bounded by maxBufferedAmount, here with the 'close' policy (1008).
// Run after a build: `node examples/backpressure.js`.
import { WebSocket, WebSocketServer } from '../dist/index.js';

const wss = new WebSocketServer({
  host: '127.0.0.1',
  port: 0,
  highWaterMark: 256 * 1024, // send() returns false at or above this
  maxBufferedAmount: 4 * 1024 * 1024, // never hold more than this for one client
  onBufferOverflow: 'close', // or 'drop', or (ws, bytes) => { ... }
});
await new Promise((resolve) => wss.once('listening', resolve));
const url = `ws://127.0.0.1:${wss.address().port}`;

const chunk = Buffer.alloc(64 * 1024, 0x2e);
const TOTAL = 64 * 1024 * 1024;

wss.on('connection', (ws, req) => {
  const who = req.url.slice(1);
  let sent = 0;
  // A well-behaved producer: stop when send() says so, continue on 'drain'.
  const produce = () => {
    while (sent < TOTAL && ws.readyState === WebSocket.OPEN) {
      sent += chunk.length;
      if (!ws.send(chunk)) {
        ws.once('drain', produce);
        return;
      }
    }
    if (sent >= TOTAL) ws.close(1000, 'all sent');
  };
  // A careless one for the slow client: it ignores the return value, so the cap has to step in.
  const flood = () => {
    for (let i = 0; i < 16 && ws.readyState === WebSocket.OPEN; i++) ws.send(chunk);
    if (ws.readyState === WebSocket.OPEN) setImmediate(flood);
  };
  ws.on('close', (code, reason) => {
    console.log(`server: ${who} closed with ${code} (${reason})`);
    // The slow client wakes up later: reading again, it finds the connection gone.
    if (who === 'slow') slow.resume();
  });
  ws.on('error', (error) => console.log(`server: ${who}: ${error.code}`));
  if (who === 'fast') produce();
  else flood();
});

// A client that reads everything.
const fast = new WebSocket(`${url}/fast`);
let received = 0;
fast.on('message', (data) => (received += data.length));
const fastDone = new Promise((resolve) => fast.on('close', resolve));

// A client that stops reading: pause() stops reading from the socket, so TCP pushes back on the server.
const slow = new WebSocket(`${url}/slow`);
slow.on('open', () => slow.pause());
const slowDone = new Promise((resolve) => slow.on('close', resolve));
slow.on('error', () => {});

await Promise.all([fastDone, slowDone]);
console.log(`fast client received ${received} of ${TOTAL} bytes`);
await wss.close({});
