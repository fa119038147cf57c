// The ceiling for any Node server: a `net` server that answers the upgrade by hand and then
// returns the client's bytes as they came (frames included, one write per read); on /pub it
// writes each read to every /sub connection. No parsing, no framing, no per-message work.
// It reads the way wsx does where it can, into one reused buffer (wsx's shared-read-buffer.js),
// copying each read before writing it back: Node's fastest read path, so still the ceiling.

import net from 'node:net';
import { serveControl } from './control-channel.js';
import { switchingProtocols } from './switching-protocols.js';
import { readIntoSharedBuffer } from '../../dist/transport/shared-read-buffer.js';

const HEADER_END = Buffer.from('\r\n\r\n', 'latin1');
const subscribers = new Set();

/** The value of one header, found without a regular expression (trusted bench input). */
function headerValue(head, lowerName) {
  const lower = head.toLowerCase();
  const at = lower.indexOf(`\r\n${lowerName}:`);
  if (at === -1) return '';
  const start = at + lowerName.length + 3;
  const end = head.indexOf('\r\n', start);
  return head.slice(start, end === -1 ? head.length : end).trim();
}

function onHandshake(socket, head, rest) {
  const requestLine = head.slice(0, head.indexOf('\r\n'));
  const path = requestLine.split(' ')[1] ?? '/';
  socket.write(switchingProtocols(headerValue(head, 'sec-websocket-key')));
  if (path === '/sub') {
    subscribers.add(socket);
    socket.on('close', () => subscribers.delete(socket));
    return;
  }
  const forward =
    path === '/pub'
      ? (data) => {
          for (const sub of subscribers) sub.write(data);
        }
      : (data) => socket.write(data);
  socket.on('data', forward);
  if (rest.length > 0) forward(rest);
  readIntoSharedBuffer(socket, (length, shared) => {
    forward(Buffer.from(shared.subarray(0, length))); // (the write outlives the shared bytes)
    return true;
  });
}

const server = net.createServer({ noDelay: true }, (socket) => {
  socket.on('error', () => {});
  let head = Buffer.alloc(0);
  const onData = (chunk) => {
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf(HEADER_END);
    if (end === -1) return;
    socket.off('data', onData);
    onHandshake(socket, head.toString('latin1', 0, end), head.subarray(end + 4));
  };
  socket.on('data', onData);
});
server.listen(0, '127.0.0.1', () => serveControl({ port: server.address().port, impl: 'raw' }));
