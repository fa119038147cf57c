/**
 * Turns what an application passes to send(), ping(), pong() and close()
 * into the exact bytes to put on the wire. Typed arrays contribute their own
 * bytes (never the whole underlying buffer, never uninitialized memory);
 * anything that is not text or bytes is a TypeError (SECURITY-CASES row 1).
 */

import { Buffer } from 'node:buffer';

export type BinaryData = Buffer | ArrayBuffer | SharedArrayBuffer | ArrayBufferView;
export type SendData = string | number | BinaryData | Blob;

export function toPayload(data: unknown, what: string): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (Buffer.isBuffer(data)) return data;
  if (typeof data === 'number') return Buffer.from(String(data), 'utf8');
  if (data instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && data instanceof SharedArrayBuffer)) {
    return Buffer.from(data);
  }
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (data === undefined) return Buffer.alloc(0);
  throw new TypeError(
    `${what} must be a string, a number, a Buffer, an ArrayBuffer or an ArrayBuffer view (got ${describe(data)})`,
  );
}

export function isBlob(data: unknown): data is Blob {
  return typeof Blob !== 'undefined' && data instanceof Blob;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return value.constructor?.name ?? 'object';
  return typeof value;
}
