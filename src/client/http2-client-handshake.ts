/**
 * The client opening handshake over HTTP/2 (RFC 8441): an extended CONNECT
 * stream on a session from the pool (`http2: true`) or on the application's
 * own session (`http2: session`). With `true`, a server that does not speak
 * HTTP/2 or does not advertise SETTINGS_ENABLE_CONNECT_PROTOCOL gets the
 * HTTP/1.1 upgrade instead.
 */
import { Buffer } from 'node:buffer';
import http2, { type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders } from 'node:http2';
import { CloseCode } from '../protocol/close-codes.js';
import { WebSocketError } from '../protocol/errors.js';
import { HandshakeDeadline } from './handshake-deadline.js';
import type { ClientHandshakeTarget } from '../transport/attach-options.js';
import { acceptServerExtensions, offerClientExtensions, type AcceptedExtensions, type ClientExtensionOffer } from './client-extensions.js';
import type { ResolvedClientOptions } from './client-options.js';
import { buildConnectHeaders } from './http2-connect-headers.js';
import { MAX_ERROR_BODY, UnexpectedResponseError, validateConnectResponse } from './http2-connect-response.js';
import { waitForConnectSupport } from './http2-connect-support.js';
import { http2PoolKey, http2SessionPool, type PooledSession } from './http2-session-pool.js';
import type { WebSocketUrl } from './websocket-url.js';

/** A handshake in progress, as the WebSocket sees it. */
export interface Http2ClientHandshake {
  abort(error: Error): void;
}

/** Starts the HTTP/1.1 handshake instead (only with `http2: true`). */
export type Http1Fallback = () => Http2ClientHandshake;

const EMPTY = Buffer.alloc(0);

/** Options of `new WebSocket()` that are not for a TLS/TCP connection. */
const NOT_CONNECT_OPTIONS: ReadonlySet<string> = new Set([
  'agent',
  'createConnection',
  'host',
  'hostname',
  'port',
  'path',
  'method',
  'protocol',
  'socketPath',
  'auth',
  'timeout',
  'defaultPort',
  'headers',
  'setHost',
]);

function ignoreError(): void {}

function handshakeError(message: string): WebSocketError {
  return new WebSocketError('WSX_ERR_HANDSHAKE', message, CloseCode.ABNORMAL_CLOSURE);
}

/** The `http2.connect()` options from the WebSocket's transport options. */
function connectOptions(transport: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const name of Object.keys(transport)) {
    if (!NOT_CONNECT_OPTIONS.has(name) && transport[name] !== undefined) options[name] = transport[name];
  }
  return options;
}

/**
 * Starts the handshake for `target` over HTTP/2. Every outcome reaches the
 * target once: `attach()` with the stream, or `failHandshake()`; or, on
 * fallback, the HTTP/1.1 handshake takes over.
 */
export function startHttp2ClientHandshake<Target extends ClientHandshakeTarget>(
  target: Target,
  url: WebSocketUrl,
  protocols: readonly string[],
  options: ResolvedClientOptions<Target>,
  fallback: Http1Fallback,
): Http2ClientHandshake {
  const run = new Http2HandshakeRun(target, url, protocols, options, fallback);
  run.start();
  return run;
}

class Http2HandshakeRun<Target extends ClientHandshakeTarget> implements Http2ClientHandshake {
  private readonly target: Target;
  private readonly url: WebSocketUrl;
  private readonly protocols: readonly string[];
  private readonly options: ResolvedClientOptions<Target>;
  private readonly fallback: Http1Fallback;
  private readonly offer: ClientExtensionOffer;
  private settled = false;
  private readonly deadline = new HandshakeDeadline();
  private stream: ClientHttp2Stream | null = null;
  /** A non-2xx answer whose body is being read before the handshake fails. */
  private refusal: UnexpectedResponseError | null = null;
  private cancelWait: (() => void) | null = null;
  /** Set once the HTTP/1.1 handshake has taken over. */
  private replacement: Http2ClientHandshake | null = null;

  constructor(
    target: Target,
    url: WebSocketUrl,
    protocols: readonly string[],
    options: ResolvedClientOptions<Target>,
    fallback: Http1Fallback,
  ) {
    this.target = target;
    this.url = url;
    this.protocols = protocols;
    this.options = options;
    this.fallback = fallback;
    // Invalid perMessageDeflate options throw here, from the constructor, as over HTTP/1.1.
    this.offer = offerClientExtensions(options.perMessageDeflate, options.maxPayload);
  }

