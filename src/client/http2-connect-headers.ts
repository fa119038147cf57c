import type { OutgoingHttpHeaders } from 'node:http';
import { buildHandshakeHeaders, type HandshakeRequestInput } from './handshake-request.js';

/**
 * Headers that HTTP/2 does not carry (RFC 9113 section 8.2.2; Node throws
 * on them) or that the HTTP/1.1 handshake alone uses (RFC 8441 section 5:
 * no key, no Upgrade/Connection).
 */
const NOT_OVER_HTTP2: ReadonlySet<string> = new Set([
  'connection',
  'upgrade',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'http2-settings',
  'te',
  'sec-websocket-key',
]);

/**
 * The header block of an RFC 8441 extended CONNECT request: the same
 * headers as the HTTP/1.1 handshake would send (user headers, credentials
 * and Origin filtered by the same rules in handshake-request.ts), turned
 * into HTTP/2 form: lower-case names, the Host as `:authority`, no key.
 */
export function buildConnectHeaders(input: Omit<HandshakeRequestInput, 'key'>): OutgoingHttpHeaders {
  const http1 = buildHandshakeHeaders({ ...input, key: '' });
  const headers = Object.create(null) as OutgoingHttpHeaders;
  headers[':method'] = 'CONNECT';
  headers[':protocol'] = 'websocket';
  headers[':scheme'] = input.url.secure ? 'https' : 'http';
  headers[':path'] = input.url.requestPath;
  headers[':authority'] = input.url.hostHeader;
  for (const name of Object.keys(http1)) {
    const lower = name.toLowerCase();
    const value = http1[name];
    if (value === undefined || NOT_OVER_HTTP2.has(lower) || lower.charCodeAt(0) === 0x3a /* ':' */) continue;
    if (lower === 'host') {
      headers[':authority'] = String(value);
      continue;
    }
    headers[lower] = value;
  }
  return headers;
}
