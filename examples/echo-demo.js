// The smallest wsx program: an echo server and a client that talks to it.
// Run it after a build: `npx tsc -p tsconfig.json && node examples/echo-demo.js`.
// (`npm start` runs the chat room instead: see examples/chat/.)
import { WebSocket, WebSocketServer } from '../dist/index.js';

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 }, () => {
  const { port } = wss.address();
  console.log(`echo server on ws://127.0.0.1:${port}`);

  const ws = new WebSocket(`ws://127.0.0.1:${port}`);
  ws.on('open', () => {
    ws.send('hello');
    ws.send(Buffer.from([1, 2, 3]));
  });
  let replies = 0;
  ws.on('message', (data, isBinary) => {
    console.log('client got', isBinary ? data : String(data));
    if (++replies === 2) ws.close(1000, 'done');
  });
  ws.on('close', (code, reason) => {
    console.log(`client closed: ${code} ${String(reason)}`);
    wss.close();
  });
});

wss.on('connection', (ws, req) => {
  console.log(`server: connection from ${req.socket.remoteAddress}`);
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
});
