import type { IncomingHttpHeaders } from 'node:http';
import { CloseCode } from '../protocol/close-codes.js';
import { WebSocketError } from '../protocol/errors.js';
import type { ExtensionOffer } from '../protocol/extension-offer.js';
import { computeAcceptKey } from '../protocol/handshake.js';
import { headerHasToken, parseExtensions } from '../protocol/header-tokens.js';

/** The part of the server's answer the checks look at (an IncomingMessage fits). */
export interface HandshakeResponseHead {
  statusCode?: number | undefined;
  headers: IncomingHttpHeaders;
}

/** What the client sent, against which the answer is judged. */
export interface HandshakeExpectation {
  /** The `Sec-WebSocket-Key` that was sent. */
  key: string;
  offeredProtocols: readonly string[];
  offeredExtensions: ReadonlySet<string>;
}

export interface AcceptedHandshake {
  /** The subprotocol the server selected, '' when none. */
  protocol: string;
  /** The raw `Sec-WebSocket-Extensions` value, undefined when absent. */
  extensionsHeader: string | undefined;
  extensions: ExtensionOffer[];
}

function handshakeError(message: string): WebSocketError {
  return new WebSocketError('WSX_ERR_HANDSHAKE', message, CloseCode.ABNORMAL_CLOSURE);
}

/** Node joins repeated headers with ', ' (set-cookie aside); treat arrays the same. */
function single(value: string | string[] | number | undefined): string | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(', ') : String(value);
}

/**
 * Checks the server's answer to the opening handshake (RFC 6455 section 4.1,
 * the client's requirements on the response). Throws a WebSocketError
 * ('WSX_ERR_HANDSHAKE', close code 1006) naming the first rule broken.
 */
export function validateHandshakeResponse(
  response: HandshakeResponseHead,
  expected: HandshakeExpectation,
): AcceptedHandshake {
  if (response.statusCode !== 101) {
    throw handshakeError(`Unexpected server response: ${String(response.statusCode)}`);
  }
  const headers = response.headers;

  const upgrade = single(headers.upgrade);
  if (upgrade === undefined || upgrade.toLowerCase() !== 'websocket') {
    throw handshakeError('Invalid Upgrade header');
  }
  if (!headerHasToken(headers.connection, 'upgrade')) {
    throw handshakeError('Invalid Connection header');
  }
  if (single(headers['sec-websocket-accept']) !== computeAcceptKey(expected.key)) {
    throw handshakeError('Invalid Sec-WebSocket-Accept header');
  }

  return checkNegotiation(headers, expected);
}

/** What the client offered, against which the server's choices are judged. */
export interface NegotiationExpectation {
  offeredProtocols: readonly string[];
  offeredExtensions: ReadonlySet<string>;
}

/**
 * The checks both handshakes (HTTP/1.1 101 and HTTP/2 200) make on what the
 * server chose: a subprotocol that is exactly one of those offered, and
 * extensions that were offered, each named once.
 */
export function checkNegotiation(
  headers: Record<string, string | string[] | number | undefined>,
  expected: NegotiationExpectation,
): AcceptedHandshake {
  // A server may decline every offered subprotocol by sending none (RFC 6455
  // 4.2.2); what it sends must be exactly one of those offered.
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
    if (extensions.length === 0) throw handshakeError('Invalid Sec-WebSocket-Extensions header');
    const seen = new Set<string>();
    for (const extension of extensions) {
      if (!expected.offeredExtensions.has(extension.name)) {
        throw handshakeError('Server indicated an extension that was not requested');
      }
      if (seen.has(extension.name)) {
        throw handshakeError('Server indicated an extension more than once');
      }
      seen.add(extension.name);
    }
  }

  return { protocol: protocol ?? '', extensionsHeader, extensions };
}
