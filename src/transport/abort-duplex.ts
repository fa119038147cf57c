import { constants as http2Constants } from 'node:http2';
import type { Duplex } from 'node:stream';

/** What an Http2Stream has beyond a Duplex (checked by duck typing: the class is not exported). */
interface ResettableStream {
  readonly rstCode: number | undefined;
  readonly closed: boolean;
  close(code?: number): void;
}

function isHttp2Stream(socket: Duplex): socket is Duplex & ResettableStream {
  return 'rstCode' in socket && typeof (socket as Partial<ResettableStream>).close === 'function';
}

/**
 * Ends a transport at once, without a closing handshake. A socket is
 * destroyed; an HTTP/2 stream is reset with RST_STREAM(CANCEL), which leaves
 * the session and its other streams alone. Not destroy() there: Node 20's
 * destroy() resets with another code and, when it runs while nghttp2 is still
 * delivering frames (from an event of another stream on the same session,
 * say), spins forever in Http2Session::SendPendingData; a CANCEL reset is
 * queued instead. Node destroys the stream once the reset is done.
 */
export function abortDuplex(socket: Duplex): void {
  if (isHttp2Stream(socket) && !socket.closed && !socket.destroyed) {
    socket.close(http2Constants.NGHTTP2_CANCEL);
    return;
  }
  socket.destroy();
}
