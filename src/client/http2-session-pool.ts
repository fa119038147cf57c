/**
 * The HTTP/2 sessions that client WebSockets with `http2: true` share, as
 * browsers share one connection per origin: one session per origin (and per
 * set of TLS options), opened by the first WebSocket, closed a short while
 * after its last WebSocket closed. An idle session does not keep the process
 * alive.
 */
import type { ClientHttp2Session, ClientHttp2Stream } from 'node:http2';
import { waitForConnectSupport, type ConnectSupportCallback } from './http2-connect-support.js';

/** How long a session with no WebSocket left stays open for the next one, in ms. */
export const HTTP2_SESSION_IDLE_MS = 1000;
/** How long an origin whose server refused extended CONNECT is sent HTTP/1.1 upgrades directly, in ms. */
export const HTTP2_NO_CONNECT_MEMORY_MS = 60_000;

function ignoreError(): void {}

export class PooledSession {
  readonly key: string;
  readonly session: ClientHttp2Session;
  private readonly pool: Http2SessionPool;
  private outcome: { error: Error | null; supported: boolean } | null = null;
  private waiters: ConnectSupportCallback[] = [];
  private streams = 0;
  private idleTimer: NodeJS.Timeout | null = null;

  constructor(pool: Http2SessionPool, key: string, session: ClientHttp2Session) {
    this.pool = pool;
    this.key = key;
    this.session = session;
    // Errors reach the WebSockets through their streams' 'close'; the session must not throw.
    session.on('error', ignoreError);
    session.once('close', () => this.retire());
    // After GOAWAY the session takes no new streams; the open ones run on.
    session.once('goaway', () => this.retire());
    waitForConnectSupport(session, (error, supported) => this.settle(error, supported));
  }

  /** Whether a new WebSocket may still use this session. */
  get usable(): boolean {
    return !this.session.closed && !this.session.destroyed && (this.outcome === null || this.outcome.supported);
  }

  /** Calls back once the server's SETTINGS say whether extended CONNECT works. */
  whenReady(callback: ConnectSupportCallback): void {
    if (this.outcome !== null) process.nextTick(callback, this.outcome.error, this.outcome.supported);
    else this.waiters.push(callback);
  }

  /** Counts `stream` as a user of the session until it closes. */
  track(stream: ClientHttp2Stream): void {
    this.streams++;
    if (this.idleTimer !== null) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    this.session.ref();
    stream.once('close', () => {
      if (--this.streams === 0) this.idle();
    });
  }

  private settle(error: Error | null, supported: boolean): void {
    this.outcome = { error, supported: error === null && supported };
    if (error === null && !supported) this.pool.rememberNoConnect(this.key);
    if (!this.outcome.supported) this.retire();
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter(this.outcome.error, this.outcome.supported);
    if (this.streams === 0) this.idle();
  }

  private idle(): void {
    if (this.session.closed || this.session.destroyed) return;
    if (this.outcome === null || !this.outcome.supported) {
      this.session.close();
      return;
    }
    this.session.unref();
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.streams !== 0) return;
      this.retire();
      this.session.close();
    }, HTTP2_SESSION_IDLE_MS);
    this.idleTimer.unref();
  }

  /** Takes the session out of the pool; its open streams are not touched. */
  private retire(): void {
    this.pool.forget(this);
  }
}

export class Http2SessionPool {
  private readonly sessions = new Map<string, PooledSession>();
  private readonly noConnect = new Map<string, number>();

  /** The usable session for `key`, or a new one from `connect()`. */
  acquire(key: string, connect: () => ClientHttp2Session): PooledSession {
    const existing = this.sessions.get(key);
    if (existing !== undefined && existing.usable) return existing;
    const entry = new PooledSession(this, key, connect());
    this.sessions.set(key, entry);
    return entry;
  }

  /** Whether the server for `key` recently answered without extended CONNECT support. */
  knownWithoutConnect(key: string): boolean {
    const until = this.noConnect.get(key);
    if (until === undefined) return false;
    if (Date.now() < until) return true;
    this.noConnect.delete(key);
    return false;
  }

  /** @internal */
  rememberNoConnect(key: string): void {
    this.noConnect.set(key, Date.now() + HTTP2_NO_CONNECT_MEMORY_MS);
  }

  /** @internal */
  forget(entry: PooledSession): void {
    if (this.sessions.get(entry.key) === entry) this.sessions.delete(entry.key);
  }

  /** How many sessions are pooled (for tests and diagnostics). */
  get size(): number {
    return this.sessions.size;
  }
}

/** The process-wide pool. */
export const http2SessionPool = new Http2SessionPool();

const objectIds = new WeakMap<object, number>();
let nextObjectId = 1;

function identity(value: unknown): string {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return JSON.stringify(value) ?? 'undefined';
  let id = objectIds.get(value as object);
  if (id === undefined) {
    id = nextObjectId++;
    objectIds.set(value as object, id);
  }
  return `#${id}`;
}

/**
 * The pool key: the origin, plus the connection options, so that WebSockets
 * with different TLS settings (another CA, a client certificate,
 * rejectUnauthorized) never share a session. Object values count by identity.
 */
export function http2PoolKey(origin: string, connectOptions: Readonly<Record<string, unknown>>): string {
  const names = Object.keys(connectOptions).sort();
  let key = origin;
  for (const name of names) {
    const value = connectOptions[name];
    if (value === undefined) continue;
    key += `\n${name}=${identity(value)}`;
  }
  return key;
}
