import type { IncomingHttpHeaders } from 'node:http2';
import { CloseCode } from '../protocol/close-codes.js';
import { WebSocketError } from '../protocol/errors.js';
import type { ExtensionOffer } from '../protocol/extension-offer.js';
import { parseExtensions } from '../protocol/header-tokens.js';
import type { AcceptedHandshake } from './handshake-response.js';

/** What the client offered, against which the server's answer is judged. */
export interface ConnectExpectation {
  offeredProtocols: readonly string[];
  offeredExtensions: ReadonlySet<string>;
}

function handshakeError(message: string): WebSocketError {
  return new WebSocketError('WSX_ERR_HANDSHAKE', message, CloseCode.ABNORMAL_CLOSURE);
}

function single(value: string | string[] | number | undefined): string | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(', ') : String(value);
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

  const protocol = single(headers['sec-websocket-protocol']);
  if (protocol !== undefined) {
    if (expected.offeredProtocols.length === 0) {
      throw handshakeError('Server sent a subprotocol but none was requested');
    }
    if (!expected.offeredProtocols.includes(protocol)) {
      throw handshakeError('Server sent an invalid subprotocol');
    }
  }

  const extensionsHeader = single(headers['sec-websocket-extensions']);
  let extensions: ExtensionOffer[] = [];
  if (extensionsHeader !== undefined) {
    if (expected.offeredExtensions.size === 0) {
      throw handshakeError('Server sent a Sec-WebSocket-Extensions header but no extension was requested');
    }
    try {
      extensions = parseExtensions(extensionsHeader);
    } catch {
      throw handshakeError('Invalid Sec-WebSocket-Extensions header');
    }
    const seen = new Set<string>();
    for (const extension of extensions) {
      if (!expected.offeredExtensions.has(extension.name)) {
        throw handshakeError('Server indicated an extension that was not requested');
      }
      if (seen.has(extension.name)) throw handshakeError('Server indicated an extension more than once');
      seen.add(extension.name);
    }
  }

  return { protocol: protocol ?? '', extensionsHeader, extensions };
}
