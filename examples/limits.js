// Limits against abusive clients. Every option below has a safe default
// except where noted; see docs/production.md for the table.
// Run after a build: `node examples/limits.js`.
import net from 'node:net';
import { WebSocket, WebSocketServer } from '../dist/index.js';

const wss = new WebSocketServer({
  host: '127.0.0.1',
  port: 0,
  handshakeTimeout: 500, // ms to send a complete upgrade request (default 10 000): slowloris
  maxConnections: 3, // 503 beyond it (default: no limit)
  maxConnectionsPerIp: 2, // 503 beyond it, per remote address (default: no limit)
  allowedOrigins: ['https://app.example'], // 403 for other browser origins (default: no check!)
  maxPayload: 1024 * 1024, // 1009 beyond it (default 100 MiB, as ws)
  maxFragments: 1024, // frames per message, 1008 beyond it (default 65 536)
  maxControlFramesPerSecond: 100, // pings/pongs per second, 1008 beyond it (default 1000)
});
await new Promise((resolve) => wss.once('listening', resolve));
const { port } = wss.address();
const url = `ws://127.0.0.1:${port}`;

function attempt(label, options) {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, options);
    ws.on('open', () => {
      console.log(`${label}: connected`);
      resolve(ws);
    });
    ws.on('error', (error) => {
      console.log(`${label}: refused (${error.message})`);
      resolve(null);
    });
  });
}

await attempt('cross-site page', { origin: 'https://evil.example' }); // 403
const a = await attempt('app page', { origin: 'https://app.example' });
const b = await attempt('server-side client'); // no Origin header: not a browser
await attempt('third from the same address'); // 503: maxConnectionsPerIp

// Slowloris: a request head that never ends is answered 408 and closed.
await new Promise((resolve) => {
  const socket = net.connect(port, '127.0.0.1', () => socket.write('GET / HTTP/1.1\r\nHost: x\r\n'));
  socket.on('data', (data) => console.log(`slowloris: ${String(data).split('\r\n')[0]}`));
  socket.on('close', resolve);
});

// A ping flood gets 1008. (Close one connection first: maxConnectionsPerIp is 2.)
a.close();
await new Promise((resolve) => a.once('close', resolve));
const flooder = await attempt('flooder');
flooder.on('close', (code) => console.log(`flooder: closed by the server with ${code}`));
for (let i = 0; i < 200; i++) flooder.ping();
await new Promise((resolve) => flooder.once('close', resolve));

b.close();
await wss.close({});
