// One raw TCP connection of the load generator: sends the upgrade request, checks the
// 101 answer, then hands every read to a FrameCounter and reports completed messages.
// Reads land in one buffer shared by all connections (net `onread`): no Buffer per read.

import net from 'node:net';
import { FrameCounter } from './frame-counter.js';
import { UPGRADE_ACCEPT, upgradeRequest } from './client-frames.js';

const sharedReadBuffer = Buffer.allocUnsafe(256 * 1024);
const HEADER_END = Buffer.from('\r\n\r\n', 'latin1');
const MAX_RESPONSE_HEAD = 16 * 1024;

// The upgrade request is the same bytes for every connection to one server and path.
const requests = new Map();
function requestFor(port, path) {
  const key = `${port}${path}`;
  let bytes = requests.get(key);
  if (bytes === undefined) {
    bytes = upgradeRequest(port, path);
    requests.set(key, bytes);
  }
  return bytes;
}

export class LoadConnection {
  /**
   * @param {number} port
   * @param {string} path
   * @param {(conn: LoadConnection, messages: number) => void} onMessages
   */
  constructor(port, path, onMessages) {
    this.counter = new FrameCounter();
    this.onMessages = onMessages;
    this.open = false;
    this.closed = false;
    this.error = null;
    this.head = null; // response head bytes while the handshake is pending
    this.readyResolve = null;
    this.readyReject = null;
    this.ready = new Promise((resolve, reject) => {
      this.readyResolve = resolve;
      this.readyReject = reject;
    });
    this.ready.catch(() => {});
    this.socket = net.connect({
      host: '127.0.0.1',
      port,
      noDelay: true,
      onread: { buffer: sharedReadBuffer, callback: (n, buf) => this.onRead(n, buf) },
    });
    this.socket.on('connect', () => this.socket.write(requestFor(port, path)));
    this.socket.on('error', (err) => this.fail(err));
    this.socket.on('close', () => {
      this.closed = true;
      this.open = false;
      this.readyReject?.(this.error ?? new Error('connection closed during the handshake'));
    });
  }

  onRead(n, buf) {
    if (this.open) {
      const done = this.counter.feed(buf, 0, n);
      if (done > 0) this.onMessages(this, done);
      return;
    }
    const chunk = Buffer.from(buf.subarray(0, n)); // copy: the shared buffer is reused
    this.head = this.head === null ? chunk : Buffer.concat([this.head, chunk]);
    const end = this.head.indexOf(HEADER_END);
    if (end === -1) {
      if (this.head.length > MAX_RESPONSE_HEAD) this.fail(new Error('response head too large'));
      return;
    }
    const text = this.head.toString('latin1', 0, end);
    if (!text.startsWith('HTTP/1.1 101') || !text.includes(UPGRADE_ACCEPT)) {
      this.fail(new Error(`handshake refused: ${text.split('\r\n')[0]}`));
      return;
    }
    const rest = this.head.subarray(end + 4);
    this.head = null;
    this.open = true;
    const resolve = this.readyResolve;
    this.readyResolve = this.readyReject = null;
    resolve();
    if (rest.length > 0) {
      const done = this.counter.feed(rest, 0, rest.length);
      if (done > 0) this.onMessages(this, done);
    }
  }

  write(bytes) {
    if (this.open) this.socket.write(bytes);
  }

  fail(err) {
    if (this.error === null) this.error = err;
    const reject = this.readyReject;
    this.readyResolve = this.readyReject = null;
    reject?.(err);
    this.socket.destroy();
  }

  destroy() {
    this.open = false;
    this.socket.destroy();
  }
}

/** Opens `count` connections with at most `parallel` handshakes pending at once. */
export async function openConnections(count, parallel, factory) {
  const conns = new Array(count);
  let next = 0;
  async function lane() {
    while (next < count) {
      const i = next++;
      conns[i] = factory(i);
      await conns[i].ready;
    }
  }
  const lanes = [];
  for (let i = 0; i < Math.min(parallel, count); i++) lanes.push(lane());
  await Promise.all(lanes);
  return conns;
}
