// A server for the redirect rows of SECURITY-CASES (row 13): one port that
// speaks both plain HTTP and TLS (sniffing the first byte), records every
// upgrade request's headers, answers some with a redirect and hands the
// others to a wsx WebSocketServer in noServer mode.

import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { once } from 'node:events';
import { WebSocketServer } from '../../dist/index.js';
import { SECURITY_TEST_CERT, SECURITY_TEST_KEY } from './security-tls-fixture.js';

/** A `lookup` for the client that resolves every host name to 127.0.0.1, so other hosts can be simulated. */
export function loopbackLookup(hostname, options, callback) {
  if (typeof options === 'function') {
    callback = options;
    options = {};
  }
  if (options && options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
}

/**
 * `route(req)` returns a Location to redirect to (302), or null to accept.
 * Resolves { port, requests, close }; each request is { url, headers, secure }.
 */
export async function startRedirectServer(route) {
  const requests = [];
  const sockets = new Set();
  const wss = new WebSocketServer({ noServer: true });
  const server = http.createServer((req, res) => {
    res.writeHead(426, { Connection: 'close' }).end();
  });
  server.on('upgrade', (req, socket, head) => {
    requests.push({ url: req.url, headers: req.headers, secure: req.socket.encrypted === true });
    const location = route(req);
    if (location !== null) {
      socket.on('error', () => {});
      socket.end(`HTTP/1.1 302 Found\r\nLocation: ${location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', () => {});
    });
  });
  const front = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.once('close', () => sockets.delete(socket));
    socket.once('data', (chunk) => {
      socket.pause();
      if (chunk[0] === 0x16) {
        // A TLS ClientHello: the TLS socket reads it again from the stream.
        socket.unshift(chunk);
        const secure = new tls.TLSSocket(socket, { isServer: true, key: SECURITY_TEST_KEY, cert: SECURITY_TEST_CERT });
        secure.on('error', () => {});
        server.emit('connection', secure);
      } else {
        // The HTTP server may consume the socket's handle directly, past
        // unshifted bytes: hand it the first chunk as a 'data' event.
        server.emit('connection', socket);
        socket.emit('data', chunk);
        socket.resume();
      }
    });
  });
  front.listen(0, '127.0.0.1');
  await once(front, 'listening');
  return {
    port: front.address().port,
    requests,
    async close() {
      for (const ws of wss.clients) ws.terminate();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => front.close(() => resolve()));
      await new Promise((resolve) => wss.close(() => resolve()));
    },
  };
}
