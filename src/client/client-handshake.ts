import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { Duplex } from 'node:stream';
import { CloseCode } from '../protocol/close-codes.js';
import { WebSocketError } from '../protocol/errors.js';
import { HandshakeDeadline } from './handshake-deadline.js';
import { generateClientKey } from '../protocol/handshake.js';
import type { ClientHandshakeTarget } from '../transport/attach-options.js';
import { connectPlain, connectSecure } from './client-connectors.js';
import {
  acceptServerExtensions,
  offerClientExtensions,
  type AcceptedExtensions,
  type ClientExtensionOffer,
} from './client-extensions.js';
import { resolveClientOptions, type ClientOptions, type ResolvedClientOptions } from './client-options.js';
import { buildHandshakeHeaders } from './handshake-request.js';
import { startHttp2ClientHandshake } from './http2-client-handshake.js';
import { validateHandshakeResponse } from './handshake-response.js';
import { mayForwardCredentials, redirectLocation } from './redirect-policy.js';
import { normalizeSubprotocols } from './subprotocols.js';
import { DEFAULT_WSS_PORT, DEFAULT_WS_PORT, parseWebSocketUrl, type WebSocketUrl } from './websocket-url.js';

/** A client opening handshake in progress. */
export interface ClientHandshake {
  /** Stops the handshake (close()/terminate() while CONNECTING). */
  abort(error: Error): void;
}

/** setTimeout() cannot wait longer than this; a longer timeout means none. */

function ignoreError(): void {}

/**
 * Starts the client's opening handshake for `target` (the WebSocket
 * constructor's work). Bad arguments throw synchronously (RangeError for
 * protocolVersion, SyntaxError for the URL or subprotocols); every later
 * failure reaches `target.failHandshake()` exactly once, and success reaches
 * `target.attach()`.
 */
export function startClientHandshake<Target extends ClientHandshakeTarget>(
  target: Target,
  address: string | URL,
  protocols: string | string[] | undefined,
  options: ClientOptions<Target> | undefined,
): ClientHandshake {
  const resolved = resolveClientOptions(options);
  const url = parseWebSocketUrl(address);
  const offeredProtocols = normalizeSubprotocols(protocols);
  target.setUrl(url.href);
  if (resolved.http2 !== false) {
    return startHttp2ClientHandshake(target, url, offeredProtocols, resolved, () => {
      const http1 = new ClientHandshakeRun(target, resolved, offeredProtocols, url);
      try {
        http1.sendRequest(url);
      } catch (error) {
        http1.abort(error as Error);
      }
      return http1;
    });
  }
  const handshake = new ClientHandshakeRun(target, resolved, offeredProtocols, url);
  try {
    handshake.sendRequest(url);
  } catch (error) {
    // The constructor throws this error: the handshake must not report again.
    handshake.discard();
    throw error;
  }
  return handshake;
}

class ClientHandshakeRun<Target extends ClientHandshakeTarget> implements ClientHandshake {
  private readonly target: Target;
  private readonly options: ResolvedClientOptions<Target>;
  private readonly protocols: readonly string[];
  private readonly originalUrl: WebSocketUrl;
  /** Once a hop may not carry credentials, no later hop does either. */
  private forwardCredentials = true;
  private redirects = 0;
  private settled = false;
  /** The request of the current hop; events of older hops are ignored. */
  private request: ClientRequest | null = null;
  private readonly deadline = new HandshakeDeadline();

  constructor(target: Target, options: ResolvedClientOptions<Target>, protocols: readonly string[], url: WebSocketUrl) {
    this.target = target;
    this.options = options;
    this.protocols = protocols;
    this.originalUrl = url;
  }

  abort(error: Error): void {
    this.fail(error);
  }

  /** Stops silently, for a failure the caller reports itself. */
  discard(): void {
    if (!this.settle()) return;
    const req = this.request;
    this.request = null;
    if (req !== null) req.destroy();
  }

  /** Sends the handshake request for one hop. Throws only on the first hop (constructor). */
  sendRequest(url: WebSocketUrl): void {
    const options = this.options;
    const key = generateClientKey();
    const offer = offerClientExtensions(options.perMessageDeflate, options.maxPayload);
    const headers = buildHandshakeHeaders({
      url,
      key,
      protocolVersion: options.protocolVersion,
      protocols: this.protocols,
      origin: options.origin,
      extensionOffer: offer.header,
      userHeaders: options.headers,
      forwardCredentials: this.forwardCredentials,
    });
    const requestOptions: RequestOptions = {
      ...options.transport,
      createConnection: options.transport.createConnection ?? (url.secure ? connectSecure : connectPlain),
      method: 'GET',
      host: url.hostname,
      port: url.port,
      defaultPort: url.secure ? DEFAULT_WSS_PORT : DEFAULT_WS_PORT,
      path: url.requestPath,
      headers,
      // The handshake computes all of these itself.
      hostname: undefined,
      protocol: undefined,
      socketPath: undefined,
      auth: undefined,
      timeout: undefined,
    };

    const req = (url.secure ? httpsRequest : httpRequest)(requestOptions);
    this.request = req;
    // Attached before anything asynchronous can happen (SECURITY-CASES row 15).
    req.on('error', (error: Error) => {
      if (req === this.request) this.fail(error);
    });
    req.on('response', (res: IncomingMessage) => {
      this.onResponse(req, res, url, key, offer);
    });
    req.on('upgrade', (res: IncomingMessage, socket: Duplex, head: Buffer) => {
      this.onUpgrade(req, res, socket, head, key, offer);
    });
    this.startTimer();

    if (this.redirects > 0) {
      this.target.emit('redirect', url.href, req);
      if (this.settled) return;
    }
    if (options.finishRequest !== undefined) options.finishRequest(req, this.target);
    else req.end();
  }

