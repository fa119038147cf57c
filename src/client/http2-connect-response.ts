import { Buffer } from 'node:buffer';
import type { IncomingHttpHeaders } from 'node:http2';
import { CloseCode } from '../protocol/close-codes.js';
import { WebSocketError } from '../protocol/errors.js';
import { checkNegotiation, type AcceptedHandshake, type NegotiationExpectation } from './handshake-response.js';

/** What the client offered, against which the server's answer is judged. */
export type ConnectExpectation = NegotiationExpectation;

/**
 * A non-2xx answer to the extended CONNECT. Over HTTP/1.1 ws hands such a
 * response to 'unexpected-response' listeners; over HTTP/2 the status, the
 * headers and the start of the body travel on the error instead.
 */
export class UnexpectedResponseError extends WebSocketError {
  readonly statusCode: number;
  readonly headers: IncomingHttpHeaders;
  /** Up to MAX_ERROR_BODY bytes of the response body. */
  body: Buffer = Buffer.alloc(0);

  constructor(statusCode: number, headers: IncomingHttpHeaders) {
    super('WSX_ERR_HANDSHAKE', `Unexpected server response: ${String(headers[':status'])}`, CloseCode.ABNORMAL_CLOSURE);
    this.name = 'UnexpectedResponseError';
    this.statusCode = statusCode;
    this.headers = headers;
  }
}

/** How much of a refusal's body is kept for the error. */
export const MAX_ERROR_BODY = 16 * 1024;

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
  if (!(status >= 200 && status <= 299)) throw new UnexpectedResponseError(status, headers);

  return checkNegotiation(headers, expected);
}
