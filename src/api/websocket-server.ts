/**
 * `WebSocketServer`: the ws v8 server API over wsx's handshake code. It
 * checks the upgrade request (protocol/upgrade-request.ts), applies the
 * application's policies (path, origins, verifyClient, subprotocol choice),
 * writes the 101 response in one write and hands the socket to a WebSocket.
 */
import { Buffer } from 'node:buffer';
import { EventEmitter } from 'node:events';
import type { IncomingMessage, OutgoingHttpHeaders, Server as HttpServer } from 'node:http';
import { Http2ServerRequest, type Http2Session, type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { computeAcceptKey } from '../protocol/handshake.js';
import type { PerMessageDeflateOptions } from '../protocol/permessage-deflate-negotiation.js';
import { HttpStatus, joinHeaderValue, validateUpgradeRequest } from '../protocol/upgrade-request.js';
import type { ExtensionOffer } from '../protocol/extension-offer.js';
import { validateConnectRequest } from '../protocol/http2-connect-request.js';
import { lingerAfterServerEnd } from '../server/http2-stream-linger.js';
import {
  attachToHttp2Server,
  claimStream,
  isHttp2Server,
  type AnyHttp2Server,
} from '../server/http2-server-attachment.js';
import {
  headersFromLines,
  http2AcceptLines,
  respondStreamAccept,
  respondStreamError,
} from '../server/http2-stream-response.js';
import {
  checkServerDeflateOption,
  negotiateServerExtensions,
  type ServerExtensionAgreement,
} from '../server/extension-negotiation.js';
import { HandshakeRejectedError } from '../server/handshake-rejection.js';
import { writeHttpErrorAndClose } from '../server/http-error-response.js';
import { compileOriginPolicy, type AllowedOrigins, type OriginCheck } from '../server/origin-policy.js';
import { guardSocket, unguardSocket } from '../server/socket-error-guard.js';
import { createUpgradeOnlyHttpServer, DEFAULT_HANDSHAKE_TIMEOUT } from '../server/upgrade-only-http-server.js';
import { serializeResponseLines, upgradeResponseLines } from '../server/upgrade-response.js';
import { CloseCode, isValidWireCloseCode } from '../protocol/close-codes.js';
import { PubSub, type PublishOptions } from '../server/pubsub.js';
import { abortDuplex } from '../transport/abort-duplex.js';
import { HeartbeatScheduler, type HeartbeatOptions } from '../transport/heartbeat-scheduler.js';
import { toPayload } from './payload.js';
import { WebSocket, type CloseObserver, type ConnectionLimitsOptions, type ServerSideOptions } from './websocket.js';

export type { AllowedOrigins } from '../server/origin-policy.js';
export { HandshakeRejectedError } from '../server/handshake-rejection.js';

/** Default `maxPayload`: 100 MiB, as in ws. */
export const DEFAULT_MAX_PAYLOAD = 100 * 1024 * 1024;

export interface VerifyClientInfo<R extends IncomingMessage = IncomingMessage> {
  /** The `Origin` header, if any. */
  origin: string | undefined;
  /** Whether the request arrived over TLS. */
  secure: boolean;
  req: R;
}

export type VerifyClientCallbackSync<R extends IncomingMessage = IncomingMessage> = (info: VerifyClientInfo<R>) => boolean;

/** Answer of an asynchronous `verifyClient`: refusals default to 401. */
export type VerifyClientDone = (result: boolean, code?: number, message?: string, headers?: OutgoingHttpHeaders) => void;

export type VerifyClientCallbackAsync<R extends IncomingMessage = IncomingMessage> = (
  info: VerifyClientInfo<R>,
  callback: VerifyClientDone,
) => void;

/**
 * Either form in one signature, so that inline functions get their
 * parameter types: a function declaring one parameter answers by its return
 * value, one declaring two answers through the callback.
 */
export type VerifyClient<R extends IncomingMessage = IncomingMessage> = (
  info: VerifyClientInfo<R>,
  callback: VerifyClientDone,
) => boolean | void;

/** A class constructing server-side WebSockets: `WebSocket` or a subclass of it. */
export type WebSocketClass<W extends WebSocket> = new (
  address: null,
  protocols: undefined,
  options: ServerSideOptions,
) => W;

export interface ServerOptions<W extends WebSocket = WebSocket, R extends IncomingMessage = IncomingMessage>
  extends Omit<ConnectionLimitsOptions, 'heartbeat'> {
  /** Ping connections silent for `interval` ms; terminate (close 1006) those silent `timeout` ms more. One timer serves all connections. */
  heartbeat?: HeartbeatOptions;
  /** The most open connections (default: no limit); upgrades beyond it get 503. */
  maxConnections?: number;
  /** The most open connections from one remote address (default: no limit); beyond it, 503. */
  maxConnectionsPerIp?: number;
  /** Create an HTTP server listening on this port (exactly one of `port`, `server`, `noServer`). */
  port?: number;
  host?: string;
  backlog?: number;
  /**
   * Attach to an existing HTTP/HTTPS server, which keeps serving its other
   * requests, or to an HTTP/2 server (`http2.createSecureServer()`, or
   * `http2.createServer()` for h2c): WebSockets then also arrive as RFC 8441
   * extended CONNECT streams, and, with `allowHTTP1: true`, as HTTP/1.1
   * upgrades on the same port. `enableConnectProtocol` is turned on for it.
   */
  server?: HttpServer | HttpsServer | AnyHttp2Server;
  /** Create no server: the application calls `handleUpgrade()` / `handleStream()` itself. */
  noServer?: boolean;
  /** Accept only upgrade requests for this path (the query string is ignored); others get 400. */
  path?: string;
  /** Picks the subprotocol among the client's (a Set, in the client's order); `false` for none. */
  handleProtocols?: (protocols: Set<string>, req: R) => string | false;
  /** Accepts (`true`) or refuses (401, or the status given to the callback) a handshake. */
  verifyClient?: VerifyClient<R>;
  /**
   * Browser origins allowed to connect; others get 403.
   *
   * **SECURITY: the default is no origin check at all.** Browsers let any web
   * page open a WebSocket to any server and send the user's cookies with it,
   * so a server that authenticates by cookie and does not check `Origin` can
   * be driven by any site the user visits (cross-site WebSocket hijacking).
   * Set this option (or check `info.origin` in `verifyClient`) on every
   * server that browsers reach and that relies on ambient credentials.
   *
   * With a list, requests without an `Origin` header (non-browser clients)
   * are allowed; the function form decides every case itself.
   */
  allowedOrigins?: AllowedOrigins<R>;
  /**
   * Milliseconds a client has to send its complete upgrade request, on the
   * server created for `port` (default 10 000; 0 disables). A server passed
   * in `server` keeps its own `headersTimeout`/`requestTimeout`.
   */
  handshakeTimeout?: number;
  /** The largest message accepted, in bytes (default 100 MiB); larger ones close with 1009. */
  maxPayload?: number;
  /** Keep the open connections in `clients` (default true). */
  clientTracking?: boolean;
  /** Skip UTF-8 validation of text messages and close reasons (default false). */
  skipUTF8Validation?: boolean;
  /** Answer pings automatically (default true). */
  autoPong?: boolean;
  /** Let `message`, `ping` and `pong` be emitted several times in one tick (default true). */
  allowSynchronousEvents?: boolean;
  /** How long a closing handshake may take, in ms (the WebSocket's default when unset). */
  closeTimeout?: number;
  /** The most fragments one message may have (the WebSocket's default when unset). */
  maxFragments?: number;
  /**
   * permessage-deflate (default false, as in ws; `true` for the defaults).
   * Offers that are invalid or that these options rule out are declined,
   * never answered with 400: the connection then runs uncompressed.
   */
  perMessageDeflate?: boolean | PerMessageDeflateOptions;
  /** The class to construct for each connection (a subclass of `WebSocket`). */
  WebSocket?: WebSocketClass<W>;
}

type UpgradeCallback<W, R> = (ws: W, req: R) => void;

const enum ServerState {
  Running,
  Closing,
  Closed,
}

/** Sockets already given to a `handleUpgrade()`, to catch a second call on one socket. */
const claimedSockets = new WeakSet<Duplex>();

/** A status `verifyClient` may pass; anything else (0, undefined, 1000) means the default 401. */
function isHttpStatus(code: number | undefined): code is number {
  return code !== undefined && Number.isInteger(code) && code >= 100 && code <= 599;
}

const SUBPROTOCOL_NOT_OFFERED = 'handleProtocols returned a subprotocol the client did not offer';

/** Node's flat [name, value, …] list for a header object (pseudo-headers included). */
function flattenHeaders(headers: IncomingHttpHeaders): string[] {
  const raw: string[] = [];
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) raw.push(name, v);
    else raw.push(name, String(value));
  }
  return raw;
}

