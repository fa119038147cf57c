// Heartbeats: the server pings connections that have been silent for
// `interval` ms and terminates those that stay silent `timeout` ms more
// (close code 1006, with a reason). One timer serves every connection.
// Run after a build: `node examples/heartbeat.js`.
import { WebSocket, WebSocketServer } from '../dist/index.js';

const wss = new WebSocketServer({
  host: '127.0.0.1',
  port: 0,
  heartbeat: { interval: 200, timeout: 300 },
});
await new Promise((resolve) => wss.once('listening', resolve));
const url = `ws://127.0.0.1:${wss.address().port}`;

wss.on('connection', (ws, req) => {
  const name = new URL(req.url, url).searchParams.get('name');
  ws.on('close', (code, reason) => console.log(`server: ${name} closed with ${code} (${reason || 'no reason'})`));
});

// A healthy client: it answers pings automatically.
const healthy = new WebSocket(`${url}/?name=healthy`);
healthy.on('ping', () => console.log('healthy: got a heartbeat ping (answered automatically)'));

// A client that stopped answering (autoPong off stands in for a frozen or vanished peer).
const frozen = new WebSocket(`${url}/?name=frozen`, { autoPong: false });
frozen.on('close', (code) => console.log(`frozen: connection closed (${code})`));

// The frozen one is gone after about interval + timeout; the healthy one is still there.
await new Promise((resolve) => setTimeout(resolve, 1000));
console.log(`healthy is ${healthy.readyState === WebSocket.OPEN ? 'still open' : 'closed'}, frozen is ${frozen.readyState === WebSocket.CLOSED ? 'closed' : 'open'}`);
healthy.close();
await wss.close({ reason: 'example done' });