  private onResponse(
    req: ClientRequest,
    res: IncomingMessage,
    url: WebSocketUrl,
    key: string,
    offer: ClientExtensionOffer,
  ): void {
    if (req !== this.request || this.settled) {
      req.destroy();
      return;
    }
    const location = redirectLocation(res.statusCode, res.headers, this.options.followRedirects);
    if (location !== undefined) {
      this.followRedirect(req, location, url);
      return;
    }
    if (res.statusCode === 101) {
      // Node passes a 101 here when Upgrade or Connection is missing: the
      // validator names which; the fallback only guards against a gap.
      let error: Error = new WebSocketError('WSX_ERR_HANDSHAKE', 'Invalid Connection header', CloseCode.ABNORMAL_CLOSURE);
      try {
        validateHandshakeResponse(res, { key, offeredProtocols: this.protocols, offeredExtensions: offer.names });
      } catch (validationError) {
        error = validationError as Error;
      }
      this.fail(error);
      return;
    }
    if (this.target.listenerCount('unexpected-response') > 0) {
      // The listener owns the request now; it ends it via close()/terminate().
      this.target.emit('unexpected-response', req, res);
      return;
    }
    this.fail(
      new WebSocketError(
        'WSX_ERR_HANDSHAKE',
        `Unexpected server response: ${String(res.statusCode)}`,
        CloseCode.ABNORMAL_CLOSURE,
      ),
    );
  }

  private followRedirect(req: ClientRequest, location: string, current: WebSocketUrl): void {
    if (++this.redirects > this.options.maxRedirects) {
      this.fail(new WebSocketError('WSX_ERR_HANDSHAKE', 'Maximum redirects exceeded', CloseCode.ABNORMAL_CLOSURE));
      return;
    }
    req.destroy();
    let next: WebSocketUrl;
    try {
      next = parseWebSocketUrl(location, current.url);
    } catch (error) {
      this.fail(error as Error);
      return;
    }
    this.forwardCredentials = this.forwardCredentials && mayForwardCredentials(this.originalUrl, next);
    this.target.setUrl(next.href);
    if (this.settled) return;
    try {
      this.sendRequest(next);
    } catch (error) {
      // Thrown by http.request(), createConnection or finishRequest on this hop.
      this.fail(error as Error);
    }
  }

  private onUpgrade(
    req: ClientRequest,
    res: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    key: string,
    offer: ClientExtensionOffer,
  ): void {
    // Node no longer listens for errors on an upgraded socket.
    socket.on('error', ignoreError);
    if (req !== this.request || this.settled) {
      socket.destroy();
      return;
    }
    this.target.emit('upgrade', res);
    // A listener may have closed the WebSocket.
    if (this.settled) {
      socket.destroy();
      return;
    }

    let protocol: string;
    let accepted: AcceptedExtensions;
    try {
      const checked = validateHandshakeResponse(res, {
        key,
        offeredProtocols: this.protocols,
        offeredExtensions: offer.names,
      });
      protocol = checked.protocol;
      accepted = acceptServerExtensions(offer, checked.extensions, checked.extensionsHeader);
    } catch (error) {
      socket.destroy();
      this.fail(error as Error);
      return;
    }

    this.settle();
    this.request = null;
    socket.removeListener('error', ignoreError);
    const options = this.options;
    this.target.attach(socket, head, {
      role: 'client',
      protocol,
      extensions: accepted.extensions,
      perMessageDeflate: accepted.perMessageDeflate,
      ...(accepted.deflateOptions !== undefined && { deflateOptions: accepted.deflateOptions }),
      maxPayload: options.maxPayload,
      skipUTF8Validation: options.skipUTF8Validation,
      autoPong: options.autoPong,
      allowSynchronousEvents: options.allowSynchronousEvents,
    });
  }

  private startTimer(): void {
    this.deadline.start(this.options.handshakeTimeout, (error) => this.fail(error));
  }

  /** Marks the handshake finished; returns false when it already was. */
  private settle(): boolean {
    if (this.settled) return false;
    this.settled = true;
    this.deadline.clear();
    return true;
  }

  private fail(error: Error): void {
    if (!this.settle()) return;
    const req = this.request;
    this.request = null;
    if (req !== null) req.destroy();
    this.target.failHandshake(error);
  }
}