/**
 * The cap of the HTTP server that parsed `req`, which Node applies to the
 * entries of rawHeaders (names and values: default 2000, so ~1000 headers;
 * 0 means none).
 */
function headerCountLimit(req: IncomingMessage): number {
  const server = (req.socket as { server?: { maxHeadersCount?: number | null } } | null)?.server;
  const limit = server?.maxHeadersCount;
  if (limit === 0) return Infinity; // Node: 0 means no limit, nothing is dropped
  return typeof limit === 'number' && limit > 0 ? limit : 2000;
}

function remoteIp(req: IncomingMessage): string {
  return req.socket?.remoteAddress ?? '';
}

export interface GracefulCloseOptions {
  /** The close code sent to every connection (default 1001 Going Away). */
  code?: number;
  reason?: string;
  /** Milliseconds to wait for closing handshakes before terminating (default 5000). */
  timeout?: number;
  /**
   * Once the WebSockets are gone, close the HTTP/2 sessions that carried them
   * (GOAWAY: their other streams finish, clients open new connections for new
   * requests). Default true; pass false when the HTTP/2 server keeps serving
   * these clients as if nothing happened.
   */
  goaway?: boolean;
}

/** The HTTP/2 sessions carrying `connections` (read before they close: a closed WebSocket lets go of its stream). */
function http2SessionsOf(connections: readonly WebSocket[]): Set<Http2Session> {
  const sessions = new Set<Http2Session>();
  for (const ws of connections) {
    const session = ws.httpVersion === '2' ? (ws._socket as ServerHttp2Stream | null)?.session : undefined;
    if (session !== undefined) sessions.add(session);
  }
  return sessions;
}

