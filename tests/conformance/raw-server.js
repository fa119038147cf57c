// The raw peer as a server: a net.Server that reads the target client's
// upgrade request, answers it by hand (correctly, or however a case asks),
// and then speaks hand-assembled frames.

import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { acceptFor, headerValues, readHead } from './http-head.js';
import { PeerSession } from './peer-session.js';

/** A correct 101 response for a request head, plus `extra` header lines. */
export function switchingProtocols(requestHead, extra = []) {
  const key = headerValues(requestHead.headers, 'sec-websocket-key')[0] ?? '';
  const lines = [
    'HTTP/1.1 101 Switching Protocols',
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Accept: ${acceptFor(key)}`,
    ...extra,
  ];
  return `${lines.join('\r\n')}\r\n\r\n`;
}

export async function startRawServer() {
  const sockets = new Set();
  let pending = null; // { resolve, responder, timer } for the next connection

  const server = net.createServer({ noDelay: true }, async (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    const p = pending;
    pending = null;
    if (!p) {
      socket.destroy(); // nobody expects a connection now (a stray reconnect)
      return;
    }
    clearTimeout(p.timer);
    const t0 = performance.now();
    const r = await readHead(socket, { timeoutMs: 2000, t0 });
    if (!r.head) {
      socket.destroy();
      p.resolve({ error: 'the target client sent no complete request head', request: null });
      return;
    }
    const response = p.responder(r.head);
    if (response === null) {
      p.resolve({ socket, request: r.head, session: null });
      return;
    }
    const bytes = response.bytes ?? response;
    if (bytes.length) socket.write(bytes);
    if (response.end) socket.end();
    if (response.upgrade === false) {
      p.resolve({ socket, request: r.head, session: null });
      return;
    }
    const session = new PeerSession(socket, { role: 'server', leftover: r.leftover, t0 });
    p.resolve({ socket, request: r.head, session });
  });

  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    port: server.address().port,
    /**
     * Wait for the next connection. `responder(requestHead)` returns the raw
     * response (string), `{ bytes, upgrade: false }` for a response after which
     * no frames are exchanged (`end: true` also closes TCP), or null to answer nothing.
     */
    accept(responder = (head) => switchingProtocols(head), timeoutMs = 3000) {
      return new Promise((resolve) => {
        pending = {
          resolve,
          responder,
          timer: setTimeout(() => {
            pending = null;
            resolve({ error: 'the target client did not connect', request: null });
          }, timeoutMs),
        };
      });
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