  start(): void {
    const given = this.options.http2;
    const origin = `${this.url.secure ? 'https' : 'http'}://${this.url.url.host}`;
    if (typeof given === 'object') {
      this.startTimer();
      this.cancelWait = waitForConnectSupport(given, (error, supported) => {
        this.cancelWait = null;
        if (this.settled) return;
        if (error !== null) return this.fail(error);
        if (!supported) {
          return this.fail(handshakeError('The HTTP/2 server does not accept WebSockets (no SETTINGS_ENABLE_CONNECT_PROTOCOL)'));
        }
        this.openStream(given, null);
      });
      return;
    }

    const transport = this.options.transport;
    // An agent or createConnection (a proxy, a custom socket) cannot carry
    // an http2 session: going around it would be worse than HTTP/1.1.
    if (transport.agent !== undefined || transport.createConnection !== undefined) {
      this.fallBack();
      return;
    }
    const connect = connectOptions(transport as Readonly<Record<string, unknown>>);
    const key = http2PoolKey(origin, connect);
    if (http2SessionPool.knownWithoutConnect(key)) {
      this.fallBack();
      return;
    }
    this.startTimer();
    let entry: PooledSession;
    try {
      entry = http2SessionPool.acquire(key, () => http2.connect(origin, { ...connect, settings: { enablePush: false } }));
    } catch {
      // Invalid TLS options and the like: the HTTP/1.1 path reports them its own way.
      this.fallBack();
      return;
    }
    entry.whenReady((error, supported) => {
      if (this.settled) return;
      // No HTTP/2 (refused, ALPN without h2, garbage) or no extended CONNECT: use HTTP/1.1.
      if (error !== null || !supported) return this.fallBack();
      this.openStream(entry.session, entry);
    });
  }

  abort(error: Error): void {
    if (this.replacement !== null) {
      this.replacement.abort(error);
      return;
    }
    this.fail(error);
  }

  private openStream(session: ClientHttp2Session, entry: PooledSession | null): void {
    const options = this.options;
    const offer = this.offer;
    let stream: ClientHttp2Stream;
    try {
      const headers = buildConnectHeaders({
        url: this.url,
        protocolVersion: options.protocolVersion,
        protocols: this.protocols,
        origin: options.origin,
        extensionOffer: offer.header,
        userHeaders: options.headers,
        forwardCredentials: true,
      });
      stream = session.request(headers, { endStream: false });
    } catch (error) {
      this.fail(error as Error);
      return;
    }
    this.stream = stream;
    entry?.track(stream);
    // Until the WebSocket listens, errors end the handshake through 'close'.
    stream.on('error', ignoreError);
    stream.once('response', (headers: IncomingHttpHeaders) => this.onResponse(stream, headers, offer));
    stream.once('close', () => {
      if (this.stream !== stream || this.settled || this.refusal !== null) return;
      const code = stream.rstCode;
      this.fail(handshakeError(`The server closed the HTTP/2 stream before answering${code ? ` (RST_STREAM ${code})` : ''}`));
    });
  }

  private onResponse(stream: ClientHttp2Stream, headers: IncomingHttpHeaders, offer: ClientExtensionOffer): void {
    if (this.stream !== stream || this.settled) return;
    let protocol: string;
    let accepted: AcceptedExtensions;
    try {
      const checked = validateConnectResponse(headers, { offeredProtocols: this.protocols, offeredExtensions: offer.names });
      protocol = checked.protocol;
      accepted = acceptServerExtensions(offer, checked.extensions, checked.extensionsHeader);
    } catch (error) {
      if (error instanceof UnexpectedResponseError) this.failWithBody(stream, error);
      else this.fail(error as Error);
      return;
    }
    this.settle();
    this.stream = null;
    const options = this.options;
    this.target.attach(stream, EMPTY, {
      role: 'client',
      protocol,
      extensions: accepted.extensions,
      perMessageDeflate: accepted.perMessageDeflate,
      ...(accepted.deflateOptions !== undefined && { deflateOptions: accepted.deflateOptions }),
      maxPayload: options.maxPayload,
      skipUTF8Validation: options.skipUTF8Validation,
      autoPong: options.autoPong,
      allowSynchronousEvents: options.allowSynchronousEvents,
      httpVersion: '2',
    });
    stream.removeListener('error', ignoreError);
  }

  /** Reads the start of a refusal's body onto the error, then fails (the handshake timer still bounds it). */
  private failWithBody(stream: ClientHttp2Stream, error: UnexpectedResponseError): void {
    this.refusal = error;
    const chunks: Buffer[] = [];
    let length = 0;
    const done = (): void => {
      error.body = Buffer.concat(chunks, Math.min(length, MAX_ERROR_BODY));
      this.fail(error);
    };
    stream.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= MAX_ERROR_BODY) done();
    });
    stream.once('end', done);
    stream.once('close', done);
  }

  /** Hands over to the HTTP/1.1 handshake (`http2: true` only). */
  private fallBack(): void {
    if (!this.settle()) return;
    this.replacement = this.fallback();
  }

  private startTimer(): void {
    this.deadline.start(this.options.handshakeTimeout, (error) => this.fail(error));
  }

  private settle(): boolean {
    if (this.settled) return false;
    this.settled = true;
    this.deadline.clear();
    this.cancelWait?.();
    this.cancelWait = null;
    return true;
  }

  private fail(error: Error): void {
    if (!this.settle()) return;
    const stream = this.stream;
    this.stream = null;
    // RST_STREAM(CANCEL): the session and its other streams go on.
    if (stream !== null && !stream.destroyed) stream.close(http2.constants.NGHTTP2_CANCEL);
    this.target.failHandshake(error);
  }
}
