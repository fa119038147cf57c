import { Buffer } from 'node:buffer';
import { STATUS_CODES, validateHeaderName, validateHeaderValue, type OutgoingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import { guardSocket } from './socket-error-guard.js';

function destroySocket(this: Duplex): void {
  this.destroy();
}

/**
 * The header lines of an error response: our defaults, replaced by any
 * caller header of the same name (compared case-insensitively). Caller
 * headers that HTTP would reject (bad name, CR/LF in a value) are dropped
 * rather than thrown: this runs where a throw would crash the server.
 */
function headerLines(defaults: Record<string, string | number>, extra: OutgoingHttpHeaders | undefined): string {
  const lines = new Map<string, string>();
  for (const name of Object.keys(defaults)) lines.set(name.toLowerCase(), `${name}: ${defaults[name]}\r\n`);
  if (extra !== undefined) {
    for (const name of Object.keys(extra)) {
      const value = extra[name];
      if (value === undefined) continue;
      const values = Array.isArray(value) ? value : [value];
      let text = '';
      try {
        validateHeaderName(name);
        for (const v of values) {
          const textValue = String(v);
          validateHeaderValue(name, textValue);
          text += `${name}: ${textValue}\r\n`;
        }
      } catch {
        continue;
      }
      lines.set(name.toLowerCase(), text);
    }
  }
  let head = '';
  for (const text of lines.values()) head += text;
  return head;
}

/** A complete HTTP/1.1 error response with a plain-text body (the reason phrase when no message). */
export function formatHttpErrorResponse(status: number, message?: string, headers?: OutgoingHttpHeaders): string {
  const reason = STATUS_CODES[status] ?? 'Error';
  const body = message === undefined || message === '' ? reason : message;
  const head = headerLines(
    {
      Connection: 'close',
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
    },
    headers,
  );
  return `HTTP/1.1 ${status} ${reason}\r\n${head}\r\n${body}`;
}

/**
 * Refuse a handshake: write a complete HTTP/1.1 response with a plain-text
 * body, end the socket and destroy it once the response is flushed. Never
 * throws; a socket that is already gone is left alone.
 */
export function writeHttpErrorAndClose(
  socket: Duplex,
  status: number,
  message?: string,
  headers?: OutgoingHttpHeaders,
): void {
  guardSocket(socket);
  if (socket.destroyed) return;
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.once('finish', destroySocket);
  socket.end(formatHttpErrorResponse(status, message, headers));
}

/**
 * Answer a client that is still sending (an oversized or endless request
 * head): write the response, half-close, and keep reading and discarding
 * its bytes until it closes or `lingerMs` passes. Destroying at once would
 * make the kernel answer the unread bytes with a TCP reset, which can wipe
 * the response before the client reads it. Never throws.
 */
export function writeHttpErrorAndLinger(socket: Duplex, status: number, lingerMs: number): void {
  guardSocket(socket);
  if (socket.destroyed) return;
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(formatHttpErrorResponse(status));
  socket.once('end', destroySocket);
  socket.resume();
  const timer = setTimeout(() => socket.destroy(), lingerMs);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}
