// wsx through its public ws-compatible API (the compiled dist/).

import { runWsCompatibleServer } from './ws-compatible-app.js';

import { WebSocketServer } from '../../dist/index.js';

const source = 'dist/index.js';
runWsCompatibleServer(WebSocketServer, { impl: 'wsx', source });
