/**
 * Validation of a WebSocket opening request over HTTP/2 (RFC 8441 sections 4
 * and 5): an extended CONNECT stream carrying `:protocol websocket`. A pure
 * function of the header block Node's http2 hands over (pseudo-headers
 * included); the server layer turns a rejection into a `:status` on the stream.
 */
import type { ExtensionOffer } from './extension-offer.js';
import { isValidClientKey } from './handshake.js';
import { parseExtensions, parseSubprotocols } from './header-tokens.js';
import {
  HttpStatus,
  joinHeaderValue,
  WEBSOCKET_VERSION,
  type RejectedUpgradeRequest,
  type RequestHeaders,
} from './upgrade-request.js';

/** The `:protocol` value that names WebSocket (RFC 8441 section 4, the HTTP Upgrade token). */
export const WEBSOCKET_PROTOCOL_TOKEN = 'websocket';

export interface AcceptedConnectRequest {
  ok: true;
  /** `:path`: the request target, as `req.url` reports it. */
  path: string;
  /** `:authority` (or `host` when a client sent that instead). */
  authority: string;
  /** `:scheme`: 'http' or 'https'. */
  scheme: string;
  /** `Sec-WebSocket-Protocol` in the client's order of preference; empty when absent. */
  protocols: string[];
  /** `Sec-WebSocket-Extensions` offers in order; empty when absent. */
  extensions: ExtensionOffer[];
  /**
   * A `Sec-WebSocket-Key` that a client sent anyway (undici 7 does, and
   * checks the Accept in the answer), valid base64 of 16 bytes; undefined when absent.
   */
  key: string | undefined;
}

export type ConnectRequestResult = AcceptedConnectRequest | RejectedUpgradeRequest;

function reject(status: number, message: string, headers?: Record<string, string>): RejectedUpgradeRequest {
  return headers === undefined ? { ok: false, status, message } : { ok: false, status, message, headers };
}

/** ASCII case-insensitive equality with a lower-case constant, without allocating. */
function equalsIgnoringCase(value: string, lower: string): boolean {
  if (value.length !== lower.length) return false;
  for (let i = 0; i < value.length; i++) {
    let c = value.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) c += 0x20;
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}

function single(headers: RequestHeaders, name: string): string | undefined {
  return joinHeaderValue(headers[name]);
}

/**
 * Whether a stream is a WebSocket opening attempt that a server attached to
 * an HTTP/2 server should answer: CONNECT with `:protocol websocket`, or a
 * CONNECT without `:protocol` that carries `Sec-WebSocket-Version` (a broken
 * WebSocket client, answered 400). Anything else (page requests, classic
 * CONNECT tunnels, other `:protocol` values) belongs to the application.
 */
export function isWebSocketConnectAttempt(headers: RequestHeaders): boolean {
  if (single(headers, ':method') !== 'CONNECT') return false;
  const protocol = single(headers, ':protocol');
  if (protocol !== undefined) return equalsIgnoringCase(protocol, WEBSOCKET_PROTOCOL_TOKEN);
  return headers['sec-websocket-version'] !== undefined;
}

/**
 * Checks an HTTP/2 WebSocket request in this order, answering with the first
 * failure: `:method` CONNECT (400), `:protocol` websocket (400), `:scheme`
 * http or https (400), a `:path` in origin form (400), an authority (400),
 * no `Sec-WebSocket-Accept` (400), `Sec-WebSocket-Version` 13 (426 with
 * `sec-websocket-version: 13`), then a well-formed `Sec-WebSocket-Protocol`
 * and `Sec-WebSocket-Extensions` (400).
 *
 * RFC 8441 section 5 says the key and accept are "not used" over HTTP/2; it
 * does not make a key an error. Clients that send one anyway (undici 7)
 * are accepted when the key is well-formed (else 400), so that the server
 * can answer with the Accept they check; browsers send none. Never throws.
 */
export function validateConnectRequest(headers: RequestHeaders): ConnectRequestResult {
  if (single(headers, ':method') !== 'CONNECT') {
    return reject(HttpStatus.BAD_REQUEST, 'Invalid :method: a WebSocket over HTTP/2 is opened with CONNECT');
  }
  const protocol = single(headers, ':protocol');
  if (protocol === undefined) return reject(HttpStatus.BAD_REQUEST, 'Missing :protocol pseudo-header');
  if (!equalsIgnoringCase(protocol, WEBSOCKET_PROTOCOL_TOKEN)) {
    return reject(HttpStatus.BAD_REQUEST, 'Invalid :protocol pseudo-header');
  }

  const scheme = single(headers, ':scheme');
  if (scheme === undefined || scheme === '') return reject(HttpStatus.BAD_REQUEST, 'Missing :scheme pseudo-header');
  if (scheme !== 'https' && scheme !== 'http') return reject(HttpStatus.BAD_REQUEST, 'Invalid :scheme pseudo-header');

  const path = single(headers, ':path');
  if (path === undefined || path === '') return reject(HttpStatus.BAD_REQUEST, 'Missing :path pseudo-header');
  if (path.charCodeAt(0) !== 0x2f /* '/' */) return reject(HttpStatus.BAD_REQUEST, 'Invalid :path pseudo-header');

  const authority = single(headers, ':authority') ?? single(headers, 'host');
  if (authority === undefined || authority === '') {
    return reject(HttpStatus.BAD_REQUEST, 'Missing :authority pseudo-header');
  }

  // RFC 8441 section 5: the key/accept exchange belongs to HTTP/1.1.
  const key = single(headers, 'sec-websocket-key');
  if (key !== undefined && !isValidClientKey(key)) {
    return reject(HttpStatus.BAD_REQUEST, 'Invalid Sec-WebSocket-Key header');
  }
  if (headers['sec-websocket-accept'] !== undefined) {
    return reject(HttpStatus.BAD_REQUEST, 'Sec-WebSocket-Accept is not used over HTTP/2');
  }

  if (single(headers, 'sec-websocket-version') !== WEBSOCKET_VERSION) {
    return reject(HttpStatus.UPGRADE_REQUIRED, 'Unsupported WebSocket version', {
      'sec-websocket-version': WEBSOCKET_VERSION,
    });
  }

  let protocols: string[] = [];
  const protocolHeader = single(headers, 'sec-websocket-protocol');
  if (protocolHeader !== undefined) {
    try {
      protocols = parseSubprotocols(protocolHeader);
    } catch {
      return reject(HttpStatus.BAD_REQUEST, 'Invalid Sec-WebSocket-Protocol header');
    }
  }
  let extensions: ExtensionOffer[] = [];
  const extensionHeader = single(headers, 'sec-websocket-extensions');
  if (extensionHeader !== undefined) {
    try {
      extensions = parseExtensions(extensionHeader);
    } catch {
      return reject(HttpStatus.BAD_REQUEST, 'Invalid Sec-WebSocket-Extensions header');
    }
  }

  return { ok: true, path, authority, scheme, protocols, extensions, key };
}
