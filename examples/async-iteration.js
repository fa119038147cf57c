// Async iteration: `for await (const { data, isBinary } of ws)` reads
// messages until the connection closes. Reading pauses while the loop is
// behind, so a slow loop pushes back on the sender through TCP.
// Run after a build: `node examples/async-iteration.js`.
import { WebSocket, WebSocketServer } from '../dist/index.js';

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
await new Promise((resolve) => wss.once('listening', resolve));

wss.on('connection', async (ws) => {
  let n = 0;
  for await (const { data, isBinary } of ws) {
    await new Promise((resolve) => setTimeout(resolve, 5)); // a slow consumer: each message takes a while
    n++;
    ws.send(`#${n}: ${isBinary ? `${data.length} bytes` : data}`);
  }
  console.log(`server: the loop ended after ${n} messages (connection closed)`);
});

const client = new WebSocket(`ws://127.0.0.1:${wss.address().port}`);
await new Promise((resolve) => client.once('open', resolve));
for (let i = 0; i < 5; i++) client.send(`message ${i}`);
client.send(Buffer.alloc(1000));

let replies = 0;
for await (const { data } of client) {
  console.log('client got', String(data));
  if (++replies === 6) client.close(1000, 'done');
}
await wss.close({});