/** GOAWAY, then the end of each session. */
function closeHttp2Sessions(sessions: Set<Http2Session>): void {
  // close() sends GOAWAY with the last stream the session processed, lets the
  // streams still open finish, then ends the connection.
  for (const session of sessions) if (!session.closed && !session.destroyed) session.close();
}

function isSecure(req: IncomingMessage): boolean {
  const socket = req.socket as IncomingMessage['socket'] & { encrypted?: boolean; authorized?: boolean };
  return socket.encrypted === true || socket.authorized === true;
}

export class WebSocketServer<
  W extends WebSocket = WebSocket,
  R extends IncomingMessage = IncomingMessage,
> extends EventEmitter {
  /** The options as given, with defaults filled in. */
  readonly options: ServerOptions<W, R>;
  /**
   * The open connections. With `clientTracking: false` the set stays empty
   * (ws leaves the property undefined instead).
   */
  readonly clients: Set<W> = new Set();

  private state: ServerState = ServerState.Running;
  private httpServer: HttpServer | HttpsServer | AnyHttp2Server | null = null;
  private readonly ownsHttpServer: boolean;
  private removeServerListeners: (() => void) | null = null;
  private emitCloseWhenEmpty = false;
  private readonly originCheck: OriginCheck<R> | null;
  private readonly WebSocketClass: WebSocketClass<W>;
  /** Every open connection, tracked or not: the limits and graceful shutdown need them. */
  private readonly live = new Set<W>();
  private readonly perIp = new Map<string, number>();
  /** Each connection's address, kept only under maxConnectionsPerIp. */
  private readonly ipOf = new Map<W, string>();
  private sideOptions: ServerSideOptions | null = null;
  private readonly pubsub = new PubSub<W>();
  private readonly heartbeat: HeartbeatScheduler | null;

  constructor(options: ServerOptions<W, R>, callback?: () => void) {
    super();
    const modes = (options.port != null ? 1 : 0) + (options.server ? 1 : 0) + (options.noServer ? 1 : 0);
    if (modes !== 1) {
      throw new TypeError('Exactly one of the "port", "server" and "noServer" options must be given');
    }
    const handshakeTimeout = options.handshakeTimeout ?? DEFAULT_HANDSHAKE_TIMEOUT;
    if (!Number.isInteger(handshakeTimeout) || handshakeTimeout < 0) {
      throw new RangeError(`handshakeTimeout must be an integer >= 0, got ${String(handshakeTimeout)}`);
    }
    const maxPayload = options.maxPayload ?? DEFAULT_MAX_PAYLOAD;
    if (typeof maxPayload !== 'number' || !(maxPayload >= 0)) {
      throw new RangeError(`maxPayload must be a number >= 0, got ${String(maxPayload)}`);
    }

    checkServerDeflateOption(options.perMessageDeflate);
    this.options = {
      ...options,
      maxPayload,
      handshakeTimeout,
      clientTracking: options.clientTracking ?? true,
      skipUTF8Validation: options.skipUTF8Validation ?? false,
      autoPong: options.autoPong ?? true,
      allowSynchronousEvents: options.allowSynchronousEvents ?? true,
      perMessageDeflate: options.perMessageDeflate ?? false,
    };
    this.WebSocketClass = options.WebSocket ?? (WebSocket as unknown as WebSocketClass<W>);
    this.originCheck = options.allowedOrigins === undefined ? null : compileOriginPolicy(options.allowedOrigins);
    this.heartbeat = options.heartbeat === undefined ? null : new HeartbeatScheduler(options.heartbeat);

    if (options.port != null) {
      this.httpServer = createUpgradeOnlyHttpServer(handshakeTimeout);
      this.ownsHttpServer = true;
    } else {
      this.httpServer = options.server ?? null;
      this.ownsHttpServer = false;
    }

    if (this.httpServer !== null) {
      const server = this.httpServer;
      const onListening = (): void => {
        this.emit('listening');
      };
      const onError = (error: Error): void => {
        this.emit('error', error);
      };
      const emitConnection = (ws: W, request: R): void => {
        this.emit('connection', ws, request);
      };
      const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
        this.handleUpgrade(req as R, socket, head, emitConnection);
      };
      server.on('listening', onListening);
      server.on('error', onError);
      // On an HTTP/2 server, 'upgrade' comes from its HTTP/1.1 side (allowHTTP1).
      server.on('upgrade', onUpgrade);
      const detachHttp2 = isHttp2Server(server)
        ? attachToHttp2Server(server, {
            servesPath: (path) => this.servesPath(path),
            accept: (stream, headers, rawHeaders, req) => {
              this.acceptStream(stream, headers, rawHeaders, req, emitConnection);
            },
          })
        : null;
      this.removeServerListeners = () => {
        server.removeListener('listening', onListening);
        server.removeListener('error', onError);
        server.removeListener('upgrade', onUpgrade);
        detachHttp2?.();
      };
      if (this.ownsHttpServer) {
        server.listen(options.port, options.host, options.backlog, callback);
      }
    }
  }

  /** The bound address of the HTTP server; null once closed. Throws in `noServer` mode. */
  address(): AddressInfo | string | null {
    if (this.options.noServer) throw new Error('The server is operating in "noServer" mode');
    return this.httpServer === null ? null : this.httpServer.address();
  }

  /**
   * Stops accepting connections. Open connections are not closed: `close`
   * is emitted (and `cb` called) once they all have ended. Calling it on a
   * closed server calls `cb` with an error.
   */
  close(cb?: (error?: Error) => void): void;
  /**
   * Graceful shutdown: stops accepting, sends a close frame (default 1001
   * Going Away) to every connection, waits up to `timeout` ms (default 5000)
   * for their closing handshakes, terminates the rest, and resolves once every
   * connection and the server are gone.
   */
  close(options: GracefulCloseOptions): Promise<void>;
  close(arg?: ((error?: Error) => void) | GracefulCloseOptions): void | Promise<void> {
    if (typeof arg === 'object' && arg !== null) return this.closeGracefully(arg);
    const cb = arg;
    if (this.state === ServerState.Closed) {
      if (cb) process.nextTick(cb, new Error('The server is not running'));
      return;
    }
    if (cb) this.once('close', cb);
    if (this.state === ServerState.Closing) return;
    this.state = ServerState.Closing;

    const server = this.httpServer;
    this.removeServerListeners?.();
    this.removeServerListeners = null;
    this.httpServer = null;

    if (server !== null && this.ownsHttpServer) {
      // Node's server.close waits for every connection, upgraded ones included.
      server.close(() => this.finishClose());
    } else if (this.options.clientTracking && this.clients.size > 0) {
      this.emitCloseWhenEmpty = true;
    } else {
      process.nextTick(() => this.finishClose());
    }
  }

  private finishClose(): void {
    this.state = ServerState.Closed;
    this.heartbeat?.stop();
    this.emit('close');
  }

  private async closeGracefully(options: GracefulCloseOptions): Promise<void> {
    const code = options.code ?? CloseCode.GOING_AWAY;
    const timeout = options.timeout ?? 5000;
    // Checked before anything stops, so a typo cannot turn a shutdown into mass termination.
    if (!Number.isInteger(code) || !isValidWireCloseCode(code)) {
      throw new TypeError(`close code must be 1000-1003, 1007-1014 or 3000-4999, got ${String(code)}`);
    }
    if (options.reason !== undefined && Buffer.byteLength(options.reason) > 123) {
      throw new RangeError('The close reason must not be greater than 123 bytes');
    }
    if (typeof timeout !== 'number' || !(timeout >= 0)) {
      throw new RangeError(`timeout must be a number >= 0, got ${String(timeout)}`);
    }
    const connections = [...this.live];
    const sessions = options.goaway === false ? null : http2SessionsOf(connections);
    const closed = new Promise<void>((resolve) => {
      if (this.state === ServerState.Closed) resolve();
      else this.close(() => resolve());
    });
    const gone = connections.map(
      (ws) =>
        new Promise<void>((resolve) => {
          if (ws.readyState === ws.CLOSED) return resolve();
          ws.once('close', () => resolve());
          try {
            ws.close(code, options.reason);
          } catch {
            ws.terminate();
          }
        }),
    );
    const timer = setTimeout(() => {
      for (const ws of connections) if (ws.readyState !== ws.CLOSED) ws.terminate();
    }, timeout);
    await Promise.all(gone);
    clearTimeout(timer);
    if (sessions !== null) closeHttp2Sessions(sessions);
    await closed;
  }

  /**
   * Sends `data` to every connection subscribed to `topic` (MQTT-style
   * filters match). The frame is encoded once, and compressed once per
   * compressor setting among subscribers without context takeover. Returns
   * the number of recipients.
   */
  publish(topic: string, data: string | Buffer | ArrayBuffer | ArrayBufferView, options: PublishOptions = {}): number {
    const isBinary = options.binary ?? typeof data !== 'string';
    return this.pubsub.publish(topic, toPayload(data, 'data'), isBinary, null, options.compress ?? true);
  }

  /** How many connections would receive a publish to `topic`. */
  subscriberCount(topic: string): number {
    return this.pubsub.subscriberCount(topic);
  }

  /** Whether a new connection for `req` would exceed maxConnections / maxConnectionsPerIp. */
  private overLimit(req: IncomingMessage): boolean {
    const max = this.options.maxConnections;
    if (max !== undefined && this.live.size >= max) return true;
    const perIp = this.options.maxConnectionsPerIp;
    // The address is looked up (a getpeername call) only when a limit needs it.
    return perIp !== undefined && (this.perIp.get(remoteIp(req)) ?? 0) >= perIp;
  }

  /** The options every accepted WebSocket shares (one object per server, not per connection). */
  private buildSideOptions(): ServerSideOptions {
    const options = this.options;
    const sideOptions: ServerSideOptions = {
      autoPong: options.autoPong!,
      allowSynchronousEvents: options.allowSynchronousEvents!,
    };
    if (options.closeTimeout !== undefined) sideOptions.closeTimeout = options.closeTimeout;
    if (options.maxFragments !== undefined) sideOptions.maxFragments = options.maxFragments;
    if (options.highWaterMark !== undefined) sideOptions.highWaterMark = options.highWaterMark;
    if (options.maxBufferedAmount !== undefined) sideOptions.maxBufferedAmount = options.maxBufferedAmount;
    if (options.onBufferOverflow !== undefined) sideOptions.onBufferOverflow = options.onBufferOverflow;
    if (options.maxControlFramesPerSecond !== undefined) {
      sideOptions.maxControlFramesPerSecond = options.maxControlFramesPerSecond;
    }
    if (this.heartbeat !== null) sideOptions.heartbeat = this.heartbeat;
    return Object.freeze(sideOptions);
  }

  /** @internal Called by each accepted WebSocket as it closes, before its 'close' event. */
  connectionClosed(ws: W): void {
    this.live.delete(ws);
    const ip = this.ipOf.get(ws);
    if (ip !== undefined) {
      this.ipOf.delete(ws);
      const left = (this.perIp.get(ip) ?? 1) - 1;
      if (left <= 0) this.perIp.delete(ip);
      else this.perIp.set(ip, left);
    }
    if (this.clients.delete(ws) && this.emitCloseWhenEmpty && this.clients.size === 0) {
      this.emitCloseWhenEmpty = false;
      process.nextTick(() => this.finishClose());
    }
  }

  /** Whether this server serves the request's path (the query string is ignored). */
  shouldHandle(req: R): boolean {
    return this.servesPath(req.url ?? '');
  }

  private servesPath(url: string): boolean {
    const path = this.options.path;
    if (path === undefined || path === null || path === '') return true;
    const query = url.indexOf('?');
    return (query === -1 ? url : url.slice(0, query)) === path;
  }

  /**
   * Completes (or refuses) the opening handshake of an upgrade request on
   * its raw socket. `cb` receives the open WebSocket. Refusals are answered
   * with an HTTP status and the socket is closed; malformed requests go to
   * `wsClientError` listeners instead when there are any. Throws if called
   * twice with the same socket.
   */
  handleUpgrade(req: R, socket: Duplex, head: Buffer, cb: UpgradeCallback<W, R>): void {
    guardSocket(socket);
    if (claimedSockets.has(socket)) {
      throw new Error(
        'handleUpgrade() was called more than once with the same socket: ' +
          'is the server both attached (`server` option) and called by hand?',
      );
    }
    claimedSockets.add(socket);

    if (this.overLimit(req)) {
      writeHttpErrorAndClose(socket, HttpStatus.SERVICE_UNAVAILABLE, 'Too many connections');
      return;
    }

    const request = validateUpgradeRequest(req.method, req.httpVersion, req.headers, req.rawHeaders);
    if (!request.ok) {
      this.refuseMalformed(req, socket, request.status, request.message, request.headers);
      return;
    }
    // Node silently drops headers past maxHeadersCount: a request that reached
    // the cap may have lost some, so it is refused rather than half-read.
    if (req.rawHeaders.length >= headerCountLimit(req)) {
      this.refuseMalformed(req, socket, HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, 'Too many header fields');
      return;
    }

    this.screen(
      req,
      req.headers,
      request.extensions,
      (status, message, headers) => writeHttpErrorAndClose(socket, status, message, headers),
      (status, message) => this.refuseMalformed(req, socket, status, message),
      (agreement) => this.completeUpgrade(request.key, request.protocols, agreement, req, socket, head, cb),
    );
  }

  /**
   * Runs `verifyClient` (when set) in its synchronous or callback form, then
   * calls exactly one of `accept` and `refuse` (401 unless the callback gave
   * a valid status). Synchronous when verifyClient is.
   */
  private verify(
    req: R,
    origin: string | undefined,
    accept: () => void,
    refuse: (status: number, message?: string, headers?: OutgoingHttpHeaders) => void,
  ): void {
    const verifyClient = this.options.verifyClient;
    if (verifyClient === undefined || verifyClient === null) {
      accept();
      return;
    }
    const info: VerifyClientInfo<R> = { origin, secure: isSecure(req), req };
    if (verifyClient.length >= 2) {
      let answered = false;
      (verifyClient as VerifyClientCallbackAsync<R>)(info, (result, code, message, headers) => {
        if (answered) return;
        answered = true;
        if (!result) {
          refuse(isHttpStatus(code) ? code : HttpStatus.UNAUTHORIZED, message, headers);
          return;
        }
        accept();
      });
      return;
    }
    if (!(verifyClient as VerifyClientCallbackSync<R>)(info)) {
      refuse(HttpStatus.UNAUTHORIZED);
      return;
    }
    accept();
  }

  /**
   * Completes (or refuses) the opening handshake of a WebSocket over HTTP/2
   * (RFC 8441): an extended CONNECT stream and the headers of its 'stream'
   * event. The counterpart of handleUpgrade() for applications that route
   * the streams of their own http2 server (`noServer`); that server must
   * advertise `settings: { enableConnectProtocol: true }`. `cb` receives the
   * open WebSocket and a request object (`req.httpVersion` is '2.0').
   * Refusals are answered on the stream with a status and the stream is
   * closed; nothing the client sends makes this throw. Throws if called
   * twice with the same stream.
   */
  handleStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, cb: UpgradeCallback<W, R>): void {
    if (!claimStream(stream)) {
      throw new Error(
        'handleStream() was called more than once with the same stream: ' +
          'is the server both attached (`server` option) and called by hand?',
      );
    }
    this.acceptStream(stream, headers, undefined, undefined, cb);
  }

  /** The HTTP/2 counterpart of handleUpgrade(), for a claimed stream. */
  private acceptStream(
    stream: ServerHttp2Stream,
    headers: IncomingHttpHeaders,
    rawHeaders: string[] | undefined,
    compatRequest: Http2ServerRequest | undefined,
    cb: UpgradeCallback<W, R>,
  ): void {
    guardSocket(stream);
    // Node's own HTTP/2 request class: httpVersion '2.0', url, method, headers, socket.
    const req = (compatRequest ??
      new Http2ServerRequest(stream, headers, {}, rawHeaders ?? flattenHeaders(headers))) as unknown as R;

    if (this.overLimit(req)) {
      respondStreamError(stream, HttpStatus.SERVICE_UNAVAILABLE, 'Too many connections');
      return;
    }
    const request = validateConnectRequest(headers);
    if (!request.ok) {
      this.refuseMalformedStream(req, stream, request.status, request.message, request.headers);
      return;
    }
    this.screen(
      req,
      headers,
      request.extensions,
      (status, message, extraHeaders) => respondStreamError(stream, status, message, extraHeaders),
      (status, message) => this.refuseMalformedStream(req, stream, status, message),
      (agreement) => this.completeStream(stream, request.protocols, agreement, request.key, req, cb),
    );
  }

  private completeStream(
    stream: ServerHttp2Stream,
    protocols: readonly string[],
    agreement: ServerExtensionAgreement,
    key: string | undefined,
    req: R,
    cb: UpgradeCallback<W, R>,
  ): void {
    // The client may have reset the stream (or ended its side) while verifyClient was thinking.
    if (stream.destroyed || stream.closed || !stream.readable || !stream.writable) {
      abortDuplex(stream);
      return;
    }
    if (this.state !== ServerState.Running || this.overLimit(req)) {
      respondStreamError(stream, HttpStatus.SERVICE_UNAVAILABLE);
      return;
    }
    const protocol = this.chooseSubprotocol(protocols, req);
    if (protocol === null) {
      respondStreamError(stream, HttpStatus.INTERNAL_SERVER_ERROR, SUBPROTOCOL_NOT_OFFERED);
      return;
    }
    const lines = http2AcceptLines(protocol, agreement.header, key === undefined ? undefined : computeAcceptKey(key));
    this.emit('headers', lines, req);
    // A `headers` listener may have destroyed the stream.
    if (!respondStreamAccept(stream, headersFromLines(lines))) return;
    lingerAfterServerEnd(stream);
    this.startConnection(stream, Buffer.alloc(0), req, protocol, agreement, '2', cb);
  }

  /**
   * The checks after a well-formed request, the same over HTTP/1.1 and
   * HTTP/2: the path, the origin, the extension offers (a bad one is
   * malformed: `wsClientError` may answer it), then verifyClient.
   */
  private screen(
    req: R,
    headers: IncomingHttpHeaders,
    extensions: readonly ExtensionOffer[],
    refuse: (status: number, message?: string, headers?: OutgoingHttpHeaders) => void,
    refuseMalformed: (status: number, message: string) => void,
    accept: (agreement: ServerExtensionAgreement) => void,
  ): void {
    if (!this.shouldHandle(req)) {
      refuse(HttpStatus.BAD_REQUEST);
      return;
    }
    const origin = joinHeaderValue(headers.origin);
    if (this.originCheck !== null && !this.originCheck(origin, req)) {
      refuse(HttpStatus.FORBIDDEN, 'Origin not allowed');
      return;
    }
    let agreement: ServerExtensionAgreement;
    try {
      const deflate = this.options.perMessageDeflate;
      agreement = negotiateServerExtensions(extensions, deflate === true ? {} : deflate || false);
    } catch {
      refuseMalformed(HttpStatus.BAD_REQUEST, 'Invalid or unacceptable Sec-WebSocket-Extensions header');
      return;
    }
    this.verify(req, origin, () => accept(agreement), refuse);
  }

  private refuseMalformed(
    req: R,
    socket: Duplex,
    status: number,
    message: string,
    headers?: Record<string, string>,
  ): void {
    if (this.listenerCount('wsClientError') > 0) {
      this.emit('wsClientError', new HandshakeRejectedError(status, message, headers), socket, req);
      return;
    }
    writeHttpErrorAndClose(socket, status, message, headers);
  }

  /** As refuseMalformed, on an HTTP/2 stream: `wsClientError` listeners get the stream to answer on. */
  private refuseMalformedStream(
    req: R,
    stream: ServerHttp2Stream,
    status: number,
    message: string,
    headers?: Record<string, string>,
  ): void {
    if (this.listenerCount('wsClientError') > 0) {
      this.emit('wsClientError', new HandshakeRejectedError(status, message, headers), stream, req);
      return;
    }
    respondStreamError(stream, status, message, headers);
  }

  private completeUpgrade(
    key: string,
    protocols: readonly string[],
    agreement: ServerExtensionAgreement,
    req: R,
    socket: Duplex,
    head: Buffer,
    cb: UpgradeCallback<W, R>,
  ): void {
    // The client may have gone (or sent FIN) while verifyClient was thinking.
    if (!socket.readable || !socket.writable) {
      socket.destroy();
      return;
    }
    if (this.state !== ServerState.Running || this.overLimit(req)) {
      writeHttpErrorAndClose(socket, HttpStatus.SERVICE_UNAVAILABLE);
      return;
    }

    const protocol = this.chooseSubprotocol(protocols, req);
    if (protocol === null) {
      writeHttpErrorAndClose(socket, HttpStatus.INTERNAL_SERVER_ERROR, SUBPROTOCOL_NOT_OFFERED);
      return;
    }

    const lines = upgradeResponseLines(computeAcceptKey(key), protocol, agreement.header);
    this.emit('headers', lines, req);
    // A `headers` listener may have destroyed the socket (SECURITY-CASES row 15).
    if (socket.destroyed) return;
    socket.write(serializeResponseLines(lines));
    this.startConnection(socket, head, req, protocol, agreement, '1.1', cb);
  }

  /**
   * The subprotocol to answer with: handleProtocols' choice (or the client's
   * first), '' for none, or null when handleProtocols chose one the client
   * did not offer (RFC 6455 4.2.2: the answer must be one of the client's).
   */
  private chooseSubprotocol(protocols: readonly string[], req: R): string | null {
    if (protocols.length === 0) return '';
    const handleProtocols = this.options.handleProtocols;
    const chosen = handleProtocols ? handleProtocols(new Set(protocols), req) : protocols[0]!;
    if (typeof chosen !== 'string' || chosen === '') return '';
    return protocols.includes(chosen) ? chosen : null;
  }

  /**
   * The part of accepting shared by HTTP/1.1 upgrades and HTTP/2 streams,
   * once the answer is sent: the WebSocket, the bookkeeping that limits and
   * graceful shutdown rely on, and the callback.
   */
  private startConnection(
    socket: Duplex,
    head: Buffer,
    req: R,
    protocol: string,
    agreement: ServerExtensionAgreement,
    httpVersion: '1.1' | '2',
    cb: UpgradeCallback<W, R>,
  ): void {
    const options = this.options;
    const sideOptions = (this.sideOptions ??= this.buildSideOptions());
    const ws = new this.WebSocketClass(null, undefined, sideOptions);
    ws.attach(socket, head, {
      role: 'server',
      protocol,
      extensions: agreement.header,
      perMessageDeflate: agreement.perMessageDeflate,
      ...(agreement.deflateOptions !== undefined && { deflateOptions: agreement.deflateOptions }),
      maxPayload: options.maxPayload!,
      skipUTF8Validation: options.skipUTF8Validation!,
      autoPong: options.autoPong!,
      allowSynchronousEvents: options.allowSynchronousEvents!,
      httpVersion,
    });
    // The WebSocket listens for socket errors from here on.
    unguardSocket(socket);
    ws.setPubSub(this.pubsub as unknown as PubSub<WebSocket>);

    this.live.add(ws);
    if (options.maxConnectionsPerIp !== undefined) {
      const ip = remoteIp(req);
      this.ipOf.set(ws, ip);
      this.perIp.set(ip, (this.perIp.get(ip) ?? 0) + 1);
    }
    if (options.clientTracking) this.clients.add(ws);
    ws.setCloseObserver(this as unknown as CloseObserver);

    cb(ws, req);
  }
}

