/**
 * Answers to a WebSocket opening request on an HTTP/2 stream (RFC 8441
 * section 5): `:status 200` that keeps the stream open for the WebSocket, or
 * an error status with a plain-text body that ends the stream. Nothing here
 * throws: a stream that is already gone is left alone.
 */
import { Buffer } from 'node:buffer';
import { STATUS_CODES, validateHeaderName, validateHeaderValue, type OutgoingHttpHeaders } from 'node:http';
import { constants as http2Constants, type ServerHttp2Stream } from 'node:http2';
import { guardSocket } from './socket-error-guard.js';

/**
 * Header names HTTP/2 forbids (RFC 9113 section 8.2.2), which Node refuses
 * with a throw; the `headers` event and `verifyClient` may still name them.
 */
const CONNECTION_SPECIFIC: ReadonlySet<string> = new Set([
  'connection',
  'upgrade',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'http2-settings',
  'host',
  'te',
]);

/** The status line that stands first in the `headers` event's lines over HTTP/2. */
export const HTTP2_ACCEPT_STATUS_LINE = 'HTTP/2 200';

/**
 * The lines the `headers` event shows for an HTTP/2 acceptance, in the
 * shape of the HTTP/1.1 ones: a status line, then `name: value` lines that
 * listeners may extend (Set-Cookie, say).
 */
export function http2AcceptLines(protocol: string, extensions: string, acceptKey?: string): string[] {
  const lines = [HTTP2_ACCEPT_STATUS_LINE];
  // Only for a client that sent a key anyway (see protocol/http2-connect-request.ts).
  if (acceptKey !== undefined) lines.push(`sec-websocket-accept: ${acceptKey}`);
  if (protocol !== '') lines.push(`sec-websocket-protocol: ${protocol}`);
  if (extensions !== '') lines.push(`sec-websocket-extensions: ${extensions}`);
  return lines;
}

/** Adds one header to `out`, lower-cased; invalid or forbidden ones are skipped. */
function addHeader(out: OutgoingHttpHeaders, name: string, value: unknown): void {
  const lower = name.toLowerCase();
  if (lower === '' || lower.charCodeAt(0) === 0x3a /* ':' */ || CONNECTION_SPECIFIC.has(lower)) return;
  const values = Array.isArray(value) ? value.map(String) : [String(value)];
  try {
    validateHeaderName(lower);
    for (const v of values) validateHeaderValue(lower, v);
  } catch {
    return;
  }
  const previous = out[lower];
  if (previous === undefined) out[lower] = values.length === 1 ? values[0]! : values;
  else out[lower] = [...(Array.isArray(previous) ? previous : [String(previous)]), ...values];
}

/** The response headers for `lines` (after the status line): each `name: value` line, split at its first colon. */
export function headersFromLines(lines: readonly string[]): OutgoingHttpHeaders {
  const headers = Object.create(null) as OutgoingHttpHeaders;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (typeof line !== 'string') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    addHeader(headers, line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  return headers;
}

/**
 * Sends `:status 200` and leaves the stream open in both directions: from
 * here on its DATA frames carry WebSocket frames. Returns false when the
 * stream can no longer take a response.
 */
export function respondStreamAccept(stream: ServerHttp2Stream, headers: OutgoingHttpHeaders): boolean {
  if (stream.destroyed || stream.closed || stream.headersSent) return false;
  try {
    stream.respond({ ...headers, ':status': 200 }, { endStream: false });
    return true;
  } catch {
    stream.close(http2Constants.NGHTTP2_CANCEL);
    return false;
  }
}

/**
 * Refuses a WebSocket request on its stream: `status` with a plain-text body
 * (the reason phrase when no message), then the stream is ended; the request
 * side is cancelled with RST_STREAM(NO_ERROR) once the response is out, as
 * RFC 9113 section 8.1 allows for a request the server will not read.
 */
export function respondStreamError(
  stream: ServerHttp2Stream,
  status: number,
  message?: string,
  headers?: OutgoingHttpHeaders,
): void {
  guardSocket(stream);
  if (stream.destroyed || stream.closed) return;
  if (stream.headersSent) {
    stream.close(http2Constants.NGHTTP2_CANCEL);
    return;
  }
  const body = message === undefined || message === '' ? (STATUS_CODES[status] ?? 'Error') : message;
  const out = Object.create(null) as OutgoingHttpHeaders;
  if (headers !== undefined) for (const name of Object.keys(headers)) addHeader(out, name, headers[name]);
  out['content-type'] ??= 'text/plain; charset=utf-8';
  out['content-length'] = Buffer.byteLength(body);
  try {
    stream.respond({ ...out, ':status': status }, { endStream: false });
    stream.end(body);
    stream.once('finish', () => setImmediate(cancelRequestSide, stream));
  } catch {
    stream.close(http2Constants.NGHTTP2_CANCEL);
  }
}

/**
 * RST_STREAM(NO_ERROR) once the response is out, on a later turn: a reset
 * with any code but CANCEL, sent while nghttp2 is delivering frames, can
 * hang Node 20 (see transport/abort-duplex.ts).
 */
function cancelRequestSide(stream: ServerHttp2Stream): void {
  if (!stream.closed && !stream.destroyed) stream.close(http2Constants.NGHTTP2_NO_ERROR);
}
