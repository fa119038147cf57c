/**
 * Reads plain TCP sockets into one process-wide buffer instead of a fresh
 * one per read.
 *
 * Through 'data' events, Node allocates a 64 KiB backing store for every
 * read, copies a short read into a second, zero-filled one of the exact size,
 * and pushes it through the Readable stream machinery before any WebSocket
 * code runs. Node's `onread` socket option (documented for sockets the
 * application constructs) reads into a buffer the caller supplies and calls
 * back with the byte count instead. Sockets that a server accepts, or that
 * http.request opens, are constructed inside Node, so this switches them over
 * the way Node's own Socket constructor does: the socket's `kBuffer` and
 * `kBufferCb` fields and the handle's `useUserBuffer()`. Both are found by
 * feature detection; anything unexpected (TLS, an HTTP/2 stream, a wrapped
 * duplex, a Node that changed them) keeps 'data' events, and so does
 * WSX_NO_SHARED_READS=1. Measured in bench/notes.md ("Round 6").
 *
 * The bytes are valid only during the callback: every socket reads into the
 * same buffer, one callback at a time (the event loop runs them in turn, and
 * no read happens inside one). Connection.receiveBorrowed() copies what it
 * keeps. 'end', 'close', 'error', pause() and resume() behave as before, and
 * bytes already buffered in the socket (the upgrade's head) still arrive as
 * 'data', before any read into the shared buffer.
 */
import { Buffer } from 'node:buffer';
import net from 'node:net';
import type { Duplex } from 'node:stream';

/** Node's own read size for stream handles: a read never returns more. */
const SHARED_READ_SIZE = 64 * 1024;

/** Called with `this` the socket, the bytes read, and the shared buffer; true keeps reading. */
export type SharedReadCallback = (this: Duplex, length: number, buffer: Buffer) => boolean;

interface UserBufferHandle {
  useUserBuffer?: (buffer: Uint8Array) => void;
}

let enabled = !process.env['WSX_NO_SHARED_READS'];
let sharedBuffer: Buffer | null = null;
/** Node's private field symbols, looked up on the first socket (undefined: not yet; null: absent). */
let fields: { buffer: symbol; callback: symbol } | null | undefined;

/**
 * Turns shared reads off or back on for sockets started from now on (tests
 * and benchmarks compare both paths). Returns whether they are on.
 */
export function useSharedReads(on: boolean): boolean {
  enabled = on;
  return enabled;
}

/**
 * Switches `socket` to reads into the shared buffer, reported to `callback`.
 * Returns false, changing nothing, when the socket cannot be switched.
 */
export function readIntoSharedBuffer(socket: Duplex, callback: SharedReadCallback): boolean {
  if (!enabled || !(socket instanceof net.Socket) || (socket as { encrypted?: boolean }).encrypted === true) return false;
  const handle = (socket as unknown as { _handle?: UserBufferHandle | null })._handle;
  if (handle == null || typeof handle.useUserBuffer !== 'function') return false;
  const keys = (fields ??= findFields(socket));
  if (keys === null) return false;
  const record = socket as unknown as Record<symbol, unknown>;
  // Null in both: a socket created without `onread`, whose reads go through the stream.
  if (record[keys.buffer] !== null || record[keys.callback] !== null) return false;
  const buffer = (sharedBuffer ??= Buffer.allocUnsafeSlow(SHARED_READ_SIZE));
  try {
    handle.useUserBuffer(buffer);
  } catch {
    return false; // a handle that refuses it still reads through the stream
  }
  record[keys.buffer] = buffer;
  record[keys.callback] = callback;
  return true;
}

/** Whether `socket` reads into the shared buffer. */
export function readsIntoSharedBuffer(socket: Duplex): boolean {
  if (fields == null || sharedBuffer === null) return false;
  return (socket as unknown as Record<symbol, unknown>)[fields.buffer] === sharedBuffer;
}

function findFields(socket: net.Socket): { buffer: symbol; callback: symbol } | null {
  let buffer: symbol | undefined;
  let callback: symbol | undefined;
  for (const key of Object.getOwnPropertySymbols(socket)) {
    if (key.description === 'kBuffer') buffer = key;
    else if (key.description === 'kBufferCb') callback = key;
  }
  return buffer !== undefined && callback !== undefined ? { buffer, callback } : null;
}
