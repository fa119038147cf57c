import { unescape as percentDecode } from 'node:querystring';

/**
 * A WebSocket URL resolved into what the client handshake needs: where to
 * connect, what to put in the request line and `Host` header, and the
 * credentials the URL carried.
 */
export interface WebSocketUrl {
  /** The URL with its scheme normalized to `ws:` or `wss:`. */
  readonly url: URL;
  /** `url.href`: what `WebSocket#url` reports. */
  readonly href: string;
  readonly secure: boolean;
  /** The host to connect to, IPv6 literals without their brackets. */
  readonly hostname: string;
  /** The port to connect to, the scheme's default when the URL gives none. */
  readonly port: number;
  /** The `Host` header: the port appears only when it is not the scheme's default. */
  readonly hostHeader: string;
  /** The request target: path and query, never the fragment. */
  readonly requestPath: string;
  /** Percent-decoded credentials from the URL ('' when absent). */
  readonly username: string;
  readonly password: string;
}

export const DEFAULT_WS_PORT = 80;
export const DEFAULT_WSS_PORT = 443;

/**
 * Parses the address given to the WebSocket constructor (or a redirect
 * target). Throws a `SyntaxError`, as the WHATWG WebSocket constructor does,
 * for an unparsable URL, a scheme other than ws/wss/http/https, a fragment or
 * a missing host. `http:`/`https:` are read as `ws:`/`wss:` like browsers do.
 */
export function parseWebSocketUrl(address: string | URL, base?: string | URL): WebSocketUrl {
  let url: URL;
  try {
    // Copy a URL instance so the caller's object is never modified.
    url = address instanceof URL ? new URL(address.href) : new URL(address, base);
  } catch {
    throw new SyntaxError(`Invalid URL: ${String(address)}`);
  }

  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';

  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new SyntaxError('The URL\'s protocol must be one of "ws:", "wss:", "http:", or "https:"');
  }
  // `url.hash` is '' for a bare '#', yet that is a (empty) fragment too;
  // a '#' can only appear in the serialization as the fragment delimiter.
  if (url.href.includes('#')) {
    throw new SyntaxError('The URL contains a fragment identifier');
  }
  if (url.hostname === '') {
    throw new SyntaxError('The URL has no host');
  }

  const secure = url.protocol === 'wss:';
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return {
    url,
    href: url.href,
    secure,
    hostname,
    // The URL parser already drops a port equal to the scheme's default.
    port: url.port === '' ? (secure ? DEFAULT_WSS_PORT : DEFAULT_WS_PORT) : Number(url.port),
    hostHeader: url.host,
    requestPath: url.pathname + url.search || '/',
    username: percentDecode(url.username),
    password: percentDecode(url.password),
  };
}
