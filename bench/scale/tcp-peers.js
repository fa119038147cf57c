// Child process: idle raw WebSocket clients over TCP. Each writes a pre-built
// upgrade request, checks the 101, then only answers pings with masked pongs
// (until told to fall silent). Reads land in one buffer shared by all
// connections (net `onread`), so thousands of idle sockets cost little here.
// Independent of wsx: the frames are read by ServerFrameScanner.

import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { UPGRADE_ACCEPT, upgradeRequest } from '../load/client-frames.js';
import { ServerFrameScanner, pongFor } from './server-frame-scanner.js';
import { serveRequests } from './child-rpc.js';

const sharedReadBuffer = Buffer.allocUnsafe(64 * 1024);
const HEAD_END = '\r\n\r\n';

class IdlePeer {
  constructor(index, port, request, onReady) {
    this.index = index;
    this.scanner = new ServerFrameScanner();
    this.head = '';
    this.open = false;
    this.closed = false;
    this.answering = true;
    this.error = null;
    this.localPort = 0;
    this.remotePort = port;
    this.onReady = onReady;
    this.socket = net.connect({
      host: '127.0.0.1',
      port,
      noDelay: true,
      onread: { buffer: sharedReadBuffer, callback: (n, buf) => this.onRead(n, buf) },
    });
    this.socket.on('connect', () => {
      this.localPort = this.socket.localPort;
      this.socket.write(request);
    });
    this.socket.on('error', (err) => {
      this.error ??= err.message;
    });
    this.socket.on('close', () => {
      this.closed = true;
      this.ready(false);
    });
  }

  ready(ok) {
    const cb = this.onReady;
    this.onReady = null;
    cb?.(ok);
  }

  onRead(n, buf) {
    if (this.open) {
      this.scanner.feed(buf, 0, n, this);
      return;
    }
    this.head += buf.toString('latin1', 0, n);
    const end = this.head.indexOf(HEAD_END);
    if (end === -1) return;
    if (!this.head.startsWith('HTTP/1.1 101 ') || !this.head.includes(UPGRADE_ACCEPT)) {
      this.error = `handshake refused: ${this.head.slice(0, this.head.indexOf('\r\n'))}`;
      this.socket.destroy();
      return;
    }
    const restLength = this.head.length - end - HEAD_END.length;
    this.head = null;
    this.open = true;
    this.ready(true);
    if (restLength > 0) this.scanner.feed(buf, n - restLength, n, this);
  }

  onPing(payload) {
    if (this.answering) this.socket.write(pongFor(payload));
  }

  onCloseFrame() {}

  get pings() {
    return this.scanner.pings;
  }
}

let peers = [];
let pingMark = null;

serveRequests({
  async open({ ports, count, parallel }) {
    const requests = ports.map((port) => upgradeRequest(port, '/'));
    const t0 = performance.now();
    let next = 0;
    let failed = 0;
    const lane = async () => {
      while (next < count) {
        const i = next++;
        const ok = await new Promise((resolve) => {
          peers[i] = new IdlePeer(i, ports[i % ports.length], requests[i % ports.length], resolve);
        });
        if (!ok) failed++;
      }
    };
    const progress = setInterval(() => {
      process.stderr.write(`[tcp-peers] ${next} of ${count} connections started after ${Math.round(performance.now() - t0)} ms\n`);
    }, 5000);
    await Promise.all(Array.from({ length: Math.min(parallel, count) }, lane));
    clearInterval(progress);
    // Why connections are missing, by cause and count.
    const causes = new Map();
    for (const p of peers) {
      const cause = p.error ?? (!p.closed ? null : p.open ? 'closed after the handshake' : 'closed during the handshake');
      if (cause !== null) causes.set(cause, (causes.get(cause) ?? 0) + 1);
    }
    const failures = [...causes].map(([cause, n]) => `${cause} (${n})`).join(', ') || null;
    return { opened: peers.filter((p) => p.open && !p.closed).length, failed, failures, ms: Math.round(performance.now() - t0) };
  },

  markPings() {
    pingMark = Uint32Array.from(peers, (p) => p.pings);
    return true;
  },

  pingsSinceMark() {
    let min = Infinity;
    let max = 0;
    for (let i = 0; i < peers.length; i++) {
      const d = peers[i].pings - pingMark[i];
      if (d < min) min = d;
      if (d > max) max = d;
    }
    return { min, max };
  },

  silence({ every }) {
    const ports = [];
    for (let i = 0; i < peers.length; i += every) {
      peers[i].answering = false;
      ports.push(`${peers[i].localPort}>${peers[i].remotePort}`);
    }
    return { ports };
  },

  closedState() {
    let silentClosed = 0;
    let answeringClosed = 0;
    for (const p of peers) {
      if (!p.closed) continue;
      if (p.answering) answeringClosed++;
      else silentClosed++;
    }
    return { silentClosed, answeringClosed, open: peers.filter((p) => !p.closed).length };
  },

  stop() {
    for (const p of peers) p.socket.destroy();
    peers = [];
    return true;
  },
});
