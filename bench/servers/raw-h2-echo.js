// The ceiling for any Node HTTP/2 WebSocket server (as raw-echo.js is for HTTP/1.1): an h2c
// server that answers every extended CONNECT with 200 and writes each DATA chunk back on its
// stream as it came (the client's masked frames included). No WebSocket parsing, no framing,
// no per-message work: what remains is Node's http2 session and stream layer.

import http2 from 'node:http2';
import { serveControl } from './control-channel.js';
import { H2_SETTINGS, MAX_SESSION_MEMORY_MB, SESSION_WINDOW } from '../lib/h2-flow-control.js';

function ignore() {}

const server = http2.createServer({
  settings: { ...H2_SETTINGS, enableConnectProtocol: true },
  maxSessionMemory: MAX_SESSION_MEMORY_MB,
});
server.on('session', (session) => {
  session.on('error', ignore); // the load resets its sessions when a run ends
  session.setLocalWindowSize(SESSION_WINDOW);
});
server.on('stream', (stream, headers) => {
  stream.on('error', ignore);
  if (headers[':method'] !== 'CONNECT' || headers[':protocol'] !== 'websocket') {
    stream.respond({ ':status': 400 }, { endStream: true });
    return;
  }
  stream.respond({ ':status': 200 });
  stream.on('data', (data) => stream.write(data));
});
server.listen(0, '127.0.0.1', () => serveControl({ port: server.address().port, impl: 'raw-h2' }));
