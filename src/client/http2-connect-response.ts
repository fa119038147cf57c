import type { IncomingHttpHeaders } from 'node:http2';
import { CloseCode } from '../protocol/close-codes.js';
import { WebSocketError } from '../protocol/errors.js';
import { checkNegotiation, type AcceptedHandshake, type NegotiationExpectation } from './handshake-response.js';

/** What the client offered, against which the server's answer is judged. */
export type ConnectExpectation = NegotiationExpectation;

function handshakeError(message: string): WebSocketError {
  return new WebSocketError('WSX_ERR_HANDSHAKE', message, CloseCode.ABNORMAL_CLOSURE);
}

/**
 * Checks the server's answer to an extended CONNECT (RFC 8441 section 5):
 * a 2xx `:status` (any other status fails the handshake), a subprotocol that
 * is exactly one of those offered, and extensions that were offered, each
 * named once. There is no Sec-WebSocket-Accept over HTTP/2. Throws a
 * WebSocketError ('WSX_ERR_HANDSHAKE', close code 1006) naming the first
 * rule broken.
 */
export function validateConnectResponse(headers: IncomingHttpHeaders, expected: ConnectExpectation): AcceptedHandshake {
  const status = Number(headers[':status']);
  if (!(status >= 200 && status <= 299)) {
    throw handshakeError(`Unexpected server response: ${String(headers[':status'])}`);
  }

  return checkNegotiation(headers, expected);
}
