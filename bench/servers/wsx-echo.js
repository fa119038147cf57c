// wsx through its public ws-compatible API (the compiled dist/). While dist/index.js does
// not export WebSocketServer yet, the server module itself is used (the runner says so).

import { runWsCompatibleServer } from './ws-compatible-app.js';

const pub = await import('../../dist/index.js');
let WebSocketServer = pub.WebSocketServer;
let source = 'dist/index.js';
if (typeof WebSocketServer !== 'function') {
  ({ WebSocketServer } = await import('../../dist/api/websocket-server.js'));
  source = 'dist/api/websocket-server.js';
}
runWsCompatibleServer(WebSocketServer, { impl: 'wsx', source });
