import { Buffer } from 'node:buffer';
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { HttpStatus, validateUpgradeRequest, WEBSOCKET_VERSION } from '../protocol/upgrade-request.js';
import { writeHttpErrorAndLinger } from './http-error-response.js';

/** Default time a client has to send a complete upgrade request, in ms (python-websockets and uWebSockets use 10 s). */
export const DEFAULT_HANDSHAKE_TIMEOUT = 10_000;

/**
 * Node hands a request to the `upgrade` event only when it has both
 * `Connection: upgrade` and an `Upgrade` header; every other request lands
 * here. A request that carries WebSocket handshake headers is a broken
 * handshake: it gets the validator's answer (e.g. 400 "Invalid Connection
 * header") and the connection is closed, as for refused upgrades. Anything
 * else is told to upgrade (426) and the connection is closed: a plain
 * HTTP client has nothing else to ask of a WebSocket-only port. (Node keeps
 * a connection alive whenever a response sets `Connection` without `close`.)
 */
function answerPlainRequest(req: IncomingMessage, res: ServerResponse): void {
  const headers = req.headers;
  const looksLikeHandshake =
    headers['upgrade'] !== undefined ||
    headers['sec-websocket-key'] !== undefined ||
    headers['sec-websocket-version'] !== undefined;
  if (looksLikeHandshake) {
    const result = validateUpgradeRequest(req.method, req.httpVersion, headers);
    if (!result.ok) {
      res.writeHead(result.status, {
        ...result.headers,
        Connection: 'close',
        'Content-Type': 'text/plain; charset=utf-8',
        'Content-Length': Buffer.byteLength(result.message),
      });
      res.end(result.message);
      return;
    }
  }
  const body = STATUS_CODES[HttpStatus.UPGRADE_REQUIRED]!;
  res.writeHead(HttpStatus.UPGRADE_REQUIRED, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Sec-WebSocket-Version': WEBSOCKET_VERSION,
    Upgrade: 'websocket',
    Connection: 'Upgrade, close',
  });
  res.end(body);
}

/** How long a refused client may keep sending before its socket is destroyed, in ms. */
const CLIENT_ERROR_LINGER = 1000;

/** Node reports every later parse error of a failed socket again: answer once. */
const answeredSockets = new WeakSet<Duplex>();

function statusForClientError(code: string | undefined): number {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return HttpStatus.REQUEST_TIMEOUT;
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return HttpStatus.CONTENT_TOO_LARGE;
    default:
      return HttpStatus.BAD_REQUEST;
  }
}

/**
 * Replaces Node's default `clientError` answer, which writes the response
 * and destroys the socket at once: with request bytes still unread, that
 * becomes a TCP reset that can wipe the response (a client dribbling an
 * oversized head would never see its 431). Socket-level errors (resets)
 * just destroy the socket.
 */
function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (answeredSockets.has(socket)) return;
  answeredSockets.add(socket);
  const code = error.code;
  if (code === undefined || !(code.startsWith('HPE_') || code === 'ERR_HTTP_REQUEST_TIMEOUT')) {
    socket.destroy();
    return;
  }
  writeHttpErrorAndLinger(socket, statusForClientError(code), CLIENT_ERROR_LINGER);
}

/**
 * The HTTP server a `WebSocketServer` creates for itself (the `port` option).
 * Plain requests get `426 Upgrade Required`. The request head must arrive
 * within `handshakeTimeout` ms (0 disables the limit); Node answers a late one
 * with 408 and closes it. Node checks its timeouts every
 * `connectionsCheckingInterval`, 30 s by default, which would stretch a 10 s
 * limit to 40 s: it is set to a quarter of the timeout (at most 1 s).
 * Header size (16 KiB → 431) and count limits are Node's defaults.
 */
export function createUpgradeOnlyHttpServer(handshakeTimeout: number): Server {
  const server =
    handshakeTimeout === 0
      ? createServer({ headersTimeout: 0, requestTimeout: 0 }, answerPlainRequest)
      : createServer(
          {
            headersTimeout: handshakeTimeout,
            requestTimeout: handshakeTimeout,
            connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(handshakeTimeout / 4))),
          },
          answerPlainRequest,
        );
  server.on('clientError', answerClientError);
  return server;
}
