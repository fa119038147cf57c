import { WebSocketError } from '../protocol/errors.js';

/**
 * A malformed upgrade request, as handed to `wsClientError` listeners: the
 * HTTP status and headers wsx would have answered with, so that an
 * application answering by itself can use them.
 */
export class HandshakeRejectedError extends WebSocketError {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;

  constructor(statusCode: number, message: string, headers: Record<string, string> = {}) {
    super('WSX_ERR_HANDSHAKE', message);
    this.name = 'HandshakeRejectedError';
    this.statusCode = statusCode;
    this.headers = headers;
  }
}
