// A WebSocket connection without a file descriptor: the server side is a
// stream.Duplex (what a net.Socket is to the server), the client side a small
// object that reads the server's bytes and answers pings with masked pongs.
// Writes reach the peer synchronously; its pongs are delivered together on
// the next setImmediate, so a ping and its pong never share a turn of the
// event loop, as over a network.

import { Duplex } from 'node:stream';
import { ServerFrameScanner, pongFor } from './server-frame-scanner.js';

const HEAD_END = '\r\n\r\n';
const MAX_HEAD = 8 * 1024;

/** Peers with pongs to deliver on the next setImmediate (one for all). */
let pending = [];
let deliveryScheduled = false;

function deliverPongs() {
  deliveryScheduled = false;
  const batch = pending;
  pending = [];
  for (const peer of batch) peer.deliver();
}

export class MemorySocket extends Duplex {
  constructor(peer) {
    super({ allowHalfOpen: false });
    this.peer = peer;
  }

  _read() {
    // The peer pushes when it has something to say.
  }

  _write(chunk, _encoding, callback) {
    this.peer.fromServer(chunk);
    callback();
  }

  _writev(chunks, callback) {
    for (const { chunk } of chunks) this.peer.fromServer(chunk);
    callback();
  }

  _final(callback) {
    this.peer.serverEnded = true;
    callback();
  }

  _destroy(error, callback) {
    this.peer.serverDestroyed = true;
    callback(error);
  }
}

export class MemoryPeer {
  constructor(index) {
    this.index = index;
    this.socket = new MemorySocket(this);
    this.scanner = new ServerFrameScanner();
    this.head = ''; // the 101 response while it arrives; null once open
    this.open = false;
    this.answering = true;
    this.outbox = null; // pongs waiting for delivery
    this.serverEnded = false;
    this.serverDestroyed = false;
    this.error = null;
    this.ws = null; // the server's WebSocket for this peer, set by the harness
  }

  fromServer(chunk) {
    if (this.open) {
      this.scanner.feed(chunk, 0, chunk.length, this);
      return;
    }
    this.head += chunk.toString('latin1');
    const end = this.head.indexOf(HEAD_END);
    if (end === -1) {
      if (this.head.length > MAX_HEAD) this.error = 'response head too large';
      return;
    }
    if (!this.head.startsWith('HTTP/1.1 101 ')) {
      this.error = `handshake refused: ${this.head.slice(0, this.head.indexOf('\r\n'))}`;
      return;
    }
    // latin1 is one char per byte: whatever followed the head is the tail of this chunk.
    const rest = chunk.subarray(chunk.length - (this.head.length - end - HEAD_END.length));
    this.head = null;
    this.open = true;
    if (rest.length > 0) this.scanner.feed(rest, 0, rest.length, this);
  }

  onPing(payload) {
    if (!this.answering) return;
    const pong = pongFor(payload);
    if (this.outbox === null) {
      this.outbox = pong;
      pending.push(this);
      if (!deliveryScheduled) {
        deliveryScheduled = true;
        setImmediate(deliverPongs);
      }
    } else {
      this.outbox = Buffer.concat([this.outbox, pong]);
    }
  }

  onCloseFrame() {
    // Not expected here (the heartbeat terminates without a closing handshake).
  }

  deliver() {
    const bytes = this.outbox;
    this.outbox = null;
    // A fresh buffer per delivery, as a socket read would give: the server may keep or unmask it.
    if (bytes !== null && this.answering && !this.serverDestroyed) this.socket.push(Buffer.from(bytes));
  }

  get pings() {
    return this.scanner.pings;
  }
}
