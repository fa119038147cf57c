// wsx serving WebSockets over cleartext HTTP/2 (RFC 8441 extended CONNECT on
// `http2.createServer()`; no TLS, so the comparison with plain HTTP/1.1 is fair), running the
// same application as every ws-compatible target. wsx turns enableConnectProtocol on itself;
// the window sizes are the application's http2 configuration (see lib/h2-flow-control.js).

import http2 from 'node:http2';
import { runWsCompatibleServer } from './ws-compatible-app.js';
import { H2_SETTINGS, MAX_SESSION_MEMORY_MB, SESSION_WINDOW } from '../lib/h2-flow-control.js';

import { WebSocketServer } from '../../dist/index.js';

const source = 'dist/index.js';

const server = http2.createServer({ settings: H2_SETTINGS, maxSessionMemory: MAX_SESSION_MEMORY_MB });
server.on('session', (session) => {
  session.on('error', () => {}); // the load resets its sessions when a run ends
  session.setLocalWindowSize(SESSION_WINDOW);
});
runWsCompatibleServer(WebSocketServer, { impl: 'wsx', transport: 'h2c', source }, server);
