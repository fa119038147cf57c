/**
 * Validation of a client's opening handshake (RFC 6455 section 4.2.1), as a
 * pure function of what an HTTP parser hands over. The server layer turns a
 * rejection into an HTTP response; nothing here touches a socket.
 */
import type { ExtensionOffer } from './extension-offer.js';
import { headerHasToken, parseExtensions, parseSubprotocols } from './header-tokens.js';
import { isValidClientKey } from './handshake.js';

/** The only protocol version wsx speaks (RFC 6455 section 4.1). */
export const WEBSOCKET_VERSION = '13';

/** HTTP statuses a handshake can be refused with. */
export const HttpStatus = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  REQUEST_TIMEOUT: 408,
  CONTENT_TOO_LARGE: 413,
  UPGRADE_REQUIRED: 426,
  REQUEST_HEADER_FIELDS_TOO_LARGE: 431,
  INTERNAL_SERVER_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
} as const;

/** Request headers as Node's `IncomingMessage.headers` holds them (lower-case names). */
export type RequestHeaders = { readonly [name: string]: string | string[] | undefined };

export interface AcceptedUpgradeRequest {
  ok: true;
  /** `Sec-WebSocket-Key`, already checked to be base64 of 16 bytes. */
  key: string;
  /** `Sec-WebSocket-Protocol` in the client's order of preference; empty when absent. */
  protocols: string[];
  /** `Sec-WebSocket-Extensions` offers in order; empty when absent. */
  extensions: ExtensionOffer[];
}

export interface RejectedUpgradeRequest {
  ok: false;
  status: number;
  /** A short reason, used as the response body. */
  message: string;
  /** Extra response headers (426 carries the version we speak). */
  headers?: Record<string, string>;
}

export type UpgradeRequestResult = AcceptedUpgradeRequest | RejectedUpgradeRequest;

function reject(status: number, message: string, headers?: Record<string, string>): RejectedUpgradeRequest {
  return headers === undefined ? { ok: false, status, message } : { ok: false, status, message, headers };
}

/** A header as one string: repeated values are joined the way HTTP does. */
export function joinHeaderValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

function headerValue(headers: RequestHeaders, name: string): string | undefined {
  return joinHeaderValue(headers[name]);
}

/** A list header: [] when absent, null when malformed. */
function parseOptionalList<T>(headers: RequestHeaders, name: string, parse: (value: string) => T[]): T[] | null {
  const value = headerValue(headers, name);
  if (value === undefined) return [];
  try {
    return parse(value);
  } catch {
    return null;
  }
}

/** How many times a header name occurs in Node's flat [name, value, …] list. */
function countHeader(rawHeaders: readonly string[], name: string): number {
  let n = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i]!.toLowerCase() === name) n++;
  return n;
}

/** `major.minor` from Node's `httpVersion`; NaN parts compare false below. */
function isAtLeastHttp11(httpVersion: string): boolean {
  const dot = httpVersion.indexOf('.');
  const major = Number(dot === -1 ? httpVersion : httpVersion.slice(0, dot));
  const minor = dot === -1 ? 0 : Number(httpVersion.slice(dot + 1));
  return major > 1 || (major === 1 && minor >= 1);
}

/**
 * Checks an upgrade request in this order, answering with the first failure:
 * method GET (400), HTTP/1.1 or later (400), a non-empty Host (400), Upgrade
 * listing `websocket` (400), Connection listing `upgrade` (400), a valid
 * Sec-WebSocket-Key (400), Sec-WebSocket-Version 13 (426 with
 * `Sec-WebSocket-Version: 13`), a well-formed Sec-WebSocket-Protocol (400)
 * and Sec-WebSocket-Extensions (400). Never throws.
 */
export function validateUpgradeRequest(
  method: string | undefined,
  httpVersion: string,
  headers: RequestHeaders,
  rawHeaders?: readonly string[],
): UpgradeRequestResult {
  if (method !== 'GET') return reject(HttpStatus.BAD_REQUEST, 'Invalid HTTP method');
  if (!isAtLeastHttp11(httpVersion)) return reject(HttpStatus.BAD_REQUEST, 'Unsupported HTTP version');
  // Node keeps only the first Host; RFC 7230 5.4 requires a 400 for several.
  if (rawHeaders !== undefined && countHeader(rawHeaders, 'host') > 1) {
    return reject(HttpStatus.BAD_REQUEST, 'More than one Host header');
  }

  const host = headerValue(headers, 'host');
  if (host === undefined || host.length === 0) return reject(HttpStatus.BAD_REQUEST, 'Missing Host header');

  if (!headerHasToken(headers['upgrade'], 'websocket')) {
    return reject(HttpStatus.BAD_REQUEST, 'Invalid Upgrade header');
  }
  if (!headerHasToken(headers['connection'], 'upgrade')) {
    return reject(HttpStatus.BAD_REQUEST, 'Invalid Connection header');
  }

  const key = headerValue(headers, 'sec-websocket-key');
  if (key === undefined || !isValidClientKey(key)) {
    return reject(HttpStatus.BAD_REQUEST, 'Missing or invalid Sec-WebSocket-Key header');
  }

  if (headerValue(headers, 'sec-websocket-version') !== WEBSOCKET_VERSION) {
    return reject(HttpStatus.UPGRADE_REQUIRED, 'Unsupported WebSocket version', {
      'Sec-WebSocket-Version': WEBSOCKET_VERSION,
    });
  }

  const protocols = parseOptionalList(headers, 'sec-websocket-protocol', parseSubprotocols);
  if (protocols === null) return reject(HttpStatus.BAD_REQUEST, 'Invalid Sec-WebSocket-Protocol header');
  const extensions = parseOptionalList(headers, 'sec-websocket-extensions', parseExtensions);
  if (extensions === null) return reject(HttpStatus.BAD_REQUEST, 'Invalid Sec-WebSocket-Extensions header');

  return { ok: true, key, protocols, extensions };
}
