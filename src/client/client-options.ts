import type { Agent, ClientRequest, OutgoingHttpHeaders, RequestOptions } from 'node:http';
import type { ClientHttp2Session } from 'node:http2';
import type { LookupFunction } from 'node:net';
import type { ConnectionOptions, SecureContextOptions } from 'node:tls';
import type { ZlibOptions } from 'node:zlib';
import type { ClientHandshakeTarget } from '../transport/attach-options.js';
import type { HeartbeatOptions } from '../transport/heartbeat-scheduler.js';

/** permessage-deflate settings a client may give (RFC 7692); negotiated in extensions/. */
export interface ClientDeflateOptions {
  serverNoContextTakeover?: boolean;
  clientNoContextTakeover?: boolean;
  /** Window bits (8-15) to ask the server to use, or true to offer the parameter without a value. */
  serverMaxWindowBits?: number | boolean;
  clientMaxWindowBits?: number | boolean;
  zlibDeflateOptions?: ZlibOptions;
  zlibInflateOptions?: ZlibOptions;
  /** Messages smaller than this many bytes are sent uncompressed. */
  threshold?: number;
  /** How many zlib operations may run at the same time. */
  concurrencyLimit?: number;
}

/**
 * The options of `new WebSocket(address, protocols, options)`, as in ws v8.
 * Options not listed here are passed to `http.request()` / `https.request()`
 * (and from there to `net.connect()` / `tls.connect()`), as ws does.
 * `Target` is the WebSocket class handed to `finishRequest`.
 */
export interface ClientOptions<Target = ClientHandshakeTarget> extends SecureContextOptions {
  /** Extra request headers. They cannot replace the handshake's own headers. */
  headers?: OutgoingHttpHeaders;
  /** Sent as `Origin` (`Sec-WebSocket-Origin` with protocolVersion 8). */
  origin?: string;
  /** Milliseconds allowed for each handshake request (default 30000; 0 disables). */
  handshakeTimeout?: number;
  /** Largest message accepted, in bytes (default 100 MiB, as ws). */
  maxPayload?: number;
  followRedirects?: boolean;
  maxRedirects?: number;
  /** `Sec-WebSocket-Version`: 13 (default) or 8. */
  protocolVersion?: number;
  skipUTF8Validation?: boolean;
  autoPong?: boolean;
  allowSynchronousEvents?: boolean;
  /** permessage-deflate: true (ws's default), false, or parameters. */
  perMessageDeflate?: boolean | ClientDeflateOptions;
  /** Called instead of `request.end()` so the request can be changed before it is sent. */
  finishRequest?: (request: ClientRequest, websocket: Target) => void;
  createConnection?: RequestOptions['createConnection'];
  agent?: Agent;
  lookup?: LookupFunction;
  family?: number;
  localAddress?: string;
  localPort?: number;
  rejectUnauthorized?: boolean;
  servername?: string;
  checkServerIdentity?: ConnectionOptions['checkServerIdentity'];
  /**
   * WebSocket over HTTP/2 (RFC 8441). `false` (default): an HTTP/1.1
   * upgrade. `true`: an extended CONNECT stream on a session shared by all
   * WebSockets to the same origin (h2 by ALPN for wss:, h2c by prior
   * knowledge for ws:), falling back to the HTTP/1.1 upgrade when the server
   * does not speak HTTP/2 or does not advertise SETTINGS_ENABLE_CONNECT_PROTOCOL.
   * A `ClientHttp2Session`: the stream is opened on that session, no fallback.
   */
  http2?: boolean | ClientHttp2Session;
  // ws 8 options accepted for compatibility; the connection layer owns them.
  closeTimeout?: number;
  maxBufferedChunks?: number;
  maxFragments?: number;
  maxPendingAutoPongs?: number;
  generateMask?: (mask: Buffer) => void;
  // Connection limits shared with server-side connections (see the README's Defaults table).
  /** send() returns false once bufferedAmount reaches this; 'drain' follows (default 16 KiB). */
  highWaterMark?: number;
  /** A cap on bufferedAmount; what happens past it is `onBufferOverflow`. */
  maxBufferedAmount?: number;
  /** 'close' (1008, default), 'drop', or a function given the WebSocket and the frame size. */
  onBufferOverflow?: 'close' | 'drop' | ((ws: Target, bytes: number) => void);
  /** Pings and pongs accepted per second before failing with 1008 (default 1000; 0 = no limit). */
  maxControlFramesPerSecond?: number;
  /** Ping after `interval` ms of silence; terminate (1006) after `timeout` ms more. */
  heartbeat?: HeartbeatOptions;
}

