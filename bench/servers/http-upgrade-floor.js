// The floor for any server with ws's API: Node's own `http.Server` takes the upgrade (its
// HTTP parser, IncomingMessage, the 'upgrade' event), and the handler does only what the
// protocol requires — the accept hash and the 101 written by hand — then keeps the socket
// open and idle. No validation, no WebSocket object. A WebSocket server that takes its
// upgrades from http.Server, as ws and wsx do, cannot handshake faster or hold a connection
// in less memory than this (connect scenario only).

import http from 'node:http';
import { serveControl } from './control-channel.js';
import { switchingProtocols } from './switching-protocols.js';

const server = http.createServer((_req, res) => {
  res.writeHead(426).end();
});
server.on('upgrade', (req, socket) => {
  socket.on('error', () => {});
  socket.setNoDelay(true);
  socket.write(switchingProtocols(`${req.headers['sec-websocket-key']}`));
});
server.listen(0, '127.0.0.1', () => serveControl({ port: server.address().port, impl: 'http-floor' }));
