import type { IncomingHttpHeaders } from 'node:http';
import type { WebSocketUrl } from './websocket-url.js';

/**
 * The `Location` of a response the client should follow, or undefined when
 * the response is not a redirect to follow (no followRedirects, not 3xx, or
 * no Location).
 */
export function redirectLocation(
  statusCode: number | undefined,
  headers: IncomingHttpHeaders,
  followRedirects: boolean,
): string | undefined {
  if (!followRedirects || statusCode === undefined || statusCode < 300 || statusCode > 399) return undefined;
  const location = headers.location;
  return location === undefined || location === '' ? undefined : location;
}

/**
 * Whether credentials (Authorization, Cookie, Proxy-Authorization, URL
 * credentials, a user-set Host) may be sent on a redirect hop
 * (SECURITY-CASES row 13): only to the same host and port as the URL the
 * user gave, and never after a downgrade from wss: to ws:. Like curl, a
 * change of port (even ws:80 to wss:443) counts as another host.
 */
export function mayForwardCredentials(original: WebSocketUrl, next: WebSocketUrl): boolean {
  if (original.secure && !next.secure) return false;
  return original.hostname === next.hostname && original.port === next.port;
}

/** Header names (lower case) that carry credentials or identify the original host. */
export const CREDENTIAL_HEADERS: ReadonlySet<string> = new Set(['authorization', 'cookie', 'proxy-authorization', 'host']);
