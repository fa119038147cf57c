import type { IncomingMessage } from 'node:http';

/**
 * Which browser origins may open a WebSocket: a list of origins
 * (`https://example.com`, `http://localhost:8080`, or `null` for opaque
 * origins), or a function deciding per request.
 */
export type AllowedOrigins<R extends IncomingMessage = IncomingMessage> =
  | readonly string[]
  | ((origin: string | undefined, req: R) => boolean);

export type OriginCheck<R extends IncomingMessage> = (origin: string | undefined, req: R) => boolean;

/** `https://Example.com:443` → `https://example.com`; throws TypeError on anything that is not a bare origin. */
function normalizeOrigin(entry: string): string {
  if (entry === 'null') return entry;
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    throw new TypeError(`allowedOrigins: ${JSON.stringify(entry)} is not an origin`);
  }
  const bare = url.pathname === '/' && url.search === '' && url.hash === '' && url.username === '' && url.password === '';
  if (url.origin === 'null' || !bare || entry.endsWith('/')) {
    throw new TypeError(
      `allowedOrigins: ${JSON.stringify(entry)} is not an origin (scheme://host[:port], no path or trailing slash)`,
    );
  }
  return url.origin;
}

/**
 * Compiles the `allowedOrigins` option once. With a list, a request without
 * an `Origin` header is allowed: browsers always send one on WebSocket
 * handshakes, so its absence means a non-browser client, which cross-site
 * WebSocket hijacking does not concern. Use the function form to refuse
 * those too. Origins compare ASCII case-insensitively.
 */
export function compileOriginPolicy<R extends IncomingMessage>(allowed: AllowedOrigins<R>): OriginCheck<R> {
  if (typeof allowed === 'function') return allowed;
  if (!Array.isArray(allowed)) throw new TypeError('allowedOrigins must be an array of origins or a function');
  const origins = new Set<string>();
  for (const entry of allowed) {
    if (typeof entry !== 'string') throw new TypeError('allowedOrigins entries must be strings');
    origins.add(normalizeOrigin(entry));
  }
  return (origin) => origin === undefined || origins.has(origin.toLowerCase());
}
