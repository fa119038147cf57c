// The floor for any server with ws's API: Node's own `http.Server` takes the upgrade (its
// HTTP parser, IncomingMessage, the 'upgrade' event), and the handler does only what the
// protocol requires — the accept hash and the 101 written by hand — then keeps the socket
// open and idle. No validation, no WebSocket object. A WebSocket server that takes its
// upgrades from http.Server, as ws and wsx do, cannot handshake faster or hold a connection
// in less memory than this (connect scenario only).

import http from 'node:http';
import { createHash } from 'node:crypto';
import { serveControl } from './control-channel.js';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

const server = http.createServer((_req, res) => {
  res.writeHead(426).end();
});
server.on('upgrade', (req, socket) => {
  socket.on('error', () => {});
  socket.setNoDelay(true);
  const accept = createHash('sha1').update(`${req.headers['sec-websocket-key']}${GUID}`).digest('base64');
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
});
server.listen(0, '127.0.0.1', () => serveControl({ port: server.address().port, impl: 'http-floor' }));