export const DEFAULT_MAX_PAYLOAD = 100 * 1024 * 1024;
export const DEFAULT_MAX_REDIRECTS = 10;
/**
 * ws has no handshake timeout by default; wsx bounds the handshake so a
 * server that never answers cannot hold a connection forever.
 */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 30_000;
export const SUPPORTED_PROTOCOL_VERSIONS: readonly number[] = [8, 13];

/** The options that do not belong to the handshake, passed to http(s).request(). */
export type TransportRequestOptions = Omit<
  ClientOptions,
  | 'headers'
  | 'origin'
  | 'handshakeTimeout'
  | 'maxPayload'
  | 'followRedirects'
  | 'maxRedirects'
  | 'protocolVersion'
  | 'skipUTF8Validation'
  | 'autoPong'
  | 'allowSynchronousEvents'
  | 'perMessageDeflate'
  | 'finishRequest'
  | 'http2'
  | 'closeTimeout'
  | 'maxBufferedChunks'
  | 'maxFragments'
  | 'maxPendingAutoPongs'
  | 'generateMask'
  | 'highWaterMark'
  | 'maxBufferedAmount'
  | 'onBufferOverflow'
  | 'maxControlFramesPerSecond'
  | 'heartbeat'
>;

export interface ResolvedClientOptions<Target> {
  headers: OutgoingHttpHeaders | undefined;
  origin: string | undefined;
  /** 0 when disabled. */
  handshakeTimeout: number;
  maxPayload: number;
  followRedirects: boolean;
  maxRedirects: number;
  protocolVersion: number;
  skipUTF8Validation: boolean;
  autoPong: boolean;
  allowSynchronousEvents: boolean;
  perMessageDeflate: boolean | ClientDeflateOptions;
  finishRequest: ((request: ClientRequest, websocket: Target) => void) | undefined;
  /** false, true (pooled session with HTTP/1.1 fallback) or the application's session. */
  http2: boolean | ClientHttp2Session;
  transport: TransportRequestOptions;
}

/**
 * Applies the defaults and checks what must fail synchronously in the
 * constructor (an unsupported protocolVersion throws RangeError, as in ws).
 */
export function resolveClientOptions<Target>(options: ClientOptions<Target> | undefined): ResolvedClientOptions<Target> {
  const {
    headers,
    origin,
    handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT_MS,
    maxPayload = DEFAULT_MAX_PAYLOAD,
    followRedirects = false,
    maxRedirects = DEFAULT_MAX_REDIRECTS,
    protocolVersion = 13,
    skipUTF8Validation = false,
    autoPong = true,
    allowSynchronousEvents = true,
    perMessageDeflate = true,
    finishRequest,
    http2 = false,
    closeTimeout: _closeTimeout,
    maxBufferedChunks: _maxBufferedChunks,
    maxFragments: _maxFragments,
    maxPendingAutoPongs: _maxPendingAutoPongs,
    generateMask: _generateMask,
    highWaterMark: _highWaterMark,
    maxBufferedAmount: _maxBufferedAmount,
    onBufferOverflow: _onBufferOverflow,
    maxControlFramesPerSecond: _maxControlFramesPerSecond,
    heartbeat: _heartbeat,
    ...transport
  } = options ?? {};

  if (!SUPPORTED_PROTOCOL_VERSIONS.includes(protocolVersion)) {
    throw new RangeError(
      `Unsupported protocol version: ${String(protocolVersion)} (supported versions: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')})`,
    );
  }
  if (typeof handshakeTimeout !== 'number' || !(handshakeTimeout >= 0)) {
    throw new RangeError(`Invalid handshakeTimeout: ${String(handshakeTimeout)}`);
  }
  if (typeof maxRedirects !== 'number' || !(maxRedirects >= 0)) {
    throw new RangeError(`Invalid maxRedirects: ${String(maxRedirects)}`);
  }
  if (typeof http2 !== 'boolean' && (http2 === null || typeof http2 !== 'object' || typeof http2.request !== 'function')) {
    throw new TypeError('The http2 option must be a boolean or a ClientHttp2Session');
  }

  return {
    headers,
    // As ws: an empty origin sends no Origin header.
    origin: origin === '' ? undefined : origin,
    handshakeTimeout,
    maxPayload,
    followRedirects,
    maxRedirects,
    protocolVersion,
    skipUTF8Validation,
    autoPong,
    allowSynchronousEvents,
    perMessageDeflate,
    finishRequest,
    http2,
    transport,
  };
}
