/**
 * Hooks a WebSocket server onto a Node HTTP/2 server (`http2.createServer`
 * or `http2.createSecureServer`): turns SETTINGS_ENABLE_CONNECT_PROTOCOL on
 * (RFC 8441 section 3) and picks out the streams that open WebSockets. Every
 * other stream (pages, API calls, classic CONNECT tunnels) stays the
 * application's: it is never answered here.
 */
import http2, {
  type Http2SecureServer,
  type Http2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
  type IncomingHttpHeaders,
  type ServerHttp2Stream,
} from 'node:http2';
import { isWebSocketConnectAttempt } from '../protocol/http2-connect-request.js';
import { HttpStatus } from '../protocol/upgrade-request.js';
import { respondStreamError } from './http2-stream-response.js';

export type AnyHttp2Server = Http2Server | Http2SecureServer;

/** Streams already taken by a WebSocket server, so that each is answered once. */
const claimedStreams = new WeakSet<ServerHttp2Stream>();

/** Marks `stream` as taken; false when something took it before. */
export function claimStream(stream: ServerHttp2Stream): boolean {
  if (claimedStreams.has(stream)) return false;
  claimedStreams.add(stream);
  return true;
}

export function isStreamClaimed(stream: ServerHttp2Stream): boolean {
  return claimedStreams.has(stream);
}

let serverClasses: Function[] | null = null;

/**
 * Whether `server` is one of Node's HTTP/2 servers. Node does not export the
 * classes, so they are taken from a pair of servers made once (never
 * listening); `updateSettings`, which only they have, catches subclasses
 * from another realm.
 */
export function isHttp2Server(server: unknown): server is AnyHttp2Server {
  if (server === null || typeof server !== 'object') return false;
  serverClasses ??= [http2.createServer().constructor, http2.createSecureServer().constructor];
  for (const cls of serverClasses) if (server instanceof cls) return true;
  return typeof (server as { updateSettings?: unknown }).updateSettings === 'function' && typeof (server as { on?: unknown }).on === 'function';
}

/** How many WebSocket servers are attached to each HTTP/2 server. */
const attachments = new WeakMap<AnyHttp2Server, number>();

/**
 * Makes every new session of `server` advertise SETTINGS_ENABLE_CONNECT_PROTOCOL
 * in its first SETTINGS frame, where browsers look for it. Throws when the
 * server offers no way to do so, rather than run a server whose browsers'
 * WebSockets would all fail. The returned function undoes it for new
 * sessions once the last WebSocket server detaches: a browser told that
 * extended CONNECT works no longer falls back to HTTP/1.1, so nobody may
 * advertise it without handling the streams.
 */
export function enableConnectProtocol(server: AnyHttp2Server): () => void {
  const updatable = server as AnyHttp2Server & { updateSettings?: (settings: http2.Settings) => void };
  if (typeof updatable.updateSettings === 'function') {
    updatable.updateSettings({ enableConnectProtocol: true });
    attachments.set(server, (attachments.get(server) ?? 0) + 1);
    let attached = true;
    return () => {
      if (!attached) return;
      attached = false;
      const left = (attachments.get(server) ?? 1) - 1;
      attachments.set(server, left);
      if (left === 0) updatable.updateSettings!({ enableConnectProtocol: false });
    };
  }
  if (typeof server.on !== 'function') {
    throw new TypeError(
      'wsx cannot turn on SETTINGS_ENABLE_CONNECT_PROTOCOL on this HTTP/2 server: create it with ' +
        '{ settings: { enableConnectProtocol: true } } and call handleStream() yourself',
    );
  }
  // Older servers: a second SETTINGS frame right after the session's first.
  const onSession = (session: http2.ServerHttp2Session): void => {
    try {
      session.settings({ enableConnectProtocol: true });
    } catch (error) {
      session.destroy(error as Error);
    }
  };
  server.on('session', onSession);
  return () => server.removeListener('session', onSession);
}

export interface Http2StreamRouter {
  /** Whether this WebSocket server serves `path` (its `path` option). */
  servesPath(path: string): boolean;
  /** Takes a claimed WebSocket stream; `req` is the compatibility layer's request when it made one. */
  accept(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, rawHeaders: string[] | undefined, req: Http2ServerRequest | undefined): void;
}

function pathOf(headers: IncomingHttpHeaders): string {
  const path = headers[':path'];
  return typeof path === 'string' ? path : '';
}

/**
 * Listens for WebSocket streams on `server` and hands each to `router`.
 * Returns the function that detaches again.
 *
 * Two listeners are needed. The 'stream' listener (put first) sees every
 * stream. When the application also handles 'request' (serving pages on the
 * same port), Node's compatibility layer answers every CONNECT stream with
 * 405 unless a 'connect' listener exists, and may run before ours: the
 * 'connect' listener takes WebSocket streams from there and keeps the 405
 * for the other CONNECT requests when the application has no listener of its own.
 */
export function attachToHttp2Server(server: AnyHttp2Server, router: Http2StreamRouter): () => void {
  const restoreSettings = enableConnectProtocol(server);

  const route = (
    stream: ServerHttp2Stream,
    headers: IncomingHttpHeaders,
    rawHeaders: string[] | undefined,
    req: Http2ServerRequest | undefined,
  ): boolean => {
    if (isStreamClaimed(stream)) return true;
    if (!isWebSocketConnectAttempt(headers)) return false;
    if (!router.servesPath(pathOf(headers))) {
      // Another WebSocket server on the same HTTP/2 server may serve this
      // path; if none has taken the stream once all listeners ran, it gets 400.
      process.nextTick(refuseUnclaimed, stream);
      return true;
    }
    claimStream(stream);
    router.accept(stream, headers, rawHeaders, req);
    return true;
  };

  const onStream = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, _flags: number, rawHeaders?: string[]): void => {
    route(stream, headers, rawHeaders, undefined);
  };
  const onConnect = (req: Http2ServerRequest, res: Http2ServerResponse): void => {
    if (route(req.stream, req.headers, req.rawHeaders, req)) return;
    // Not a WebSocket: answer as Node would have without our listeners.
    if (server.listeners('connect').every((listener) => ownConnectListeners.has(listener))) {
      res.statusCode = 405;
      res.end();
    }
  };

  server.prependListener('stream', onStream);
  ownConnectListeners.add(onConnect);
  server.on('connect', onConnect);
  return () => {
    server.removeListener('stream', onStream);
    server.removeListener('connect', onConnect);
    ownConnectListeners.delete(onConnect);
    restoreSettings();
  };
}

/** The 'connect' listeners installed here (one per attached WebSocket server). */
const ownConnectListeners = new WeakSet<Function>();

function refuseUnclaimed(stream: ServerHttp2Stream): void {
  if (isStreamClaimed(stream) || stream.headersSent || stream.destroyed) return;
  claimStream(stream);
  respondStreamError(stream, HttpStatus.BAD_REQUEST, 'No WebSocket server for this path');
}
