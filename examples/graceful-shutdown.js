// Graceful shutdown on SIGTERM: stop accepting, send every client a close
// frame (1001 Going Away), wait for their answers up to `timeout`, terminate
// the rest, and exit once every socket is gone.
// Run after a build: `node examples/graceful-shutdown.js` (it sends itself SIGTERM).
import { WebSocket, WebSocketServer } from '../dist/index.js';

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
await new Promise((resolve) => wss.once('listening', resolve));

process.once('SIGTERM', async () => {
  console.log(`SIGTERM: closing ${wss.clients.size} connections`);
  await wss.close({ code: 1001, reason: 'server shutting down', timeout: 2000 });
  console.log('every connection is gone; exiting');
  process.exit(0);
});

const url = `ws://127.0.0.1:${wss.address().port}`;
const clients = [];
for (let i = 0; i < 3; i++) {
  const ws = new WebSocket(url);
  ws.on('close', (code, reason) => console.log(`client ${i}: closed ${code} (${reason})`));
  clients.push(new Promise((resolve) => ws.once('open', resolve)));
}
await Promise.all(clients);

// In production the process manager sends this.
process.kill(process.pid, 'SIGTERM');
