import { constants as http2Constants, type ServerHttp2Stream } from 'node:http2';

/** How long a client may take to end its side once the server has ended its own, in ms. */
export const HTTP2_CLOSE_LINGER_MS = 500;

/**
 * Bounds how long a server-side WebSocket stream stays half-closed. The
 * server ends its side (END_STREAM) once the closing handshake is done; a
 * conforming client ends its own right away, but some never do (undici 7's
 * HTTP/2 WebSocket waits for the server, as it waits for TCP to close over
 * HTTP/1.1). RFC 6455 section 7.1.1 has the server close the connection
 * first; over HTTP/2 that is RST_STREAM(NO_ERROR) after a complete response,
 * which RFC 9113 section 8.1 allows. The reset is sent from a timer, never
 * while nghttp2 is delivering frames (see transport/abort-duplex.ts).
 */
export function lingerAfterServerEnd(stream: ServerHttp2Stream, ms: number = HTTP2_CLOSE_LINGER_MS): void {
  stream.once('finish', () => {
    if (stream.closed || stream.destroyed) return;
    const timer = setTimeout(() => {
      if (!stream.closed && !stream.destroyed) stream.close(http2Constants.NGHTTP2_NO_ERROR);
    }, ms);
    timer.unref();
    stream.once('close', () => clearTimeout(timer));
  });
}
