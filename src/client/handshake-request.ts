import { Buffer } from 'node:buffer';
import type { OutgoingHttpHeaders } from 'node:http';
import { CREDENTIAL_HEADERS } from './redirect-policy.js';
import type { WebSocketUrl } from './websocket-url.js';

/** Headers the handshake computes itself; user headers of these names are ignored. */
const HANDSHAKE_HEADERS: ReadonlySet<string> = new Set([
  'connection',
  'upgrade',
  'sec-websocket-key',
  'sec-websocket-version',
  'sec-websocket-protocol',
  'sec-websocket-extensions',
]);

export interface HandshakeRequestInput {
  url: WebSocketUrl;
  /** The `Sec-WebSocket-Key` for this request. */
  key: string;
  protocolVersion: number;
  protocols: readonly string[];
  origin: string | undefined;
  /** The `Sec-WebSocket-Extensions` offer, undefined for none. */
  extensionOffer: string | undefined;
  userHeaders: OutgoingHttpHeaders | undefined;
  /** False on a redirect hop to another host or a downgrade (see redirect-policy.ts). */
  forwardCredentials: boolean;
}

/**
 * The header object for one handshake request. User headers come first and
 * keep their spelling; names are compared case-insensitively so a user
 * header can never duplicate or replace one of the handshake's own.
 */
export function buildHandshakeHeaders(input: HandshakeRequestInput): OutgoingHttpHeaders {
  // Null prototype: a user header named `__proto__` stays a plain key.
  const headers = Object.create(null) as OutgoingHttpHeaders;
  const originHeader = input.protocolVersion < 13 ? 'sec-websocket-origin' : 'origin';
  let hasHost = false;
  let hasAuthorization = false;

  if (input.userHeaders !== undefined) {
    for (const name of Object.keys(input.userHeaders)) {
      const value = input.userHeaders[name];
      if (value === undefined) continue;
      const lower = name.toLowerCase();
      if (HANDSHAKE_HEADERS.has(lower)) continue;
      if (!input.forwardCredentials && CREDENTIAL_HEADERS.has(lower)) continue;
      if (input.origin !== undefined && lower === originHeader) continue;
      if (lower === 'host') hasHost = true;
      else if (lower === 'authorization') hasAuthorization = true;
      headers[name] = value;
    }
  }

  if (!hasHost) headers.Host = input.url.hostHeader;
  // An explicit Authorization header wins over URL credentials (as curl).
  if (input.forwardCredentials && !hasAuthorization && (input.url.username !== '' || input.url.password !== '')) {
    const credentials = `${input.url.username}:${input.url.password}`;
    headers.Authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
  }
  if (input.origin !== undefined) {
    headers[input.protocolVersion < 13 ? 'Sec-WebSocket-Origin' : 'Origin'] = input.origin;
  }
  headers['Sec-WebSocket-Version'] = String(input.protocolVersion);
  headers['Sec-WebSocket-Key'] = input.key;
  headers.Connection = 'Upgrade';
  headers.Upgrade = 'websocket';
  if (input.protocols.length > 0) headers['Sec-WebSocket-Protocol'] = input.protocols.join(', ');
  if (input.extensionOffer !== undefined) headers['Sec-WebSocket-Extensions'] = input.extensionOffer;
  return headers;
}
