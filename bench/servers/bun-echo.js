// Bun's own server (uWebSockets inside): same behaviour as the ws-compatible application,
// with Bun's native pub/sub for broadcast. Run with a bun binary, not node.

import { serveControl } from './control-channel.js';

const TOPIC = 'bench';

const server = globalThis.Bun.serve({
  hostname: '127.0.0.1',
  port: 0,
  fetch(req, srv) {
    const path = new URL(req.url).pathname;
    if (srv.upgrade(req, { data: { path } })) return undefined;
    return new Response('Upgrade Required', { status: 426 });
  },
  websocket: {
    maxPayloadLength: 4 * 1024 * 1024,
    perMessageDeflate: false,
    idleTimeout: 0,
    open(ws) {
      if (ws.data.path === '/sub') ws.subscribe(TOPIC);
    },
    message(ws, message) {
      if (ws.data.path === '/pub') server.publish(TOPIC, message);
      else ws.send(message);
    },
  },
});
serveControl({ port: server.port, impl: 'bun', bunVersion: globalThis.Bun.version });
