// The load generator's HTTP/2 side: a few h2c sessions, each carrying many WebSockets as
// RFC 8441 extended CONNECT streams. A stream offers the same surface as LoadConnection
// (counter, ready, write, error, closed, destroy), so the echo job drives either one.
// Frames are the same pre-encoded masked bytes; replies are counted by FrameCounter.
// Unlike net's `onread`, http2 hands out one Buffer per DATA frame: a cost of the load that
// the raw h2 echo row shows (it is the ceiling for this scenario).

import http2 from 'node:http2';
import { FrameCounter } from './frame-counter.js';
import { H2_SETTINGS, MAX_SESSION_MEMORY_MB, SESSION_WINDOW } from '../lib/h2-flow-control.js';

const SETTINGS_TIMEOUT_MS = 10_000;

/** Opens one h2c session and resolves once the server's SETTINGS allow extended CONNECT. */
function openSession(port) {
  const session = http2.connect(`http://127.0.0.1:${port}`, {
    settings: H2_SETTINGS,
    maxSessionMemory: MAX_SESSION_MEMORY_MB,
    peerMaxConcurrentStreams: H2_SETTINGS.maxConcurrentStreams,
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`no SETTINGS from the server within ${SETTINGS_TIMEOUT_MS} ms`)), SETTINGS_TIMEOUT_MS);
    const fail = (err) => {
      clearTimeout(timer);
      session.destroy();
      reject(err);
    };
    session.once('error', fail);
    session.once('connect', () => session.setLocalWindowSize(SESSION_WINDOW));
    session.once('remoteSettings', (settings) => {
      clearTimeout(timer);
      session.off('error', fail);
      session.on('error', () => {}); // reported per stream
      if (settings.enableConnectProtocol !== true) {
        session.destroy();
        reject(new Error('the server did not advertise SETTINGS_ENABLE_CONNECT_PROTOCOL'));
        return;
      }
      resolve(session);
    });
  });
}

/** One WebSocket on an HTTP/2 stream. */
export class H2LoadStream {
  /**
   * @param {http2.ClientHttp2Session} session
   * @param {number} port
   * @param {string} path
   * @param {(conn: H2LoadStream, messages: number) => void} onMessages
   */
  constructor(session, port, path, onMessages) {
    this.counter = new FrameCounter();
    this.onMessages = onMessages;
    this.open = false;
    this.closed = false;
    this.error = null;
    this.owed = 0; // replies collected this turn (once-per-turn.js)
    this.queued = false;
    this.readyResolve = null;
    this.readyReject = null;
    this.ready = new Promise((resolve, reject) => {
      this.readyResolve = resolve;
      this.readyReject = reject;
    });
    this.ready.catch(() => {});
    this.stream = session.request(
      {
        ':method': 'CONNECT',
        ':protocol': 'websocket',
        ':scheme': 'http',
        ':path': path,
        ':authority': `127.0.0.1:${port}`,
        'sec-websocket-version': '13',
      },
      { endStream: false },
    );
    this.stream.on('response', (headers) => this.onResponse(headers));
    this.stream.on('data', (chunk) => this.onData(chunk));
    this.stream.on('error', (err) => this.fail(err));
    this.stream.on('close', () => {
      this.closed = true;
      this.open = false;
      this.readyReject?.(this.error ?? new Error(`stream closed during the handshake (RST_STREAM ${this.stream.rstCode})`));
    });
  }

  onResponse(headers) {
    const status = headers[':status'];
    if (status !== 200) {
      this.fail(new Error(`extended CONNECT refused: :status ${status}`));
      return;
    }
    this.open = true;
    const resolve = this.readyResolve;
    this.readyResolve = this.readyReject = null;
    resolve();
  }

  onData(chunk) {
    if (!this.open) return; // a refusal's body
    const done = this.counter.feed(chunk, 0, chunk.length);
    if (done > 0) this.onMessages(this, done);
  }

  write(bytes) {
    if (this.open) this.stream.write(bytes);
  }

  fail(err) {
    if (this.error === null) this.error = err;
    const reject = this.readyReject;
    this.readyResolve = this.readyReject = null;
    reject?.(err);
    this.stream.close(http2.constants.NGHTTP2_CANCEL);
  }

  destroy() {
    this.open = false;
    this.stream.close(http2.constants.NGHTTP2_CANCEL);
  }
}

/** `count` sessions to one server; streams are spread over them round-robin. */
export class H2SessionPool {
  static async open(port, count) {
    const settled = await Promise.allSettled(Array.from({ length: count }, () => openSession(port)));
    const failure = settled.find((s) => s.status === 'rejected');
    if (failure) {
      for (const s of settled) if (s.status === 'fulfilled') s.value.destroy();
      throw failure.reason;
    }
    return new H2SessionPool(port, settled.map((s) => s.value));
  }

  constructor(port, sessions) {
    this.port = port;
    this.sessions = sessions;
  }

  /** The i-th WebSocket, on session i mod count. */
  stream(i, path, onMessages) {
    return new H2LoadStream(this.sessions[i % this.sessions.length], this.port, path, onMessages);
  }

  destroy() {
    for (const s of this.sessions) s.destroy();
  }
}