/** The server's events and their listener arguments (ws v8 names). */
export interface WebSocketServerEvents<W extends WebSocket = WebSocket, R extends IncomingMessage = IncomingMessage> {
  connection: [ws: W, req: R];
  /**
   * The 101 response lines, before they are written: listeners may add lines.
   * Over HTTP/2: 'HTTP/2 200' then `name: value` lines, sent as headers.
   */
  headers: [headers: string[], req: R];
  error: [error: Error];
  listening: [];
  close: [];
  /** A malformed handshake; when listened to, the listener answers and closes the socket. */
  wsClientError: [error: HandshakeRejectedError, socket: Duplex, req: R];
}

/** Typed listeners for `WebSocketServerEvents`; other event names stay open, as on any EventEmitter. */
export interface WebSocketServer<W extends WebSocket = WebSocket, R extends IncomingMessage = IncomingMessage> {
  on<K extends keyof WebSocketServerEvents<W, R>>(event: K, listener: (...args: WebSocketServerEvents<W, R>[K]) => void): this;
  on(event: string | symbol, listener: (...args: unknown[]) => void): this;
  once<K extends keyof WebSocketServerEvents<W, R>>(event: K, listener: (...args: WebSocketServerEvents<W, R>[K]) => void): this;
  once(event: string | symbol, listener: (...args: unknown[]) => void): this;
  off<K extends keyof WebSocketServerEvents<W, R>>(event: K, listener: (...args: WebSocketServerEvents<W, R>[K]) => void): this;
  off(event: string | symbol, listener: (...args: unknown[]) => void): this;
  addListener<K extends keyof WebSocketServerEvents<W, R>>(
    event: K,
    listener: (...args: WebSocketServerEvents<W, R>[K]) => void,
  ): this;
  addListener(event: string | symbol, listener: (...args: unknown[]) => void): this;
  removeListener<K extends keyof WebSocketServerEvents<W, R>>(
    event: K,
    listener: (...args: WebSocketServerEvents<W, R>[K]) => void,
  ): this;
  removeListener(event: string | symbol, listener: (...args: unknown[]) => void): this;
}
