import type { Duplex } from 'node:stream';

/**
 * The listener that keeps a socket's `error` from crashing the process while
 * nobody else listens (during the handshake, and while an error response is
 * being written). One shared function, so it can be removed again and is
 * never added twice.
 */
function destroyOnError(this: Duplex): void {
  this.destroy();
}

/** Attach the guard; call it before the first asynchronous step on a socket. */
export function guardSocket(socket: Duplex): void {
  if (!socket.listeners('error').includes(destroyOnError)) socket.on('error', destroyOnError);
}

/** Remove the guard once another owner (a WebSocket) has its own error listener. */
export function unguardSocket(socket: Duplex): void {
  socket.removeListener('error', destroyOnError);
}
