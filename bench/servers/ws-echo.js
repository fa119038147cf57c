// ws 8 under the shared application. Run with WS_NO_BUFFER_UTIL=1 for plain ws, or with
// bufferutil resolvable (NODE_PATH) for "ws+bufferutil"; the ready line says which loaded.

import { createRequire } from 'node:module';
import { WebSocketServer } from 'ws';
import { runWsCompatibleServer } from './ws-compatible-app.js';

const require = createRequire(import.meta.url);
let bufferutil = false;
if (!process.env.WS_NO_BUFFER_UTIL) {
  try {
    require.resolve('bufferutil');
    bufferutil = true;
  } catch {
    bufferutil = false;
  }
}
runWsCompatibleServer(WebSocketServer, { impl: 'ws', bufferutil });
